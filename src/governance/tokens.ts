import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Every token starts with this, so leaked tokens are easy to grep for (secret scanners). */
export const TOKEN_PREFIX = 'pdg_';

/** A new token: 256 random bits, base64url, prefixed. Shown once; only its hash is stored. */
export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** What is stored and looked up: hex SHA-256 of the whole token string. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Constant-time comparison of two tokens (by their hashes, so lengths always match). */
export function sameToken(a: string, b: string): boolean {
  return timingSafeEqual(Buffer.from(hashToken(a), 'hex'), Buffer.from(hashToken(b), 'hex'));
}

/**
 * The token of an `Authorization` value: `Bearer <token>` (scheme
 * case-insensitive). `undefined` when the value is absent, `null` when it is
 * present but malformed.
 */
export function parseBearer(value: unknown): string | null | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') return null;
  const m = /^Bearer[ ]+([A-Za-z0-9._~+/=-]{16,512})\s*$/i.exec(value);
  return m ? m[1]! : null;
}
