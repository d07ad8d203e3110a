/**
 * Expected errors: every rule that refuses a request throws a DomainError with
 * one of these codes. The server turns it into a GraphQLError whose
 * `extensions.code` is the code; anything that is not a DomainError is masked
 * as INTERNAL_SERVER_ERROR with a log id.
 */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  GATE_FAILED: 'GATE_FAILED',
  CHECKSUM_MISMATCH: 'CHECKSUM_MISMATCH',
  LIMIT_EXCEEDED: 'LIMIT_EXCEEDED',
  /**
   * The database could not be reached (restarting, failing over) after the
   * driver's retries. A write may or may not have committed: retry it;
   * creates retried with the same `idempotencyKey` never apply twice.
   */
  UNAVAILABLE: 'UNAVAILABLE',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra, client-safe detail (e.g. `{ field: 'name' }`); copied into extensions. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const badInput = (message: string, details?: Record<string, unknown>) =>
  new DomainError(ErrorCode.BAD_USER_INPUT, message, details);
export const notFound = (message: string, details?: Record<string, unknown>) =>
  new DomainError(ErrorCode.NOT_FOUND, message, details);
export const conflict = (message: string, details?: Record<string, unknown>) =>
  new DomainError(ErrorCode.CONFLICT, message, details);
export const gateFailed = (message: string, details?: Record<string, unknown>) =>
  new DomainError(ErrorCode.GATE_FAILED, message, details);

/** For exhaustive switches: the compiler proves this is never reached. */
export function unreachable(value: never): never {
  throw new Error(`unreachable case: ${JSON.stringify(value)}`);
}

/** The CONFLICT the executor maps a uniqueness-constraint violation to (src/graph/executor.ts). */
export function isConstraintViolation(err: unknown): boolean {
  return err instanceof DomainError && err.code === ErrorCode.CONFLICT && err.details.constraint === true;
}
