/**
 * in-toto Statement v1 (https://github.com/in-toto/attestation, spec/v1):
 * building, canonical serialisation, and signing/verifying in a DSSE
 * envelope with payloadType `application/vnd.in-toto+json`.
 */
import { signEnvelope, verifyEnvelope, type Envelope, type Signer, type TrustedKey } from './dsse.js';

export const STATEMENT_TYPE_V1 = 'https://in-toto.io/Statement/v1';
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
/** The predicate type of Pedigree's own provenance attestations. */
export const PEDIGREE_PREDICATE_TYPE = 'https://pedigree.dev/provenance/v1';

/** An artefact the statement is about, identified by its content digest. */
export interface Subject {
  name: string;
  /** Lowercase hex SHA-256 of the artefact's bytes. */
  digest: { sha256: string };
}

export interface Statement<P extends object = Record<string, unknown>> {
  _type: typeof STATEMENT_TYPE_V1;
  subject: Subject[];
  predicateType: string;
  predicate: P;
}

export interface BuildStatementInput<P extends object> {
  subjects: readonly Subject[];
  predicate: P;
  /** Default {@link PEDIGREE_PREDICATE_TYPE}. */
  predicateType?: string;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Builds an in-toto v1 Statement. Digests are accepted in either case and
 * stored lowercase (in-toto requires lowercase hex), so the same artefact
 * always yields the same bytes.
 *
 * @throws TypeError if there are no subjects, a name is empty, a digest is
 *   not 64 hex characters, the predicate type is empty, or the predicate is
 *   not a plain JSON object (see {@link canonicalJson}).
 */
export function buildStatement<P extends object>(input: BuildStatementInput<P>): Statement<P> {
  const predicateType = input.predicateType ?? PEDIGREE_PREDICATE_TYPE;
  if (input.subjects.length === 0) {
    throw new TypeError('buildStatement: at least one subject is required');
  }
  const subject = input.subjects.map((s, i): Subject => {
    if (typeof s.name !== 'string' || s.name.length === 0) {
      throw new TypeError(`buildStatement: subjects[${i}].name must be a non-empty string`);
    }
    const sha256 = typeof s.digest?.sha256 === 'string' ? s.digest.sha256.toLowerCase() : '';
    if (!SHA256_HEX.test(sha256)) {
      throw new TypeError(`buildStatement: subjects[${i}].digest.sha256 must be 64 hex characters`);
    }
    return { name: s.name, digest: { sha256 } };
  });
  if (typeof predicateType !== 'string' || predicateType.length === 0) {
    throw new TypeError('buildStatement: predicateType must be a non-empty string');
  }
  if (!isPlainObject(input.predicate)) {
    throw new TypeError('buildStatement: predicate must be a plain JSON object');
  }
  // Fail here, where the caller can see which value is wrong, rather than at
  // signing time.
  canonicalJson(input.predicate);
  return { _type: STATEMENT_TYPE_V1, subject, predicateType, predicate: input.predicate };
}

/**
 * Canonical JSON: object keys sorted recursively (by UTF-16 code unit, as
 * RFC 8785 orders them), no whitespace, ECMAScript number and string
 * formatting. Equal values always give identical text, which is what a
 * signature over the text needs.
 *
 * Object properties whose value is `undefined` are omitted, as
 * `JSON.stringify` does.
 *
 * @throws TypeError for anything without one obvious JSON form: non-finite
 *   numbers, bigint, functions, symbols, `undefined` array elements, class
 *   instances (Date, Map, Buffer, ...), and cycles. The message names the path.
 */
export function canonicalJson(value: unknown): string {
  return encode(value, '$', new Set());
}

/** The statement's canonical UTF-8 bytes: the DSSE payload. */
export function serializeStatement(statement: Statement<object>): Buffer {
  return Buffer.from(canonicalJson(statement), 'utf8');
}

/** Signs a statement into a DSSE envelope with payloadType {@link IN_TOTO_PAYLOAD_TYPE}. */
export function signStatement(statement: Statement<object>, signers: Signer[]): Envelope {
  return signEnvelope(IN_TOTO_PAYLOAD_TYPE, serializeStatement(statement), signers);
}

export interface VerifyStatementOptions {
  /** Distinct trusted keys required. Default 1. */
  threshold?: number;
  /** Predicate types the caller accepts. Default: only {@link PEDIGREE_PREDICATE_TYPE}. */
  predicateTypes?: readonly string[];
}

export interface VerifyStatementResult {
  valid: boolean;
  /** As `VerifyResult.signers`: only meaningful when `valid` is true. */
  signers: string[];
  /** Present only when `valid` is true. */
  statement?: Statement;
  reason?: string;
}

/**
 * Verifies a DSSE envelope and parses its payload as an in-toto v1 Statement.
 * Never throws. Valid only if the signatures meet the threshold, the payload
 * type is {@link IN_TOTO_PAYLOAD_TYPE}, the payload is a Statement v1 with at
 * least one subject carrying a SHA-256 digest, and its predicate type is
 * accepted. The payload need not be canonical: other tools' statements verify.
 */
export function verifyStatement(
  envelope: Envelope | string,
  trusted: TrustedKey[],
  options: VerifyStatementOptions = {},
): VerifyStatementResult {
  const result = verifyEnvelope(envelope, trusted, {
    threshold: options.threshold,
    payloadTypes: [IN_TOTO_PAYLOAD_TYPE],
  });
  if (!result.valid || result.payload === undefined) {
    return { valid: false, signers: result.signers, reason: result.reason ?? 'envelope did not verify' };
  }
  const parsed = parseStatement(result.payload);
  if (typeof parsed === 'string') return { valid: false, signers: result.signers, reason: parsed };
  const accepted = options.predicateTypes ?? [PEDIGREE_PREDICATE_TYPE];
  if (!accepted.includes(parsed.predicateType)) {
    return {
      valid: false,
      signers: result.signers,
      reason: `predicateType ${JSON.stringify(parsed.predicateType)} is not accepted`,
    };
  }
  return { valid: true, signers: result.signers, statement: parsed };
}

/** Returns the statement, or why the bytes are not one. */
function parseStatement(payload: Buffer): Statement | string {
  let value: unknown;
  try {
    value = JSON.parse(payload.toString('utf8'));
  } catch {
    return 'payload is not valid JSON';
  }
  if (!isPlainObject(value)) return 'statement must be a JSON object';
  const { _type, subject, predicateType, predicate } = value as Record<string, unknown>;
  if (_type !== STATEMENT_TYPE_V1) return `statement._type must be ${STATEMENT_TYPE_V1}`;
  if (!Array.isArray(subject) || subject.length === 0) return 'statement.subject must be a non-empty array';
  for (const [i, s] of subject.entries()) {
    if (!isPlainObject(s)) return `statement.subject[${i}] must be an object`;
    const { name, digest } = s as Record<string, unknown>;
    if (typeof name !== 'string') return `statement.subject[${i}].name must be a string`;
    if (!isPlainObject(digest)) return `statement.subject[${i}].digest must be an object`;
    const sha256 = (digest as Record<string, unknown>)['sha256'];
    if (typeof sha256 !== 'string' || !SHA256_HEX.test(sha256)) {
      return `statement.subject[${i}].digest.sha256 must be 64 lowercase hex characters`;
    }
  }
  if (typeof predicateType !== 'string' || predicateType.length === 0) {
    return 'statement.predicateType must be a non-empty string';
  }
  if (!isPlainObject(predicate)) return 'statement.predicate must be an object';
  return value as unknown as Statement;
}

function encode(value: unknown, path: string, ancestors: Set<object>): string {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${path} is ${value}, which JSON cannot hold`);
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw new TypeError(`canonicalJson: ${path} is a ${typeof value}, which JSON cannot hold`);
  }
  if (value === null) return 'null';
  if (ancestors.has(value)) throw new TypeError(`canonicalJson: ${path} is a cycle`);
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      const items = value.map((item: unknown, i) => {
        if (item === undefined) throw new TypeError(`canonicalJson: ${path}[${i}] is undefined`);
        return encode(item, `${path}[${i}]`, ancestors);
      });
      return `[${items.join(',')}]`;
    }
    if (!isPlainObject(value)) {
      const kind = (value as object).constructor?.name ?? 'object';
      throw new TypeError(`canonicalJson: ${path} is a ${kind}; convert it to plain JSON first`);
    }
    const record = value as Record<string, unknown>;
    const members: string[] = [];
    for (const key of Object.keys(record).sort()) {
      const member = record[key];
      if (member === undefined) continue;
      members.push(`${JSON.stringify(key)}:${encode(member, `${path}.${key}`, ancestors)}`);
    }
    return `{${members.join(',')}}`;
  } finally {
    ancestors.delete(value);
  }
}

function isPlainObject(value: unknown): value is object {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
