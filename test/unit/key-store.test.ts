import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportPrivateKeyPem, generateEd25519KeyPair, keyIdOf } from '../../src/operations/attestation/index.js';
import {
  openPrivateKey,
  readKeyFile,
  sealPrivateKey,
  writeKeyFile,
} from '../../src/operations/attestation/key-store.js';

describe('signing key storage', () => {
  const pair = generateEd25519KeyPair();
  const pem = exportPrivateKeyPem(pair.privateKey);
  const keyid = keyIdOf(pair.publicKey);

  it('seals with the secret and opens only with the same secret and key id', () => {
    const sealed = sealPrivateKey(pem, 'correct horse battery staple', keyid);
    expect(sealed).not.toContain('PRIVATE KEY');
    expect(openPrivateKey(sealed, 'correct horse battery staple', keyid)).toBe(pem);
    expect(() => openPrivateKey(sealed, 'wrong secret, sixteen+', keyid)).toThrow(/PEDIGREE_SIGNING_SECRET/);
    expect(() => openPrivateKey(sealed, 'correct horse battery staple', 'sha256:' + '0'.repeat(64))).toThrow();
  });

  it('without a secret writes a 0600 file under the data dir', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pedigree-keys-'));
    const file = writeKeyFile(dir, keyid, pem);
    expect(statSync(join(dir, 'signing-keys', file)).mode & 0o777).toBe(0o600);
    expect(readKeyFile(dir, file)).toBe(pem);
    expect(() => readKeyFile(dir, '../../etc/passwd')).toThrow(/bad signing key file/);
  });
});
