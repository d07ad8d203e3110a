/**
 * Private signing keys at rest. With a secret (PEDIGREE_SIGNING_SECRET) the
 * PKCS#8 PEM is sealed with AES-256-GCM under a key derived by scrypt from the
 * secret and a per-key salt, bound to the key id, and stored in the graph.
 * Without one, the PEM is written to a 0600 file under the data directory and
 * the graph keeps only its file name.
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const VERSION = 'v1';

export function sealPrivateKey(pem: string, secret: string, keyid: string): string {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const key = scryptSync(secret, salt, 32);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(keyid, 'utf8'));
  const body = Buffer.concat([cipher.update(pem, 'utf8'), cipher.final()]);
  return `${VERSION}:${Buffer.concat([salt, iv, cipher.getAuthTag(), body]).toString('base64')}`;
}

/** @throws Error when the secret is wrong or the sealed text was altered. */
export function openPrivateKey(sealed: string, secret: string, keyid: string): string {
  const [version, b64] = sealed.split(':');
  if (version !== VERSION || !b64) throw new Error(`sealed signing key has unknown format "${version}"`);
  const raw = Buffer.from(b64, 'base64');
  const salt = raw.subarray(0, 16);
  const iv = raw.subarray(16, 28);
  const tag = raw.subarray(28, 44);
  const body = raw.subarray(44);
  const decipher = createDecipheriv('aes-256-gcm', scryptSync(secret, salt, 32), iv);
  decipher.setAAD(Buffer.from(keyid, 'utf8'));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  } catch {
    throw new Error(`cannot decrypt signing key ${keyid}: PEDIGREE_SIGNING_SECRET differs from the one it was sealed with`);
  }
}

/** The file a key's private half lives in without a secret: `<dataDir>/signing-keys/<hex>.pem`. */
export function keyFileName(keyid: string): string {
  return `${keyid.replace(/^sha256:/, '')}.pem`;
}

export function writeKeyFile(dataDir: string, keyid: string, pem: string): string {
  const dir = join(dataDir, 'signing-keys');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = keyFileName(keyid);
  const path = join(dir, file);
  writeFileSync(path, pem, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return file;
}

export function readKeyFile(dataDir: string, file: string): string {
  if (!/^[0-9a-f]{64}\.pem$/.test(file)) throw new Error(`bad signing key file name "${file}"`);
  return readFileSync(join(dataDir, 'signing-keys', file), 'utf8');
}
