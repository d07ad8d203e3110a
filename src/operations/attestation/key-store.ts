/**
 * Private signing keys at rest. With a secret (PEDIGREE_SIGNING_SECRET) the
 * PKCS#8 PEM is sealed (src/crypto/sealed.ts: AES-256-GCM, scrypt, bound
 * to the key id) and stored in the graph.
 * Without one, the PEM is written to a 0600 file under the data directory and
 * the graph keeps only its file name.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir } from '../../private-dir.js';
import { seal, unseal } from '../../crypto/sealed.js';

export function sealPrivateKey(pem: string, secret: string, keyid: string): string {
  return seal(pem, secret, keyid);
}

/** @throws Error when the secret is wrong or the sealed text was altered. */
export function openPrivateKey(sealed: string, secret: string, keyid: string): string {
  if (!sealed.startsWith('v1:')) throw new Error(`sealed signing key has unknown format "${sealed.split(':')[0]}"`);
  const pem = unseal(sealed, secret, keyid);
  if (pem === null)
    throw new Error(
      `cannot decrypt signing key ${keyid}: PEDIGREE_SIGNING_SECRET differs from the one it was sealed with`,
    );
  return pem;
}

/** The file a key's private half lives in without a secret: `<dataDir>/signing-keys/<hex>.pem`. */
export function keyFileName(keyid: string): string {
  return `${keyid.replace(/^sha256:/, '')}.pem`;
}

/** `<dataDir>/signing-keys`: 0700, like every data directory. */
export function signingKeyDir(dataDir: string): string {
  return join(dataDir, 'signing-keys');
}

export function writeKeyFile(dataDir: string, keyid: string, pem: string): string {
  const dir = signingKeyDir(dataDir);
  ensurePrivateDir(dir);
  const file = keyFileName(keyid);
  const path = join(dir, file);
  writeFileSync(path, pem, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return file;
}

export function readKeyFile(dataDir: string, file: string): string {
  if (!/^[0-9a-f]{64}\.pem$/.test(file)) throw new Error(`bad signing key file name "${file}"`);
  return readFileSync(join(signingKeyDir(dataDir), file), 'utf8');
}
