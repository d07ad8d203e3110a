import neo4j from 'neo4j-driver';
import { describe, expect, it } from 'vitest';
import { REDACTED, redactParams, SECRET_KEY } from '../../src/graph/redact.js';

describe('redactParams: what the debug log shows of statement parameters', () => {
  it('redacts secret-named keys at any depth, whatever their value', () => {
    const out = redactParams({
      id: 'w1',
      secret: 'whsec_abc',
      sealedSecret: 'v1.sealed',
      nested: { password: 'p', list: [{ apiKey: 'k', api_key: 'k2', keep: 1 }, { authorization: 'Bearer x' }] },
      sealedPrivateKey: { some: 'object' },
      privateKeyFile: 'keys/abc.pem',
      token: ['t1', 't2'],
      none: null,
      passwordHint: null,
    });
    expect(out).toEqual({
      id: 'w1',
      secret: REDACTED,
      sealedSecret: REDACTED,
      nested: {
        password: REDACTED,
        list: [{ apiKey: REDACTED, api_key: REDACTED, keep: 1 }, { authorization: REDACTED }],
      },
      sealedPrivateKey: REDACTED,
      privateKeyFile: REDACTED,
      token: REDACTED,
      none: null,
      passwordHint: null,
    });
  });

  it('keeps what a reader needs: names, ids, tag keys, content hashes, key ids, public keys', () => {
    const kept = {
      key: 'team',
      keys: ['a'],
      keyid: 'sha256:1',
      publicKey: 'PEM',
      hash: 'sha256:2',
      modelName: 'm',
      checksum: 'sha256:3',
    };
    expect(redactParams(kept)).toEqual(kept);
    for (const k of Object.keys(kept)) expect(SECRET_KEY.test(k)).toBe(false);
  });

  it('reduces a url to its origin: webhook targets carry credentials in path and query', () => {
    expect(redactParams({ url: 'https://user:pw@hooks.example.com/services/T0/B0/XYZ?token=1' })).toEqual({
      url: 'https://hooks.example.com/…',
    });
    expect(redactParams({ url: 'not a url' })).toEqual({ url: REDACTED });
  });

  it('reads JSON text (event payloads) by the same rule', () => {
    const after = JSON.stringify({
      url: 'https://hooks.example.com/T0/B0/XYZ',
      eventTypes: ['ALIAS_SET'],
      nested: { token: 't' },
    });
    expect(redactParams({ after, plain: '{not json', quoted: '"secret"' })).toEqual({
      after: { url: 'https://hooks.example.com/…', eventTypes: ['ALIAS_SET'], nested: { token: REDACTED } },
      plain: '{not json',
      quoted: '"secret"',
    });
  });

  it('shortens long arrays and deep nesting; leaves driver values alone', () => {
    const out = redactParams({
      rows: Array.from({ length: 25 }, (_, i) => ({ i })),
      deep: { a: { b: { c: { d: { e: { f: { g: 1 } } } } } } },
      n: neo4j.int(5),
    });
    expect(out.rows).toHaveLength(21);
    expect((out.rows as unknown[])[20]).toBe('… 5 more');
    expect(JSON.stringify(out.deep)).toContain('[…]');
    expect(out.n).toEqual(neo4j.int(5));
  });
});
