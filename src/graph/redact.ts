/**
 * What the executor's debug log may show of a statement's parameters.
 *
 * The rule, applied at every depth of objects and arrays:
 * - a key that names secret material ({@link SECRET_KEY}: secret, password,
 *   passphrase, token, authorization, cookie, credential, signature, private
 *   key parts, API keys, sealed values) has its value, whatever its type,
 *   replaced by {@link REDACTED};
 * - a key named `url` (webhook targets, which carry credentials in their path
 *   and query) keeps only the URL's origin;
 * - a string holding a JSON object or array (event payloads travel as JSON
 *   text: a WEBHOOK_CREATED event carries the webhook's url) is read and
 *   redacted by the same rule, and logged as the redacted value;
 * - arrays show their first {@link MAX_ITEMS} items and how many more there
 *   are (a 10,000-prediction batch is not worth a log line of its size);
 *   nesting below {@link MAX_DEPTH} shows as `[…]`.
 * Other values are logged as they are: names, ids, tag keys, hashes of
 * content. A token's SHA-256 (`$hash` of the token statements) is a lookup
 * key for a 256-bit random secret, not the secret, and stays.
 */
export const SECRET_KEY =
  /secret|passw(or)?d|passphrase|token|authori[sz]ation|cookie|credential|signature|private|api_?key|sealed/i;
export const REDACTED = '[redacted]';
const MAX_ITEMS = 20;
const MAX_DEPTH = 6;
const MAX_JSON_TEXT = 64 * 1024;

export function redactParams(params: Record<string, unknown>): Record<string, unknown> {
  return redactObject(params, 0);
}

function redactObject(o: Record<string, unknown>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (SECRET_KEY.test(k)) out[k] = v === null || v === undefined ? v : REDACTED;
    else if (k === 'url' && typeof v === 'string') out[k] = originOf(v);
    else out[k] = redactValue(v, depth + 1);
  }
  return out;
}

function redactValue(v: unknown, depth: number): unknown {
  if (typeof v === 'string') return redactJsonText(v, depth);
  if (v === null || typeof v !== 'object') return v;
  if (depth > MAX_DEPTH) return '[…]';
  if (Array.isArray(v)) {
    const shown = v.slice(0, MAX_ITEMS).map((x) => redactValue(x, depth + 1));
    return v.length > MAX_ITEMS ? [...shown, `… ${v.length - MAX_ITEMS} more`] : shown;
  }
  // Plain records only: driver values (Integer, temporals) have no secrets and print themselves.
  if (Object.getPrototypeOf(v) !== Object.prototype) return v;
  return redactObject(v as Record<string, unknown>, depth);
}

function redactJsonText(s: string, depth: number): unknown {
  const first = s.charCodeAt(0);
  if ((first !== 0x7b && first !== 0x5b) || s.length > MAX_JSON_TEXT) return s; // '{' or '['
  let parsed: unknown;
  try {
    parsed = JSON.parse(s);
  } catch {
    return s;
  }
  return typeof parsed === 'object' && parsed !== null ? redactValue(parsed, depth) : s;
}

function originOf(url: string): string {
  try {
    const u = new URL(url);
    return u.origin !== 'null' ? `${u.origin}/…` : `${u.protocol}…`;
  } catch {
    return REDACTED;
  }
}
