import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalFingerprintText, computeFingerprint } from '../../src/registry/fingerprint.js';

const base = {
  codeCommit: 'abc123',
  datasetHashes: ['sha256:bb', 'sha256:aa'],
  params: { lr: '0.1', epochs: '3' },
  seeds: [42, 7],
};

describe('computeFingerprint', () => {
  it('is sha256 over the documented canonical text', () => {
    const text = canonicalFingerprintText(base);
    expect(text).toBe(
      '["pedigree-fingerprint/v1","abc123",["sha256:aa","sha256:bb"],[["epochs","3"],["lr","0.1"]],[42,7]]',
    );
    expect(computeFingerprint(base)).toBe(`sha256:${createHash('sha256').update(text).digest('hex')}`);
    expect(computeFingerprint(base)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('accepts params as the JSON text stored on the Run node', () => {
    expect(computeFingerprint({ ...base, params: '{"lr":"0.1","epochs":"3"}' })).toBe(computeFingerprint(base));
  });

  it('ignores dataset order, duplicates and param key order', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string(), { maxLength: 6 }),
        fc.dictionary(fc.string(), fc.string()),
        fc.array(fc.integer()),
        (hashes, params, seeds) => {
          const shuffledHashes = [...hashes].reverse().concat(hashes.slice(0, 1));
          const shuffledParams = Object.fromEntries(Object.entries(params).reverse());
          const a = computeFingerprint({ codeCommit: 'c', datasetHashes: hashes, params, seeds });
          const b = computeFingerprint({
            codeCommit: 'c',
            datasetHashes: shuffledHashes,
            params: shuffledParams,
            seeds,
          });
          expect(a).toBe(b);
        },
      ),
    );
  });

  it('changes when any component changes', () => {
    const fp = computeFingerprint(base);
    expect(computeFingerprint({ ...base, codeCommit: 'abc124' })).not.toBe(fp);
    expect(computeFingerprint({ ...base, datasetHashes: ['sha256:aa'] })).not.toBe(fp);
    expect(computeFingerprint({ ...base, params: { lr: '0.2', epochs: '3' } })).not.toBe(fp);
    expect(computeFingerprint({ ...base, seeds: [7, 42] })).not.toBe(fp);
    expect(computeFingerprint({ ...base, seeds: [] })).not.toBe(fp);
  });

  it('treats missing parts as empty and does not confuse boundaries', () => {
    expect(computeFingerprint({ codeCommit: null, datasetHashes: [], params: null, seeds: null })).toBe(
      computeFingerprint({ codeCommit: undefined, datasetHashes: [], params: {}, seeds: [] }),
    );
    expect(computeFingerprint({ ...base, params: { a: 'b,c' } })).not.toBe(
      computeFingerprint({ ...base, params: { 'a,b': 'c' } }),
    );
  });

  it('rejects non-integer seeds and non-object params JSON', () => {
    expect(() => computeFingerprint({ ...base, seeds: [1.5] })).toThrow(/seeds/);
    expect(() => computeFingerprint({ ...base, params: '[1,2]' })).toThrow(/params/);
  });
});
