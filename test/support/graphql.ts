import { randomBytes } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface GqlError {
  message: string;
  extensions?: { code?: string; [k: string]: unknown };
}
export interface GqlResponse<T = any> {
  status: number;
  data?: T;
  errors?: GqlError[];
}

/** POSTs one operation as JSON, the way every real client does. */
export async function gql<T = any>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GqlResponse<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  let body: { data?: T; errors?: GqlError[] };
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`non-JSON response ${res.status}: ${text.slice(0, 200)}`);
  }
  return { status: res.status, data: body.data ?? undefined, errors: body.errors };
}

/** Like gql, but fails the test on any error and returns data. */
export async function gqlOk<T = any>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<T> {
  const r = await gql<T>(url, query, variables, headers);
  if (r.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(r.errors)}`);
  return r.data as T;
}

/** The error code of the first error, for `expect(code(r)).toBe('CONFLICT')`. */
export function code(r: GqlResponse): string | undefined {
  return r.errors?.[0]?.extensions?.code;
}

/** A graphql-ws client over a real websocket. */
export function wsClient(httpUrl: string, connectionParams?: Record<string, unknown>): Client {
  return createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    lazy: true,
  });
}

/** A name no other test uses: tests share one database and isolate by name. */
export function uniq(prefix: string): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

export const sha = (c: string) => `sha256:${c.repeat(64).slice(0, 64)}`;
