import { DomainError, ErrorCode } from '../errors.js';

/** MLflow's error codes with the HTTP statuses its server answers them with. */
export const MLFLOW_STATUS = {
  INVALID_PARAMETER_VALUE: 400,
  RESOURCE_ALREADY_EXISTS: 400,
  INVALID_STATE: 400,
  BAD_REQUEST: 400,
  RESOURCE_DOES_NOT_EXIST: 404,
  ENDPOINT_NOT_FOUND: 404,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  RESOURCE_EXHAUSTED: 429,
  /**
   * Stored bytes that do not match their seal. MLflow's own server answers
   * DATA_LOSS with 500, which MLflow's client retries for minutes; refused
   * bytes will not heal on a retry, so Pedigree answers 409, which it does
   * not retry.
   */
  DATA_LOSS: 409,
  NOT_IMPLEMENTED: 501,
  INTERNAL_ERROR: 500,
  TEMPORARILY_UNAVAILABLE: 503,
} as const;
export type MlflowErrorCode = keyof typeof MLFLOW_STATUS;

export class MlflowError extends Error {
  constructor(
    readonly errorCode: MlflowErrorCode,
    message: string,
    /** Overrides the code's usual status (an upload over a size limit or quota is 413). */
    private readonly statusOverride?: number,
  ) {
    super(message);
  }
  get status(): number {
    return this.statusOverride ?? MLFLOW_STATUS[this.errorCode];
  }
}

/**
 * A Pedigree DomainError as MLflow reports it. CONFLICT is "already exists"
 * on create paths (the service marks those with details.mlflow or
 * field 'name'/'newName'), otherwise INVALID_STATE; a gate or protected alias
 * refusal is PERMISSION_DENIED for alias moves and INVALID_STATE for stages.
 * A checksum refused at registration is INVALID_PARAMETER_VALUE; stored bytes
 * refused on a read (details.served) are DATA_LOSS. An artifact over a size
 * limit or quota (details.tooLarge) is RESOURCE_EXHAUSTED with HTTP 413: the
 * client gives up at once instead of retrying as it does on 429.
 */
export function toMlflowError(err: unknown): MlflowError | null {
  if (err instanceof MlflowError) return err;
  if (!(err instanceof DomainError)) return null;
  switch (err.code) {
    case ErrorCode.BAD_USER_INPUT:
      return new MlflowError('INVALID_PARAMETER_VALUE', err.message);
    case ErrorCode.CHECKSUM_MISMATCH:
      return new MlflowError(err.details.served ? 'DATA_LOSS' : 'INVALID_PARAMETER_VALUE', err.message);
    case ErrorCode.NOT_FOUND:
      return new MlflowError('RESOURCE_DOES_NOT_EXIST', err.message);
    case ErrorCode.CONFLICT:
      return new MlflowError(
        /already exists/.test(err.message) ? 'RESOURCE_ALREADY_EXISTS' : 'INVALID_STATE',
        err.message,
      );
    case ErrorCode.UNAUTHENTICATED:
      return new MlflowError('UNAUTHENTICATED', err.message);
    case ErrorCode.FORBIDDEN:
      return new MlflowError('PERMISSION_DENIED', err.message);
    case ErrorCode.GATE_FAILED:
      // Governance said no (a protected alias, or taking a version out of CANARY/PRODUCTION without the role): a
      // permission.
      return new MlflowError(
        err.details.kind === 'alias' || err.details.gate === 'stage-exit' ? 'PERMISSION_DENIED' : 'INVALID_STATE',
        err.message,
      );
    case ErrorCode.LIMIT_EXCEEDED:
      return new MlflowError('RESOURCE_EXHAUSTED', err.message, err.details.tooLarge ? 413 : undefined);
    case ErrorCode.UNAVAILABLE:
      // 503: MLflow's client retries it (the database is unreachable, or a consistency token is not applied here yet).
      return new MlflowError('TEMPORARILY_UNAVAILABLE', err.message);
  }
  return null;
}
