import { randomBytes } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/**
 * The token every test server accepts as admin (startTestServer sets
 * PEDIGREE_ADMIN_TOKEN to it). `gql`, `gqlOk` and `wsClient` send it unless the
 * call says otherwise: pass `{ authorization: 'Bearer <other>' }` to act as
 * someone else, or `NO_AUTH` to send no token at all.
 */
export const TEST_ADMIN_TOKEN = 'pdg_test-admin-token-0123456789abcdefghijklmnopqrstuvwxyz';
/**
 * PEDIGREE_SIGNING_SECRET of every test server unless a test says otherwise:
 * the run shares one Neo4j, so Pedigree's signing key (made by whichever file
 * signs first, e.g. at a two-person promotion) must open on every server.
 */
export const TEST_SIGNING_SECRET = 'test-signing-secret-0123456789';

/** `Authorization` header value for a token. */
export const bearer = (token: string) => `Bearer ${token}`;

/** Headers (for gql/gqlOk) or connection params (for wsClient) that send no token. */
export const NO_AUTH: Record<string, string> = Object.freeze({ authorization: '' }) as Record<string, string>;

/** Headers (for gql/gqlOk) that act as the holder of `token`. */
export const as = (token: string): Record<string, string> => ({ authorization: bearer(token) });

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
    headers: withoutEmpty({ 'content-type': 'application/json', authorization: bearer(TEST_ADMIN_TOKEN), ...headers }),
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

function withoutEmpty(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== ''));
}

/**
 * A graphql-ws client over a real websocket. Sends the test admin token in
 * connection_init unless `connectionParams` sets `authorization` (`NO_AUTH`
 * sends none).
 */
export function wsClient(httpUrl: string, connectionParams?: Record<string, unknown>): Client {
  const params: Record<string, unknown> = { authorization: bearer(TEST_ADMIN_TOKEN), ...connectionParams };
  if (params.authorization === '' || params.authorization === undefined) delete params.authorization;
  return createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: params,
    retryAttempts: 0,
    lazy: true,
  });
}

/** A name no other test uses: tests share one database and isolate by name. */
export function uniq(prefix: string): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

export const sha = (c: string) => `sha256:${c.repeat(64).slice(0, 64)}`;
