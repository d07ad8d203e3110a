/**
 * Codes the client raises itself, beside the server's `extensions.code`
 * (BAD_USER_INPUT, NOT_FOUND, CONFLICT, UNAUTHENTICATED, FORBIDDEN,
 * GATE_FAILED, CHECKSUM_MISMATCH, ...), which errors carry unchanged.
 */
export const ClientCode = {
  /** The bytes read do not hash to the registry's checksum. */
  CHECKSUM_MISMATCH: 'CHECKSUM_MISMATCH',
  /** The version has no checksum (registered unverified): nothing to verify against. */
  CHECKSUM_MISSING: 'CHECKSUM_MISSING',
  /** The server could not be reached, or the connection broke. Retryable. */
  NETWORK_ERROR: 'NETWORK_ERROR',
  /** An answer that is not GraphQL/JSON (a proxy's error page, a 5xx). Retryable when `status` is 5xx. */
  BAD_RESPONSE: 'BAD_RESPONSE',
  /** A request took longer than `requestTimeoutMs`. Retryable. */
  TIMEOUT: 'TIMEOUT',
  /** No fetcher for the artifact's scheme (pass one in `fetchers`). */
  UNSUPPORTED_SOURCE: 'UNSUPPORTED_SOURCE',
  /** The prediction logger's spool holds `maxPending` predictions (onFull: 'throw'). */
  SPOOL_FULL: 'SPOOL_FULL',
  /** The client or logger was closed. */
  CLOSED: 'CLOSED',
  /** No WebSocket implementation: pass `webSocketImpl` or install `ws`. */
  WEBSOCKET_UNAVAILABLE: 'WEBSOCKET_UNAVAILABLE',
  /** Bad arguments to a client method (caught before any request). */
  BAD_USER_INPUT: 'BAD_USER_INPUT',
} as const;

export interface GraphQLErrorShape {
  message: string;
  path?: readonly (string | number)[];
  extensions?: Record<string, unknown>;
}

/**
 * Every error the client throws. `code` is the server's `extensions.code`
 * when the server refused, or one of {@link ClientCode}. Messages never carry
 * the token.
 */
export class PedigreeError extends Error {
  override readonly name: string = 'PedigreeError';
  readonly code: string;
  /** The server's `extensions` of the first error, when there was one. */
  readonly extensions: Record<string, unknown>;
  /** All GraphQL errors of the response (the first is this error's message and code). */
  readonly errors: readonly GraphQLErrorShape[];
  /** HTTP status, when the error came with a response. */
  readonly status: number | undefined;
  /** Worth retrying unchanged: the network, a timeout, a 5xx, or the server starting/stopping. */
  readonly retryable: boolean;

  constructor(
    code: string,
    message: string,
    opts: {
      extensions?: Record<string, unknown>;
      errors?: readonly GraphQLErrorShape[];
      status?: number;
      retryable?: boolean;
      cause?: unknown;
    } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
    this.extensions = opts.extensions ?? {};
    this.errors = opts.errors ?? [];
    this.status = opts.status;
    this.retryable = opts.retryable ?? false;
  }

  /** An error built from a GraphQL response's `errors`. */
  static fromGraphQL(errors: readonly GraphQLErrorShape[], status: number | undefined): PedigreeError {
    const first = errors[0] ?? { message: 'unknown error' };
    const code = typeof first.extensions?.code === 'string' ? first.extensions.code : 'INTERNAL_SERVER_ERROR';
    // A server that is starting up or shutting down answers 503; the database may be briefly unavailable.
    const retryable =
      status === 503 ||
      code === 'SERVICE_UNAVAILABLE' ||
      code === 'INTERNAL_SERVER_ERROR' ||
      (status !== undefined && status >= 500);
    return new PedigreeError(code, first.message, { extensions: first.extensions ?? {}, errors, status, retryable });
  }
}

/**
 * The artifact's bytes do not hash to the checksum the registry holds for the
 * version. `actual` is what the client read; it is null when Pedigree itself
 * refused to serve stored bytes that no longer match their seal (the message
 * then carries what the server found).
 */
export class ChecksumMismatchError extends PedigreeError {
  override readonly name = 'ChecksumMismatchError';
  readonly expected: string;
  readonly actual: string | null;
  constructor(uri: string, expected: string, actual: string | null, serverMessage?: string) {
    const found =
      actual !== null
        ? `the bytes read hash to ${actual}`
        : `the server refused to serve them (${serverMessage ?? 'the stored bytes do not match their seal'})`;
    super(
      ClientCode.CHECKSUM_MISMATCH,
      `the artifact of ${uri} must hash to ${expected} (the registry's checksum); ${found}. Nothing was written.`,
      {
        extensions: { code: ClientCode.CHECKSUM_MISMATCH, expected, actual },
      },
    );
    this.expected = expected;
    this.actual = actual;
  }
}

/** The prediction logger's spool is full (see `onFull`). */
export class SpoolFullError extends PedigreeError {
  override readonly name = 'SpoolFullError';
  constructor(maxPending: number) {
    super(
      ClientCode.SPOOL_FULL,
      `the prediction spool holds its maximum of ${maxPending} unsent predictions; this one was not accepted (the server has been unreachable or slower than the logging rate)`,
    );
  }
}

export function isRetryable(err: unknown): boolean {
  return err instanceof PedigreeError ? err.retryable : true;
}
