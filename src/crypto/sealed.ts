/**
 * Secrets at rest: text sealed with AES-256-GCM under a key derived by scrypt
 * from PEDIGREE_SIGNING_SECRET and a per-item salt, and bound to a context
 * (what the text is, e.g. a key id or a webhook id) so a sealed value moved to
 * another record does not open. Used for signing keys' private halves and
 * webhook secrets. Format: `v1:` + base64(salt 16 | iv 12 | tag 16 | body).
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';

const VERSION = 'v1';

export function seal(text: string, secret: string, context: string): string {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', scryptSync(secret, salt, 32), iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
  return `${VERSION}:${Buffer.concat([salt, iv, cipher.getAuthTag(), body]).toString('base64')}`;
}

/** The sealed text, or null when the secret or context is wrong or the value was altered. */
export function unseal(sealed: string, secret: string, context: string): string | null {
  const [version, b64] = sealed.split(':');
  if (version !== VERSION || !b64) return null;
  const raw = Buffer.from(b64, 'base64');
  if (raw.length < 44) return null;
  const decipher = createDecipheriv('aes-256-gcm', scryptSync(secret, raw.subarray(0, 16), 32), raw.subarray(16, 28));
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(raw.subarray(28, 44));
  try {
    return Buffer.concat([decipher.update(raw.subarray(44)), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}
