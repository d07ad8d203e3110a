/**
 * DSSE v1 (Dead Simple Signing Envelope) signing and verification, per
 * https://github.com/secure-systems-lab/dsse (protocol.md, envelope.md).
 *
 * Pure: node:crypto only, no I/O. Signing is Ed25519; verification accepts
 * Ed25519 and ECDSA P-256/SHA-256 so envelopes from other DSSE tools (and the
 * specification's own test vector) can be checked.
 */
import { createHash, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';

/** One signature in a JSON envelope. `keyid` is a hint for key selection, never trusted. */
export interface EnvelopeSignature {
  keyid: string;
  /** Base64 of the raw signature over `pae(payloadType, payload)`. */
  sig: string;
}

/**
 * The DSSE JSON envelope, in the field order DSSE documents, so
 * `JSON.stringify(envelope)` is the wire form.
 */
export interface Envelope {
  /** Base64 of SERIALIZED_BODY. */
  payload: string;
  payloadType: string;
  signatures: EnvelopeSignature[];
}

/** A private key that signs envelopes. `keyid` is written verbatim into each signature. */
export interface Signer {
  keyid: string;
  /** An Ed25519 private KeyObject. */
  privateKey: KeyObject;
}

/** A public key the verifier trusts; `keyid` is the name reported back in `VerifyResult.signers`. */
export interface TrustedKey {
  keyid: string;
  /** An Ed25519 or ECDSA P-256 public KeyObject. */
  publicKey: KeyObject;
}

export interface VerifyOptions {
  /**
   * How many distinct trusted keys must have signed (the `t` of a (t, n)
   * envelope). Default 1.
   */
  threshold?: number;
  /**
   * Payload types this caller can interpret. Default: any non-empty type.
   * Callers that parse the payload should always pass this, because the
   * signature binds the type and a type the caller does not expect means
   * the bytes are not what it thinks they are.
   */
  payloadTypes?: readonly string[];
}

/**
 * The outcome of verification. `payload` and `payloadType` are present only
 * when `valid` is true, so unauthenticated bytes are never handed out.
 */
export interface VerifyResult {
  valid: boolean;
  /**
   * Keyids (as given in the trusted list) of distinct trusted keys whose
   * signature verified. Reported even when `valid` is false (for example a
   * threshold not met), so only act on it when `valid` is true.
   */
  signers: string[];
  payloadType?: string;
  payload?: Buffer;
  /** Why `valid` is false. */
  reason?: string;
}

/** Inputs above this size are refused before parsing or decoding. */
export const MAX_ENVELOPE_BYTES = 1024 * 1024;

/**
 * Verification cost is signatures × candidate keys, so an attacker-supplied
 * envelope could otherwise buy seconds of CPU with thousands of signatures.
 */
export const MAX_SIGNATURES = 32;

const ED25519 = 'ed25519';
const P256 = 'prime256v1';
const P256_RAW_SIG_BYTES = 64;

/**
 * Pre-Authentication Encoding: the exact bytes every DSSE signature covers.
 * `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, where LEN is the
 * ASCII decimal byte length (of the UTF-8 type, not its character count).
 */
export function pae(payloadType: string, payload: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `, 'ascii'),
    type,
    Buffer.from(` ${payload.length} `, 'ascii'),
    payload,
  ]);
}

/**
 * Signs `payload` as `payloadType` with every signer, in order, and returns
 * the envelope (standard base64, with padding).
 *
 * @throws TypeError if `payloadType` is empty, there are no signers, or a
 *   signer's key is not an Ed25519 private key. These are programming
 *   errors, not bad user input.
 */
export function signEnvelope(payloadType: string, payload: Buffer, signers: Signer[]): Envelope {
  if (typeof payloadType !== 'string' || payloadType.length === 0) {
    throw new TypeError('signEnvelope: payloadType must be a non-empty string');
  }
  if (signers.length === 0) {
    throw new TypeError('signEnvelope: at least one signer is required');
  }
  const message = pae(payloadType, payload);
  const signatures = signers.map((signer, i): EnvelopeSignature => {
    const { keyid, privateKey } = signer;
    if (typeof keyid !== 'string') {
      throw new TypeError(`signEnvelope: signers[${i}].keyid must be a string`);
    }
    if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== ED25519) {
      throw new TypeError(
        `signEnvelope: signers[${i}] (${keyid}) must hold an Ed25519 private key, got ` +
          `${privateKey.type} ${privateKey.asymmetricKeyType ?? 'unknown'}`,
      );
    }
    return { keyid, sig: cryptoSign(null, message, privateKey).toString('base64') };
  });
  return { payload: payload.toString('base64'), payloadType, signatures };
}

/**
 * Verifies a DSSE envelope (an object, or its JSON text) against trusted keys.
 *
 * Contract:
 * - never throws; anything malformed (bad JSON, missing or non-string
 *   fields, invalid base64 in either alphabet, input over
 *   {@link MAX_ENVELOPE_BYTES}, more than {@link MAX_SIGNATURES} signatures)
 *   gives `valid: false` with a `reason`;
 * - accepts standard and URL-safe base64, padded or not;
 * - a signature's `keyid`, when both it and the trusted key have one, only
 *   narrows which keys are tried; a missing keyid tries every key;
 * - each trusted key counts once, however many signatures it made, so the
 *   threshold counts distinct keys (identical key material under two keyids
 *   also counts once);
 * - ECDSA P-256 signatures may be raw r||s (64 bytes, as in the DSSE spec's
 *   vector) or ASN.1 DER (as sigstore and most Go tools emit).
 */
export function verifyEnvelope(
  envelope: Envelope | string,
  trusted: TrustedKey[],
  options: VerifyOptions = {},
): VerifyResult {
  try {
    return verifyUnsafe(envelope, trusted, options);
  } catch (err) {
    // node:crypto throws on some malformed key/signature combinations; the
    // contract is "never throws", so any surprise becomes a refusal.
    return invalid(`verification failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

interface DecodedEnvelope {
  payloadType: string;
  payload: Buffer;
  signatures: Array<{ keyid: string | undefined; sig: Buffer }>;
}

function verifyUnsafe(envelope: unknown, trusted: readonly TrustedKey[], options: VerifyOptions): VerifyResult {
  const threshold = options.threshold ?? 1;
  if (!Number.isSafeInteger(threshold) || threshold < 1) {
    return invalid(`threshold must be a positive integer, got ${String(threshold)}`);
  }
  const decoded = decodeEnvelope(envelope);
  if (typeof decoded === 'string') return invalid(decoded);

  const message = pae(decoded.payloadType, decoded.payload);
  const accepted = new Map<string, string>(); // key fingerprint -> keyid reported
  for (const signature of decoded.signatures) {
    for (const key of trusted) {
      if (signature.keyid !== undefined && key.keyid && signature.keyid !== key.keyid) continue;
      if (!verifyOne(message, signature.sig, key.publicKey)) continue;
      const fingerprint = fingerprintOf(key.publicKey);
      if (!accepted.has(fingerprint)) accepted.set(fingerprint, key.keyid);
    }
  }
  // Counting distinct keyids as well as distinct key material keeps a
  // misconfigured trusted list (one keyid, two keys) from inflating the count.
  const signers = [...new Set(accepted.values())];

  if (signers.length === 0) {
    return { valid: false, signers, reason: 'no signature verified against a trusted key' };
  }
  if (signers.length < threshold) {
    return {
      valid: false,
      signers,
      reason: `need signatures from ${threshold} distinct trusted keys, got ${signers.length}`,
    };
  }
  // The spec checks the type after the signatures: a signed but unexpected
  // type is still a refusal, just a more informative one.
  if (options.payloadTypes !== undefined && !options.payloadTypes.includes(decoded.payloadType)) {
    return { valid: false, signers, reason: `payloadType ${JSON.stringify(decoded.payloadType)} is not accepted` };
  }
  return { valid: true, signers, payloadType: decoded.payloadType, payload: decoded.payload };
}

/** Returns the decoded envelope, or a reason it is malformed. */
function decodeEnvelope(input: unknown): DecodedEnvelope | string {
  let value: unknown = input;
  if (typeof input === 'string') {
    if (Buffer.byteLength(input, 'utf8') > MAX_ENVELOPE_BYTES) {
      return `envelope exceeds ${MAX_ENVELOPE_BYTES} bytes`;
    }
    try {
      value = JSON.parse(input);
    } catch {
      return 'envelope is not valid JSON';
    }
  }
  if (!isRecord(value)) return 'envelope must be a JSON object';

  const { payload, payloadType, signatures } = value;
  if (typeof payload !== 'string') return 'envelope.payload must be a string';
  if (typeof payloadType !== 'string') return 'envelope.payloadType must be a string';
  if (payloadType.length === 0) return 'envelope.payloadType must not be empty';
  if (!Array.isArray(signatures)) return 'envelope.signatures must be an array';
  if (signatures.length === 0) return 'envelope.signatures is empty';
  if (signatures.length > MAX_SIGNATURES) {
    return `envelope has ${signatures.length} signatures, more than ${MAX_SIGNATURES}`;
  }

  // Objects bypass the string-length check above, so bound them here too,
  // before decoding anything.
  let size = payload.length + payloadType.length;
  const entries: Array<{ keyid: string | undefined; sig: string }> = [];
  for (let i = 0; i < signatures.length; i++) {
    const entry: unknown = signatures[i];
    if (!isRecord(entry)) return `envelope.signatures[${i}] must be an object`;
    const { keyid, sig } = entry;
    if (typeof sig !== 'string') return `envelope.signatures[${i}].sig must be a string`;
    if (keyid !== undefined && typeof keyid !== 'string') {
      return `envelope.signatures[${i}].keyid must be a string when present`;
    }
    size += sig.length + (keyid?.length ?? 0);
    // DSSE lets empty fields be omitted, so "" and absent mean the same: no hint.
    entries.push({ keyid: keyid === '' ? undefined : keyid, sig });
  }
  if (size > MAX_ENVELOPE_BYTES) return `envelope exceeds ${MAX_ENVELOPE_BYTES} bytes`;

  const decodedSignatures: DecodedEnvelope['signatures'] = [];
  for (const [i, { keyid, sig }] of entries.entries()) {
    const sigBytes = decodeBase64(sig);
    if (sigBytes === undefined) return `envelope.signatures[${i}].sig is not valid base64`;
    decodedSignatures.push({ keyid, sig: sigBytes });
  }
  const payloadBytes = decodeBase64(payload);
  if (payloadBytes === undefined) return 'envelope.payload is not valid base64';
  return { payloadType, payload: payloadBytes, signatures: decodedSignatures };
}

const STANDARD_B64 = /^[A-Za-z0-9+/]*={0,2}$/;
const URL_SAFE_B64 = /^[A-Za-z0-9_-]*={0,2}$/;

/**
 * Strict base64 in either alphabet (the spec requires accepting both), padded
 * or not. Buffer.from alone silently skips junk characters, which would let
 * two different strings name the same payload; re-encoding rejects that.
 */
function decodeBase64(text: string): Buffer | undefined {
  const standard = STANDARD_B64.test(text);
  if (!standard && !URL_SAFE_B64.test(text)) return undefined;
  const unpadded = text.replace(/=+$/, '');
  if (unpadded.length % 4 === 1) return undefined;
  if (text.length !== unpadded.length && text.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(unpadded, standard ? 'base64' : 'base64url');
  const again = bytes.toString(standard ? 'base64' : 'base64url').replace(/=+$/, '');
  return again === unpadded ? bytes : undefined;
}

function verifyOne(message: Buffer, signature: Buffer, publicKey: KeyObject): boolean {
  if (publicKey.type !== 'public') return false;
  switch (publicKey.asymmetricKeyType) {
    case ED25519:
      return cryptoVerify(null, message, publicKey, signature);
    case 'ec': {
      if (publicKey.asymmetricKeyDetails?.namedCurve !== P256) return false;
      const dsaEncoding = signature.length === P256_RAW_SIG_BYTES ? 'ieee-p1363' : 'der';
      return cryptoVerify('sha256', message, { key: publicKey, dsaEncoding }, signature);
    }
    default:
      // Unsupported algorithms never verify rather than throw: a trusted list
      // may legitimately hold keys meant for other envelope formats.
      return false;
  }
}

function fingerprintOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ format: 'der', type: 'spki' }))
    .digest('hex');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(reason: string): VerifyResult {
  return { valid: false, signers: [], reason };
}
