/**
 * Verifies a DSSE envelope IN THE BROWSER, with WebCrypto's Ed25519, against
 * the public keys the server lists (signingKeys): the badge is computed here,
 * not taken from the server's verifyAttestation. Each key's id is checked
 * against its key material (keyid = "sha256:" + hex SHA-256 of the SPKI DER),
 * each signature against the DSSE pre-authentication encoding of the payload.
 *
 * Verified means: the payload is an in-toto Statement v1; Pedigree's own key
 * signed it; and, when the statement records a promotion, every approver it
 * names signed it with the key Pedigree keeps for them.
 */

export interface SigningKey {
  keyid: string;
  publicKey: string;
  algorithm: string;
  /** null: Pedigree's own key. */
  principal: string | null;
}

export interface Verification {
  verified: boolean;
  /** Why not, when not verified. */
  reason: string | null;
  /** Who signed, by the keys that verified: "Pedigree" or the approver's name. */
  signers: string[];
  /** The statement's subject digest ("sha256:…"), when the payload parsed. */
  subjectDigest: string | null;
  subjectName: string | null;
  /** The decoded statement, for reading. */
  statement: Record<string, unknown> | null;
  /** The promotion the statement records, if any. */
  promotion: { requestId?: string; rule?: string; target?: Record<string, string>; approvers?: string[] } | null;
}

const IN_TOTO = 'application/vnd.in-toto+json';
const STATEMENT_V1 = 'https://in-toto.io/Statement/v1';
const enc = new TextEncoder();

/** DSSE v1 pre-authentication encoding: "DSSEv1" SP len(type) SP type SP len(body) SP body (lengths in bytes). */
export function pae(payloadType: string, payload: Uint8Array): Uint8Array<ArrayBuffer> {
  const type = enc.encode(payloadType);
  const parts = [enc.encode(`DSSEv1 ${type.length} `), type, enc.encode(` ${payload.length} `), payload];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Standard or URL-safe base64, padded or not; null when it is not base64. */
export function fromBase64(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text)) return null;
  const std = text.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  if (std.length % 4 === 1) return null;
  try {
    const bin = atob(std + '='.repeat((4 - (std.length % 4)) % 4));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

const hex = (bytes: ArrayBuffer) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');

function pemToDer(pem: string): Uint8Array<ArrayBuffer> | null {
  const body = pem.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, '').replace(/\s+/g, '');
  return fromBase64(body);
}

const fail = (reason: string, partial: Partial<Verification> = {}): Verification => ({
  verified: false,
  reason,
  signers: [],
  subjectDigest: null,
  subjectName: null,
  statement: null,
  promotion: null,
  ...partial,
});

export async function verifyEnvelope(envelopeText: string, keys: readonly SigningKey[]): Promise<Verification> {
  if (!globalThis.crypto?.subtle)
    return fail(
      'this page has no WebCrypto (browsers offer it only over HTTPS or on localhost), so it cannot check signatures',
    );
  let env: { payload?: unknown; payloadType?: unknown; signatures?: unknown };
  try {
    env = JSON.parse(envelopeText);
  } catch {
    return fail('the envelope is not JSON');
  }
  if (typeof env.payload !== 'string' || typeof env.payloadType !== 'string' || !Array.isArray(env.signatures)) {
    return fail('the envelope needs payload, payloadType and signatures');
  }
  const payload = fromBase64(env.payload);
  if (!payload) return fail('the payload is not base64');
  let statement: Record<string, unknown> | null = null;
  try {
    statement = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload)) as Record<string, unknown>;
  } catch {
    statement = null;
  }
  const subject = Array.isArray(statement?.subject)
    ? (statement!.subject[0] as { name?: string; digest?: { sha256?: string } } | undefined)
    : undefined;
  const predicate = (statement?.predicate ?? null) as { promotion?: Verification['promotion'] } | null;
  const partial: Partial<Verification> = {
    statement,
    subjectDigest: subject?.digest?.sha256 ? `sha256:${subject.digest.sha256}` : null,
    subjectName: subject?.name ?? null,
    promotion: predicate?.promotion ?? null,
  };

  // Each listed key, imported only when its id is the hash of its own bytes.
  const trusted = new Map<string, { key: CryptoKey; principal: string | null }>();
  for (const k of keys) {
    if (k.algorithm.toLowerCase() !== 'ed25519') continue;
    const der = pemToDer(k.publicKey);
    if (!der) continue;
    if (`sha256:${hex(await crypto.subtle.digest('SHA-256', der))}` !== k.keyid) continue;
    try {
      trusted.set(k.keyid, {
        key: await crypto.subtle.importKey('spki', der, { name: 'Ed25519' }, false, ['verify']),
        principal: k.principal,
      });
    } catch {
      // not an Ed25519 SPKI key: it verifies nothing
    }
  }

  const message = pae(env.payloadType, payload);
  const signedBy = new Set<string | null>();
  for (const s of env.signatures as { keyid?: unknown; sig?: unknown }[]) {
    if (typeof s?.sig !== 'string') continue;
    const sig = fromBase64(s.sig);
    if (!sig) continue;
    const candidates =
      typeof s.keyid === 'string' && s.keyid
        ? [trusted.get(s.keyid)].filter((x) => x !== undefined)
        : [...trusted.values()];
    for (const c of candidates) {
      if (await crypto.subtle.verify({ name: 'Ed25519' }, c.key, sig, message)) signedBy.add(c.principal);
    }
  }
  const signers = [...signedBy]
    .map((p) => p ?? 'Pedigree')
    .sort((a, b) => (a === 'Pedigree' ? -1 : b === 'Pedigree' ? 1 : a.localeCompare(b)));
  const done = { ...partial, signers };
  if (env.payloadType !== IN_TOTO)
    return fail(`payloadType is ${JSON.stringify(env.payloadType)}, not ${IN_TOTO}`, done);
  if (!statement || statement._type !== STATEMENT_V1) return fail('the payload is not an in-toto Statement v1', done);
  if (!signedBy.has(null))
    return fail(
      signedBy.size
        ? "Pedigree's key did not sign this payload (only approvers' keys did)"
        : 'no signature verifies against the listed keys: the envelope was changed, or was not signed by these keys',
      done,
    );
  const missing = (partial.promotion?.approvers ?? []).filter((a) => !signedBy.has(a));
  if (missing.length) return fail(`the promotion's approvers ${missing.join(', ')} did not sign it`, done);
  return { verified: true, reason: null, ...done, signers } as Verification;
}
