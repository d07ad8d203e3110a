import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { DomainError, ErrorCode } from '../../errors.js';

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com, spec v1.0.0,
 * symmetric scheme): HMAC-SHA256 over `{webhook-id}.{webhook-timestamp}.{body}`,
 * sent as `webhook-signature: v1,<base64>`; several space-separated signatures
 * let an endpoint rotate its secret without downtime.
 */

export const WEBHOOK_SECRET_PREFIX = 'whsec_';
const MIN_SECRET_BYTES = 24;
// The spec caps symmetric secrets at 512 bits.
const MAX_SECRET_BYTES = 64;
const DEFAULT_SECRET_BYTES = 32;
const SIGNATURE_VERSION = 'v1';

// A type alias, not an interface, so it is assignable to plain header records and HeadersInit.
export type WebhookHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

/** A fresh secret: `whsec_` + base64 of `bytes` (default 32, at least 24) random bytes. */
export function generateWebhookSecret(bytes = DEFAULT_SECRET_BYTES): string {
  if (!Number.isInteger(bytes) || bytes < MIN_SECRET_BYTES || bytes > MAX_SECRET_BYTES) {
    throw new RangeError(`webhook secret length must be ${MIN_SECRET_BYTES}..${MAX_SECRET_BYTES} bytes, got ${bytes}`);
  }
  return WEBHOOK_SECRET_PREFIX + randomBytes(bytes).toString('base64');
}

/**
 * The HMAC key inside a `whsec_` secret. Throws BAD_USER_INPUT unless the part
 * after the prefix is canonical base64 of 24..64 bytes (Buffer's decoder skips
 * junk silently, so the round trip is what proves the text was base64).
 */
export function parseWebhookSecret(secret: string): Buffer {
  const contract = `webhook secret must be "${WEBHOOK_SECRET_PREFIX}" followed by base64 of ${MIN_SECRET_BYTES}..${MAX_SECRET_BYTES} bytes`;
  if (typeof secret !== 'string' || !secret.startsWith(WEBHOOK_SECRET_PREFIX)) {
    throw new DomainError(ErrorCode.BAD_USER_INPUT, `${contract}; the prefix is missing`);
  }
  const encoded = secret.slice(WEBHOOK_SECRET_PREFIX.length);
  const key = Buffer.from(encoded, 'base64');
  if (key.toString('base64') !== encoded) {
    throw new DomainError(ErrorCode.BAD_USER_INPUT, `${contract}; the rest is not canonical base64`);
  }
  if (key.length < MIN_SECRET_BYTES || key.length > MAX_SECRET_BYTES) {
    throw new DomainError(ErrorCode.BAD_USER_INPUT, `${contract}; got ${key.length} bytes`);
  }
  return key;
}

export interface SignWebhookInput {
  /** Unique per event and stable across retries (receivers use it as an idempotency key). No `.` or whitespace. */
  id: string;
  /** Time of this attempt: integer unix seconds, or a Date (truncated to seconds). */
  timestamp: number | Date;
  /** The exact bytes that will be sent. */
  body: string | Uint8Array;
  /** One secret, or several during a rotation: each yields one signature. */
  secret: string | readonly string[];
}

/** Headers for one delivery attempt. Throws on an id or timestamp that would make the signed content ambiguous. */
export function signWebhook({ id, timestamp, body, secret }: SignWebhookInput): WebhookHeaders {
  // The spec forbids `.` in the id: it delimits the signed content.
  if (!/^[^\s.]+$/.test(id)) {
    throw new Error(`webhook id must be non-empty with no "." or whitespace, got ${JSON.stringify(id)}`);
  }
  const seconds = timestamp instanceof Date ? Math.floor(timestamp.getTime() / 1000) : timestamp;
  if (!Number.isSafeInteger(seconds) || seconds < 0) {
    throw new Error(`webhook timestamp must be non-negative integer unix seconds, got ${String(timestamp)}`);
  }
  const ts = String(seconds);
  const secrets = typeof secret === 'string' ? [secret] : secret;
  if (secrets.length === 0) throw new Error('signWebhook needs at least one secret');
  const signatures = secrets.map(
    (s) => `${SIGNATURE_VERSION},${hmac(parseWebhookSecret(s), id, ts, body).toString('base64')}`,
  );
  return { 'webhook-id': id, 'webhook-timestamp': ts, 'webhook-signature': signatures.join(' ') };
}

/** Header bags as Node (`IncomingHttpHeaders`) or fetch (`Headers`) give them; names match case-insensitively. */
export type HeaderSource = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

export interface VerifyWebhookOptions {
  /** How far `webhook-timestamp` may be from `now`, either way. Default 300 (5 minutes). */
  toleranceSeconds?: number;
  /** The receiver's clock. Default `new Date()`. */
  now?: Date;
}

export type VerifyWebhookResult = { ok: true; id: string; timestamp: number } | { ok: false; reason: string };

/**
 * Checks one received webhook. Never throws on bad input from the wire: a
 * failure comes back as `{ ok: false, reason }` (for logs; do not echo it to
 * the sender). Passes when any `v1` signature in the header matches; other
 * versions (`v1a`, future ones) are skipped. A malformed secret throws, since
 * that is the receiver's own configuration.
 */
export function verifyWebhook(
  headers: HeaderSource,
  body: string | Uint8Array,
  secret: string,
  { toleranceSeconds = 300, now = new Date() }: VerifyWebhookOptions = {},
): VerifyWebhookResult {
  const key = parseWebhookSecret(secret);
  const id = header(headers, 'webhook-id');
  const ts = header(headers, 'webhook-timestamp');
  const sig = header(headers, 'webhook-signature');
  if (!id) return { ok: false, reason: 'missing webhook-id header' };
  if (!ts) return { ok: false, reason: 'missing webhook-timestamp header' };
  if (!sig) return { ok: false, reason: 'missing webhook-signature header' };

  if (!/^\d{1,15}$/.test(ts)) return { ok: false, reason: 'webhook-timestamp is not integer unix seconds' };
  const timestamp = Number(ts);
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (timestamp < nowSeconds - toleranceSeconds) return { ok: false, reason: 'webhook-timestamp is too old' };
  if (timestamp > nowSeconds + toleranceSeconds) return { ok: false, reason: 'webhook-timestamp is in the future' };

  const expected = hmac(key, id, ts, body);
  let matched = false;
  for (const entry of sig.split(' ')) {
    const comma = entry.indexOf(',');
    if (comma < 0 || entry.slice(0, comma) !== SIGNATURE_VERSION) continue;
    const given = Buffer.from(entry.slice(comma + 1), 'base64');
    // Lengths are public (always 32 bytes for v1); only the bytes need constant time.
    // No early exit either, so timing does not reveal which entry matched.
    if (given.length === expected.length && timingSafeEqual(given, expected)) matched = true;
  }
  return matched ? { ok: true, id, timestamp } : { ok: false, reason: 'no matching v1 signature' };
}

function hmac(key: Buffer, id: string, ts: string, body: string | Uint8Array): Buffer {
  return createHmac('sha256', key).update(`${id}.${ts}.`).update(body).digest();
}

function header(headers: HeaderSource, name: string): string | undefined {
  if (typeof Headers !== 'undefined' && headers instanceof Headers) return headers.get(name) ?? undefined;
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  for (const [k, v] of Object.entries(record)) {
    if (k.toLowerCase() !== name) continue;
    // A repeated header is suspicious, not mergeable: refuse rather than guess.
    if (typeof v === 'string') return v;
    return v?.length === 1 ? v[0] : undefined;
  }
  return undefined;
}
