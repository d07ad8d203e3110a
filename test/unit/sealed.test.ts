import { describe, expect, it } from 'vitest';
import { seal, unseal } from '../../src/crypto/sealed.js';

describe('secrets at rest', () => {
  const secret = 'correct horse battery staple';
  it('opens only with the same secret and context, and not once altered', () => {
    const sealed = seal('whsec_abc', secret, 'webhook-1');
    expect(sealed).toMatch(/^v1:/);
    expect(sealed).not.toContain('whsec_abc');
    expect(unseal(sealed, secret, 'webhook-1')).toBe('whsec_abc');
    expect(unseal(sealed, 'another secret, sixteen+', 'webhook-1')).toBeNull();
    expect(unseal(sealed, secret, 'webhook-2')).toBeNull();
    const raw = Buffer.from(sealed.slice(3), 'base64');
    raw.writeUInt8(raw.readUInt8(raw.length - 1) ^ 1, raw.length - 1);
    expect(unseal(`v1:${raw.toString('base64')}`, secret, 'webhook-1')).toBeNull();
    expect(unseal('v2:AAAA', secret, 'webhook-1')).toBeNull();
    expect(unseal('v1:AAAA', secret, 'webhook-1')).toBeNull();
  });
  it('seals the same text differently each time (fresh salt and iv)', () => {
    expect(seal('x', secret, 'c')).not.toBe(seal('x', secret, 'c'));
  });
});
