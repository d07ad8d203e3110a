import { ClientCode, PedigreeError, type GraphQLErrorShape } from './errors.js';

export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

/** Header the server answers writes with: the sequence the write committed at (issue 20's consistency token). */
export const SEQUENCE_HEADER = 'pedigree-sequence';
/** Header a read carries: answer only once this sequence is applied. */
export const MIN_SEQUENCE_HEADER = 'pedigree-min-sequence';

export interface HttpOptions {
  baseUrl: string;
  token: string | null;
  fetch: FetchLike;
  requestTimeoutMs: number;
}

/**
 * GraphQL over HTTP and the artifact proxy, with the token and the consistency
 * token. The client remembers the highest sequence its own writes committed
 * at (from the response's `extensions.sequence`, the `Pedigree-Sequence`
 * header, or a `sequence` field of the mutation's result) and sends it as
 * `Pedigree-Min-Sequence` on reads, so a replica answers only once it has
 * applied the client's own writes. A server that ignores the header answers
 * as before.
 */
export class HttpTransport {
  readonly graphqlUrl: string;
  readonly baseUrl: string;
  #token: string | null;
  readonly #fetch: FetchLike;
  readonly #timeoutMs: number;
  #minSequence: bigint | null = null;

  constructor(opts: HttpOptions) {
    this.baseUrl = opts.baseUrl;
    this.graphqlUrl = `${opts.baseUrl}/graphql`;
    this.#token = opts.token;
    this.#fetch = opts.fetch;
    this.#timeoutMs = opts.requestTimeoutMs;
  }

  /** The highest sequence of this client's own writes, as a decimal string (null before the first). */
  get minSequence(): string | null {
    return this.#minSequence === null ? null : this.#minSequence.toString();
  }

  /** Raises the remembered write sequence (never lowers it). */
  noteSequence(sequence: unknown): void {
    if (typeof sequence !== 'string' && typeof sequence !== 'number' && typeof sequence !== 'bigint') return;
    const text = String(sequence);
    if (!/^\d{1,30}$/.test(text)) return;
    const n = BigInt(text);
    if (this.#minSequence === null || n > this.#minSequence) this.#minSequence = n;
  }

  /** `Authorization` for the connection_init payload and requests; null without a token. */
  authorization(): string | null {
    return this.#token ? `Bearer ${this.#token}` : null;
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    const h: Record<string, string> = { ...extra };
    const auth = this.authorization();
    if (auth) h.authorization = auth;
    return h;
  }

  /**
   * One GraphQL operation. `kind` decides whether the consistency token is
   * sent (reads) or collected (mutations). Throws PedigreeError with the
   * server's `extensions.code`; `data` is returned only when there is no error.
   */
  async graphql<T>(
    query: string,
    variables: Record<string, unknown>,
    kind: 'query' | 'mutation',
    signal?: AbortSignal,
    atLeast?: string,
  ): Promise<T> {
    try {
      return await this.#graphqlOnce<T>(query, variables, kind, signal, atLeast);
    } catch (err) {
      // A pooled keep-alive connection the server closed (it restarted) fails the first request on it:
      // a read is retried once on a fresh connection. A write is not: it may have committed.
      if (
        kind === 'query' &&
        err instanceof PedigreeError &&
        err.code === ClientCode.NETWORK_ERROR &&
        !signal?.aborted
      ) {
        return this.#graphqlOnce<T>(query, variables, kind, signal, atLeast);
      }
      throw err;
    }
  }

  async #graphqlOnce<T>(
    query: string,
    variables: Record<string, unknown>,
    kind: 'query' | 'mutation',
    signal?: AbortSignal,
    atLeast?: string,
  ): Promise<T> {
    const headers = this.headers({
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
    });
    // A read sees at least this client's own writes, and `atLeast` when given (a position the caller read from the
    // log).
    const floor =
      atLeast === undefined
        ? this.#minSequence
        : this.#minSequence === null || BigInt(atLeast) > this.#minSequence
          ? BigInt(atLeast)
          : this.#minSequence;
    if (kind === 'query' && floor !== null) headers[MIN_SEQUENCE_HEADER] = floor.toString();
    const res = await this.send(
      this.graphqlUrl,
      { method: 'POST', headers, body: JSON.stringify({ query, variables }) },
      signal,
    );
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw new PedigreeError(
        ClientCode.NETWORK_ERROR,
        `the response from ${this.graphqlUrl} broke off: ${describe(err)}`,
        { retryable: true, cause: err },
      );
    }
    let body: { data?: T | null; errors?: GraphQLErrorShape[]; extensions?: Record<string, unknown> };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new PedigreeError(
        ClientCode.BAD_RESPONSE,
        `${this.graphqlUrl} answered ${res.status} without GraphQL JSON: ${text.slice(0, 200)}`,
        {
          status: res.status,
          retryable: res.status >= 500 || res.status === 429 || res.status === 408,
        },
      );
    }
    if (kind === 'mutation') {
      this.noteSequence(res.headers.get(SEQUENCE_HEADER));
      this.noteSequence(body.extensions?.sequence);
      if (body.data && typeof body.data === 'object') {
        for (const value of Object.values(body.data as Record<string, unknown>)) {
          if (value && typeof value === 'object' && 'sequence' in value)
            this.noteSequence((value as { sequence: unknown }).sequence);
        }
      }
    }
    if (body.errors?.length) throw PedigreeError.fromGraphQL(body.errors, res.status);
    if (!res.ok || body.data === undefined || body.data === null) {
      throw new PedigreeError(ClientCode.BAD_RESPONSE, `${this.graphqlUrl} answered ${res.status} with no data`, {
        status: res.status,
        retryable: res.status >= 500,
      });
    }
    return body.data;
  }

  /** A GET (or other request) on a path of the server, with the token; errors as PedigreeError. */
  async request(path: string, init: RequestInit = {}, signal?: AbortSignal, timeoutMs?: number): Promise<Response> {
    return this.send(
      `${this.baseUrl}${path}`,
      { ...init, headers: this.headers((init.headers as Record<string, string>) ?? {}) },
      signal,
      timeoutMs,
    );
  }

  private async send(
    url: string,
    init: RequestInit,
    signal?: AbortSignal,
    timeoutMs = this.#timeoutMs,
  ): Promise<Response> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      return await this.#fetch(url, { ...init, signal: combined });
    } catch (err) {
      if (timeout.aborted)
        throw new PedigreeError(
          ClientCode.TIMEOUT,
          `${init.method ?? 'GET'} ${stripQuery(url)} took longer than ${timeoutMs} ms`,
          { retryable: true, cause: err },
        );
      if (signal?.aborted)
        throw new PedigreeError(ClientCode.CLOSED, `${init.method ?? 'GET'} ${stripQuery(url)} was cancelled`, {
          cause: err,
        });
      throw new PedigreeError(
        ClientCode.NETWORK_ERROR,
        `${init.method ?? 'GET'} ${stripQuery(url)} failed: ${describe(err)}`,
        { retryable: true, cause: err },
      );
    }
  }
}

/** A one-line reason from a thrown value (fetch hides the socket error in `cause`). */
export function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: unknown }).cause;
    const inner = cause instanceof Error ? ` (${(cause as Error & { code?: string }).code ?? cause.message})` : '';
    return `${err.message}${inner}`;
  }
  return String(err);
}

function stripQuery(url: string): string {
  return url.split('?')[0]!;
}
