/**
 * Signed provenance: DSSE v1 envelopes around in-toto v1 Statements, signed
 * with Ed25519. Pure (node:crypto only): storing keys and attestations in the
 * graph happens elsewhere.
 */
export {
  MAX_ENVELOPE_BYTES,
  MAX_SIGNATURES,
  pae,
  signEnvelope,
  verifyEnvelope,
  type Envelope,
  type EnvelopeSignature,
  type Signer,
  type TrustedKey,
  type VerifyOptions,
  type VerifyResult,
} from './dsse.js';
export {
  IN_TOTO_PAYLOAD_TYPE,
  PEDIGREE_PREDICATE_TYPE,
  STATEMENT_TYPE_V1,
  buildStatement,
  canonicalJson,
  serializeStatement,
  signStatement,
  verifyStatement,
  type BuildStatementInput,
  type Statement,
  type Subject,
  type VerifyStatementOptions,
  type VerifyStatementResult,
} from './in-toto.js';
export {
  exportPrivateKeyPem,
  exportPublicKeyPem,
  generateEd25519KeyPair,
  importPrivateKeyPem,
  importPublicKeyPem,
  keyIdOf,
  signerFor,
  trustedKeyFor,
  type Ed25519KeyPair,
} from './keys.js';
