import { createClient, type Client } from 'graphql-ws';

const TOKEN_KEY = 'pedigree.token';

export const token = {
  get: (): string => sessionStorage.getItem(TOKEN_KEY) ?? '',
  set: (t: string) => (t ? sessionStorage.setItem(TOKEN_KEY, t) : sessionStorage.removeItem(TOKEN_KEY)),
};

/**
 * An API error as the server gave it: `message` is the server's message,
 * verbatim (a refusal reads exactly as the API said it), `code` its
 * `extensions.code`; `hint` is the dashboard's own advice, shown apart.
 */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string | null,
    readonly status: number | null = null,
    readonly hint: string | null = null,
  ) {
    super(message);
  }
}

interface GqlError {
  message: string;
  extensions?: { code?: string; field?: string };
}

function describe(errors: GqlError[]): ApiError {
  const e = errors[0]!;
  const code = e.extensions?.code ?? null;
  const hint = code === 'UNAUTHENTICATED' ? 'Paste a valid API token at the top of the page.' : null;
  return new ApiError(e.message, code, null, hint);
}

/** One GraphQL request over HTTP with the pasted token. Throws ApiError. */
export async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const t = token.get();
  if (t) headers.authorization = `Bearer ${t}`;
  let res: Response;
  try {
    res = await fetch('/graphql', { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  } catch {
    throw new ApiError('The API is unreachable: is the server running?', 'NETWORK');
  }
  let body: { data?: T; errors?: GqlError[] };
  try {
    body = await res.json();
  } catch {
    throw new ApiError(`The API answered ${res.status} ${res.statusText} without a GraphQL body.`, 'HTTP', res.status);
  }
  if (body.errors?.length) throw describe(body.errors);
  if (!res.ok || body.data === undefined) throw new ApiError(`The API answered ${res.status}.`, 'HTTP', res.status);
  return body.data;
}

/** True when the error says the schema has no such field (a feature not deployed on this server). */
export function isMissingField(err: unknown): boolean {
  return (
    err instanceof ApiError &&
    (err.code === 'GRAPHQL_VALIDATION_FAILED' || /Cannot query field|Unknown type/.test(err.message))
  );
}

let ws: Client | null = null;
let wsToken = '';

/** The shared graphql-ws client, authenticated like HTTP requests (connection_init payload). */
export function wsClient(): Client {
  const t = token.get();
  if (ws && wsToken === t) return ws;
  void ws?.dispose();
  wsToken = t;
  ws = createClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
    connectionParams: t ? { authorization: `Bearer ${t}` } : {},
    lazy: true,
    retryAttempts: 5,
  });
  return ws;
}

/**
 * Subscribes; `onError` receives the first error (a schema without the field
 * reports it here, which callers use to fall back to polling).
 */
export function subscribe<T>(
  query: string,
  variables: Record<string, unknown>,
  onData: (d: T) => void,
  onError: (e: ApiError) => void,
): () => void {
  return wsClient().subscribe<T>(
    { query, variables },
    {
      next: (r) => {
        if (r.errors?.length) onError(describe(r.errors as GqlError[]));
        else if (r.data) onData(r.data as T);
      },
      error: (e) => {
        if (Array.isArray(e)) onError(describe(e as GqlError[]));
        else onError(new ApiError(e instanceof Error ? e.message : 'live updates disconnected', 'WS'));
      },
      complete: () => {},
    },
  );
}

export const fmtTime = (iso: string) =>
  new Date(iso)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');

/** A metric value as people read it: at most four decimals. */
export const fmtNum = (x: number) => String(Number(x.toFixed(4)));
