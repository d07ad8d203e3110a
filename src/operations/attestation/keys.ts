/**
 * Ed25519 key helpers for attestation signing: generation, PEM import and
 * export, and a stable key id. No storage: persisting keys is the graph
 * layer's job.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { Signer, TrustedKey } from './dsse.js';

export interface Ed25519KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

const PUBLIC_PEM_LABEL = /^-----BEGIN PUBLIC KEY-----\r?\n/;
const PRIVATE_PEM_LABEL = /^-----BEGIN PRIVATE KEY-----\r?\n/;

/** Generates a fresh Ed25519 key pair from the operating system's CSPRNG. */
export function generateEd25519KeyPair(): Ed25519KeyPair {
  return generateKeyPairSync('ed25519');
}

/** Exports an Ed25519 private key as an unencrypted PKCS#8 PEM ("BEGIN PRIVATE KEY"). */
export function exportPrivateKeyPem(privateKey: KeyObject): string {
  assertEd25519(privateKey, 'private', 'exportPrivateKeyPem');
  return privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

/**
 * Exports a public key as an SPKI PEM ("BEGIN PUBLIC KEY"). Given a private
 * key, exports its public half, so a key pair never needs to be carried
 * around just to publish it.
 */
export function exportPublicKeyPem(key: KeyObject): string {
  return toPublic(key).export({ format: 'pem', type: 'spki' }).toString();
}

/**
 * Imports an unencrypted PKCS#8 PEM holding an Ed25519 private key.
 *
 * @throws TypeError if the text is not a PKCS#8 PEM or the key is not Ed25519.
 */
export function importPrivateKeyPem(pem: string): KeyObject {
  if (!PRIVATE_PEM_LABEL.test(pem.trimStart())) {
    throw new TypeError('importPrivateKeyPem: expected a PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----")');
  }
  const key = createPrivateKey({ key: pem, format: 'pem' });
  assertEd25519(key, 'private', 'importPrivateKeyPem');
  return key;
}

/**
 * Imports an SPKI PEM public key: Ed25519, or ECDSA P-256 (verification
 * only, for envelopes signed by other DSSE tools).
 *
 * @throws TypeError if the text is not an SPKI PEM or holds another algorithm.
 *   A private-key PEM is refused, although node:crypto would derive its
 *   public half, because a private key where a public one belongs is a leak
 *   waiting to happen.
 */
export function importPublicKeyPem(pem: string): KeyObject {
  if (!PUBLIC_PEM_LABEL.test(pem.trimStart())) {
    throw new TypeError('importPublicKeyPem: expected an SPKI PEM ("-----BEGIN PUBLIC KEY-----")');
  }
  const key = createPublicKey({ key: pem, format: 'pem' });
  const isP256 = key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
  if (key.asymmetricKeyType !== 'ed25519' && !isP256) {
    throw new TypeError(
      `importPublicKeyPem: expected an Ed25519 or ECDSA P-256 key, got ${key.asymmetricKeyType ?? 'unknown'}`,
    );
  }
  return key;
}

/**
 * The key id Pedigree writes into signatures: `"sha256:"` + lowercase hex
 * SHA-256 of the public key's SPKI DER. Derived from the key itself, so
 * anyone holding the public key can recompute it; a private key gives the id
 * of its public half.
 */
export function keyIdOf(key: KeyObject): string {
  const der = toPublic(key).export({ format: 'der', type: 'spki' });
  return `sha256:${createHash('sha256').update(der).digest('hex')}`;
}

/** A {@link Signer} for an Ed25519 private key, with keyid {@link keyIdOf}. */
export function signerFor(privateKey: KeyObject): Signer {
  assertEd25519(privateKey, 'private', 'signerFor');
  return { keyid: keyIdOf(privateKey), privateKey };
}

/** A {@link TrustedKey} for a public key, with keyid {@link keyIdOf}. */
export function trustedKeyFor(publicKey: KeyObject): TrustedKey {
  if (publicKey.type !== 'public') {
    throw new TypeError(`trustedKeyFor: expected a public key, got a ${publicKey.type} key`);
  }
  return { keyid: keyIdOf(publicKey), publicKey };
}

function toPublic(key: KeyObject): KeyObject {
  if (key.type === 'public') return key;
  if (key.type === 'private') return createPublicKey(key);
  throw new TypeError('expected an asymmetric key, got a secret (symmetric) key');
}

function assertEd25519(key: KeyObject, type: 'private' | 'public', fn: string): void {
  if (key.type !== type || key.asymmetricKeyType !== 'ed25519') {
    throw new TypeError(
      `${fn}: expected an Ed25519 ${type} key, got ${key.type} ${key.asymmetricKeyType ?? 'unknown'}`,
    );
  }
}
