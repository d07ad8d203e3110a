import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  IN_TOTO_PAYLOAD_TYPE,
  MAX_ENVELOPE_BYTES,
  MAX_SIGNATURES,
  PEDIGREE_PREDICATE_TYPE,
  STATEMENT_TYPE_V1,
  buildStatement,
  canonicalJson,
  exportPrivateKeyPem,
  exportPublicKeyPem,
  generateEd25519KeyPair,
  importPrivateKeyPem,
  importPublicKeyPem,
  keyIdOf,
  pae,
  serializeStatement,
  signEnvelope,
  signStatement,
  signerFor,
  trustedKeyFor,
  verifyEnvelope,
  verifyStatement,
  type Envelope,
  type Signer,
  type TrustedKey,
} from '../../src/operations/attestation/index.js';
import { coSigningPrincipals, type Approval } from '../../src/operations/attestation.service.js';

// ---------------------------------------------------------------------------
// Fixtures

const TYPE = 'application/vnd.pedigree.test+json';
const BODY = Buffer.from('{"model":"fraud","version":3}');

function newSigner(): { signer: Signer; trusted: TrustedKey } {
  const { privateKey, publicKey } = generateEd25519KeyPair();
  return { signer: signerFor(privateKey), trusted: trustedKeyFor(publicKey) };
}

const alice = newSigner();
const bob = newSigner();
const mallory = newSigner();

const b64url = (hex: string) => Buffer.from(hex, 'hex').toString('base64url');
const ed25519Public = (hex: string) =>
  createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64url(hex) }, format: 'jwk' });
// JWK is node:crypto's one import path from a raw RFC 8032 seed to a KeyObject.
const ed25519Private = (seedHex: string, publicHex: string) =>
  createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: b64url(seedHex), x: b64url(publicHex) }, format: 'jwk' });
/** Big-endian 32-byte coordinate from the decimal integers protocol.md prints. */
const p256Coordinate = (decimal: string) => b64url(BigInt(decimal).toString(16).padStart(64, '0'));

/** A copy of `envelope` with the first signature's first byte flipped. */
function flipSignatureByte(envelope: Envelope): Envelope {
  const first = envelope.signatures[0];
  if (!first) throw new Error('fixture has no signature');
  const sig = Buffer.from(first.sig, 'base64');
  sig[0] = (sig[0] ?? 0) ^ 0x01;
  return { ...envelope, signatures: [{ ...first, sig: sig.toString('base64') }] };
}

// ---------------------------------------------------------------------------
// DSSE: PAE

describe('pae', () => {
  it('encodes the example from the DSSE protocol (protocol.md, "Test Vectors")', () => {
    expect(pae('http://example.com/HelloWorld', Buffer.from('hello world')).toString('latin1')).toBe(
      'DSSEv1 29 http://example.com/HelloWorld 11 hello world',
    );
  });

  it('uses the UTF-8 byte length of the type, not its character count', () => {
    // "ä" is two bytes: 28 characters, 29 bytes.
    expect(pae('application/vnd.exämple+json', Buffer.from('x')).toString('utf8')).toBe(
      'DSSEv1 29 application/vnd.exämple+json 1 x',
    );
  });

  it('keeps the trailing space for an empty body and passes binary bodies through', () => {
    expect(pae('t', Buffer.alloc(0)).toString('latin1')).toBe('DSSEv1 1 t 0 ');
    const binary = Buffer.from([0x00, 0xff, 0x20, 0x0a]);
    expect(pae('t', binary)).toEqual(Buffer.concat([Buffer.from('DSSEv1 1 t 4 '), binary]));
  });
});

// ---------------------------------------------------------------------------
// DSSE: sign and verify

describe('signEnvelope / verifyEnvelope', () => {
  it('round-trips with one signer, as an object and as JSON text', () => {
    const envelope = signEnvelope(TYPE, BODY, [alice.signer]);

    expect(Object.keys(envelope)).toEqual(['payload', 'payloadType', 'signatures']);
    expect(envelope.payload).toBe(BODY.toString('base64'));
    expect(envelope.payloadType).toBe(TYPE);
    expect(envelope.signatures).toHaveLength(1);
    expect(Object.keys(envelope.signatures[0]!)).toEqual(['keyid', 'sig']);
    expect(envelope.signatures[0]!.keyid).toBe(alice.signer.keyid);

    for (const input of [envelope, JSON.stringify(envelope)]) {
      const result = verifyEnvelope(input, [alice.trusted]);
      expect(result).toEqual({ valid: true, signers: [alice.trusted.keyid], payloadType: TYPE, payload: BODY });
    }
  });

  it('round-trips with two signers and reports both; a threshold counts distinct keys', () => {
    const envelope = signEnvelope(TYPE, BODY, [alice.signer, bob.signer]);
    expect(envelope.signatures.map((s) => s.keyid)).toEqual([alice.signer.keyid, bob.signer.keyid]);

    const both = verifyEnvelope(envelope, [alice.trusted, bob.trusted], { threshold: 2 });
    expect(both.valid).toBe(true);
    expect(both.signers).toEqual([alice.trusted.keyid, bob.trusted.keyid]);

    const onlyBobTrusted = verifyEnvelope(envelope, [bob.trusted]);
    expect(onlyBobTrusted).toMatchObject({ valid: true, signers: [bob.trusted.keyid] });

    const notEnough = verifyEnvelope(envelope, [bob.trusted], { threshold: 2 });
    expect(notEnough.valid).toBe(false);
    expect(notEnough.reason).toMatch(/2 distinct trusted keys, got 1/);
    expect(notEnough.payload).toBeUndefined();

    const tooMany = verifyEnvelope(envelope, [alice.trusted, bob.trusted], { threshold: 3 });
    expect(tooMany.valid).toBe(false);
  });

  it('counts one key once, however many signatures or keyids it has', () => {
    const twice = signEnvelope(TYPE, BODY, [alice.signer, alice.signer]);
    expect(verifyEnvelope(twice, [alice.trusted, bob.trusted], { threshold: 2 })).toMatchObject({
      valid: false,
      signers: [alice.trusted.keyid],
    });

    // The same key material listed under two names must not meet a threshold of two.
    const aliased: TrustedKey[] = [alice.trusted, { keyid: 'alias', publicKey: alice.trusted.publicKey }];
    const noKeyid = signEnvelope(TYPE, BODY, [{ keyid: '', privateKey: alice.signer.privateKey }]);
    expect(verifyEnvelope(noKeyid, aliased, { threshold: 2 }).valid).toBe(false);
  });

  it('rejects a tampered payload', () => {
    const envelope = signEnvelope(TYPE, BODY, [alice.signer]);
    const tampered = { ...envelope, payload: Buffer.from('{"model":"fraud","version":4}').toString('base64') };
    const result = verifyEnvelope(tampered, [alice.trusted]);
    expect(result).toMatchObject({ valid: false, signers: [] });
    expect(result.reason).toMatch(/no signature verified/);
    expect(result.payload).toBeUndefined();
  });

  it('rejects a tampered payloadType (the signature binds the type)', () => {
    const envelope = signEnvelope(TYPE, BODY, [alice.signer]);
    const result = verifyEnvelope({ ...envelope, payloadType: 'application/vnd.other+json' }, [alice.trusted]);
    expect(result.valid).toBe(false);
    expect(result.reason).toBeDefined();
  });

  it('rejects a tampered signature', () => {
    const envelope = signEnvelope(TYPE, BODY, [alice.signer]);
    const result = verifyEnvelope(flipSignatureByte(envelope), [alice.trusted]);
    expect(result.valid).toBe(false);
    expect(result.reason).toBeDefined();
  });

  it('rejects a signature by a key that is not trusted, even under a trusted keyid', () => {
    const envelope = signEnvelope(TYPE, BODY, [mallory.signer]);
    expect(verifyEnvelope(envelope, [alice.trusted, bob.trusted]).valid).toBe(false);

    const impersonating = signEnvelope(TYPE, BODY, [
      { keyid: alice.signer.keyid, privateKey: mallory.signer.privateKey },
    ]);
    expect(verifyEnvelope(impersonating, [alice.trusted]).valid).toBe(false);
    expect(verifyEnvelope(envelope, []).valid).toBe(false);
  });

  it('uses keyid only to narrow the keys tried', () => {
    const envelope = signEnvelope(TYPE, BODY, [alice.signer]);
    // A keyid naming some other trusted key: Alice's key is not even tried.
    const misnamed = {
      ...envelope,
      signatures: [{ keyid: bob.trusted.keyid, sig: envelope.signatures[0]!.sig }],
    };
    expect(verifyEnvelope(misnamed, [alice.trusted, bob.trusted]).valid).toBe(false);
    // No keyid (the spec makes it optional): every trusted key is tried.
    const anonymous = JSON.stringify({ ...envelope, signatures: [{ sig: envelope.signatures[0]!.sig }] });
    expect(verifyEnvelope(anonymous, [bob.trusted, alice.trusted])).toMatchObject({
      valid: true,
      signers: [alice.trusted.keyid],
    });
  });

  it('accepts URL-safe base64, padded or not', () => {
    const payload = Buffer.from([0xfb, 0xff, 0xbf, 0x3e, 0x3f]); // "+/+/Pj8=" in standard base64
    const envelope = signEnvelope(TYPE, payload, [alice.signer]);
    expect(envelope.payload).toMatch(/[+/]/);
    const urlSafe = {
      payload: payload.toString('base64url'),
      payloadType: TYPE,
      signatures: [
        { keyid: alice.signer.keyid, sig: Buffer.from(envelope.signatures[0]!.sig, 'base64').toString('base64url') },
      ],
    };
    expect(verifyEnvelope(urlSafe, [alice.trusted])).toMatchObject({ valid: true, payload });
    expect(urlSafe.payload).toBe('-_-_Pj8');
    const padded = { ...urlSafe, payload: `${urlSafe.payload}=` };
    expect(verifyEnvelope(padded, [alice.trusted]).valid).toBe(true);
  });

  it('refuses a payloadType the caller does not accept, after the signatures verify', () => {
    const envelope = signEnvelope(TYPE, BODY, [alice.signer]);
    const result = verifyEnvelope(envelope, [alice.trusted], { payloadTypes: [IN_TOTO_PAYLOAD_TYPE] });
    expect(result).toMatchObject({ valid: false, signers: [alice.trusted.keyid] });
    expect(result.reason).toMatch(/payloadType .* is not accepted/);
    expect(result.payload).toBeUndefined();
    expect(verifyEnvelope(envelope, [alice.trusted], { payloadTypes: [TYPE] }).valid).toBe(true);
  });

  it('verifies ECDSA P-256 signatures in DER as well as raw r||s', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const message = pae(TYPE, BODY);
    const trusted: TrustedKey[] = [{ keyid: 'ec', publicKey }];
    for (const dsaEncoding of ['der', 'ieee-p1363'] as const) {
      const sig = cryptoSign('sha256', message, { key: privateKey, dsaEncoding });
      const envelope: Envelope = {
        payload: BODY.toString('base64'),
        payloadType: TYPE,
        signatures: [{ keyid: 'ec', sig: sig.toString('base64') }],
      };
      expect(verifyEnvelope(envelope, trusted)).toMatchObject({ valid: true, signers: ['ec'] });
      expect(verifyEnvelope(flipSignatureByte(envelope), trusted).valid).toBe(false);
    }
  });

  it('ignores trusted keys of unsupported algorithms instead of throwing', () => {
    const envelope = signEnvelope(TYPE, BODY, [alice.signer]);
    const { publicKey } = generateKeyPairSync('x25519');
    expect(verifyEnvelope(envelope, [{ keyid: 'x', publicKey }]).valid).toBe(false);
    expect(verifyEnvelope(envelope, [{ keyid: 'x', publicKey }, alice.trusted]).valid).toBe(true);
  });

  it('refuses to sign with no signers, an empty type, or a key that is not Ed25519', () => {
    expect(() => signEnvelope(TYPE, BODY, [])).toThrow(TypeError);
    expect(() => signEnvelope('', BODY, [alice.signer])).toThrow(TypeError);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => signEnvelope(TYPE, BODY, [{ keyid: 'ec', privateKey: ec.privateKey }])).toThrow(/Ed25519 private key/);
    expect(() => signEnvelope(TYPE, BODY, [{ keyid: 'pub', privateKey: alice.trusted.publicKey }])).toThrow(TypeError);
  });
});

describe('verifyEnvelope on malformed input', () => {
  const good = signEnvelope(TYPE, BODY, [alice.signer]);
  const sig = good.signatures[0]!.sig;

  const cases: Array<[string, unknown, RegExp]> = [
    ['malformed JSON', '{"payload": "aGk=", ', /not valid JSON/],
    ['an empty string', '', /not valid JSON/],
    ['a JSON array', '[]', /must be a JSON object/],
    ['JSON null', 'null', /must be a JSON object/],
    ['a JSON number', '42', /must be a JSON object/],
    ['an empty signature list', { ...good, signatures: [] }, /signatures is empty/],
    ['missing payload', { payloadType: TYPE, signatures: good.signatures }, /payload must be a string/],
    ['missing payloadType', { payload: good.payload, signatures: good.signatures }, /payloadType must be a string/],
    ['missing signatures', { payload: good.payload, payloadType: TYPE }, /signatures must be an array/],
    ['a numeric payload', { ...good, payload: 12 }, /payload must be a string/],
    ['a null payloadType', { ...good, payloadType: null }, /payloadType must be a string/],
    ['an empty payloadType', { ...good, payloadType: '' }, /payloadType must not be empty/],
    ['signatures as an object', { ...good, signatures: { keyid: 'k', sig } }, /must be an array/],
    ['a signature that is a string', { ...good, signatures: [sig] }, /signatures\[0\] must be an object/],
    ['a numeric sig', { ...good, signatures: [{ keyid: 'k', sig: 1 }] }, /sig must be a string/],
    ['a numeric keyid', { ...good, signatures: [{ keyid: 7, sig }] }, /keyid must be a string/],
    [
      'junk in the payload base64',
      { ...good, payload: `${good.payload.slice(0, 4)}!!${good.payload.slice(4)}` },
      /payload is not valid base64/,
    ],
    ['mixed base64 alphabets', { ...good, payload: 'ab+_' }, /payload is not valid base64/],
    ['a truncated base64 quantum', { ...good, payload: 'abcde' }, /payload is not valid base64/],
    // "aGl=" decodes to "hi" like "aGk=" does; accepting both would give one payload two spellings.
    ['non-zero trailing base64 bits', { ...good, payload: 'aGl=' }, /payload is not valid base64/],
    ['junk in the sig base64', { ...good, signatures: [{ keyid: 'k', sig: `*${sig}` }] }, /sig is not valid base64/],
    [
      'too many signatures',
      { ...good, signatures: Array.from({ length: MAX_SIGNATURES + 1 }, () => good.signatures[0]) },
      /more than 32/,
    ],
    [
      'JSON text over 1 MiB',
      JSON.stringify({ ...good, payload: 'A'.repeat(MAX_ENVELOPE_BYTES) }),
      /exceeds 1048576 bytes/,
    ],
    ['an object over 1 MiB', { ...good, payload: 'A'.repeat(MAX_ENVELOPE_BYTES + 4) }, /exceeds 1048576 bytes/],
  ];

  it.each(cases)('gives valid:false with a reason for %s', (_name, input, reason) => {
    const result = verifyEnvelope(input as Envelope, [alice.trusted]);
    expect(result.valid).toBe(false);
    expect(result.signers).toEqual([]);
    expect(result.reason).toMatch(reason);
    expect(result.payload).toBeUndefined();
  });

  it('gives valid:false for a non-positive threshold', () => {
    expect(verifyEnvelope(good, [alice.trusted], { threshold: 0 })).toMatchObject({ valid: false });
  });

  it('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.jsonValue(), fc.anything()), (input) => {
        let asText: string;
        try {
          asText = typeof input === 'string' ? input : (JSON.stringify(input) ?? '');
        } catch {
          asText = String(input);
        }
        const text = verifyEnvelope(asText, [alice.trusted]);
        const value = verifyEnvelope(input as Envelope, [alice.trusted]);
        expect(text.valid).toBe(false);
        expect(value.valid).toBe(false);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(
        fc.string(),
        fc.string(),
        fc.option(fc.string()),
        fc.string(),
        (payload, payloadType, keyid, sigText) => {
          const signature = keyid === null ? { sig: sigText } : { keyid, sig: sigText };
          const result = verifyEnvelope({ payload, payloadType, signatures: [signature] } as Envelope, [alice.trusted]);
          expect(result.valid).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------------------
// The DSSE specification's own test vectors

describe('DSSE specification test vectors', () => {
  // From protocol.md ("Test Vectors") in secure-systems-lab/dsse; the same
  // key and signature appear in the doctest of implementation/signing_spec.py.
  // ECDSA P-256 / SHA-256 (deterministic RFC 6979), signature as raw r||s.
  const protocolVector = {
    x: '46950820868899156662930047687818585632848591499744589407958293238635476079160',
    y: '5640078356564379163099075877009565129882514886557779369047442380624545832820',
    envelope: {
      payload: 'aGVsbG8gd29ybGQ=',
      payloadType: 'http://example.com/HelloWorld',
      signatures: [{ sig: 'A3JqsQGtVsJ2O2xqrI5IcnXip5GToJ3F+FnZ+O88SjtR6rDAajabZKciJTfUiHqJPcIAriEGAHTVeCUjW2JIZA==' }],
    },
  };
  const specKey = createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: p256Coordinate(protocolVector.x), y: p256Coordinate(protocolVector.y) },
    format: 'jwk',
  });

  it('verifies the ECDSA P-256 envelope published in protocol.md', () => {
    const result = verifyEnvelope(JSON.stringify(protocolVector.envelope), [{ keyid: 'mykey', publicKey: specKey }]);
    expect(result).toEqual({
      valid: true,
      signers: ['mykey'],
      payloadType: 'http://example.com/HelloWorld',
      payload: Buffer.from('hello world'),
    });
  });

  it('rejects that envelope once its payload, type or signature is altered', () => {
    const trusted = [{ keyid: 'mykey', publicKey: specKey }];
    const env = protocolVector.envelope;
    expect(
      verifyEnvelope({ ...env, payload: Buffer.from('hello world!').toString('base64') } as Envelope, trusted).valid,
    ).toBe(false);
    expect(verifyEnvelope({ ...env, payloadType: 'http://example.com/HelloWorlds' } as Envelope, trusted).valid).toBe(
      false,
    );
    expect(verifyEnvelope(flipSignatureByte(env as Envelope), trusted).valid).toBe(false);
    expect(verifyEnvelope(env as Envelope, [alice.trusted]).valid).toBe(false);
  });

  // From testvectors/vectors.json in the indexed copy of secure-systems-lab/dsse
  // (commit 82043adf78bb4e67c208f9ffa72b38804ea6a0c4), generated there by
  // testvectors/generate.py. Keys A and B are the Ed25519 keys of RFC 8032
  // section 7.1, TEST 1 and TEST 2, so the public keys can be checked against
  // the RFC; descriptions shortened.
  const rfc8032Keys = {
    A: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    B: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
  } as const;
  const STATEMENT_B64 = 'eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEifQ==';
  const SIG_A = '2WAfaHm5jluo0w+0rk8uVkluELJYWjSmU9x7EUzx+AyteDGJ4/nqyJXfmAUVFIAoQafWm7AxBZNw5M9ixNHiCA==';
  const SIG_B = 'c1+67/aT0yqEpwx8PsVY3MLHsj9D0CZ014/Fv/QlG59P+9CobUZ7xECJ/V3USG0Ob9CiE5LjReEZUzNF2l7eBw==';
  const PAE_STATEMENT =
    '445353457631203238206170706c69636174696f6e2f766e642e696e2d746f746f2b6a736f6e203433207b225f74797065223a2268747470733a2f2f696e2d746f746f2e696f2f53746174656d656e742f7631227d';
  interface FileVector {
    id: string;
    envelope: { payload: string; payloadType: string; signatures: Array<{ sig: string; keyid?: string }> };
    trustedKeys: Array<keyof typeof rfc8032Keys>;
    threshold: number;
    supportedPayloadTypes: string[];
    /** Hex of the PAE the signatures cover. */
    pae: string;
    expect: 'accept' | 'reject';
  }
  const fileVectors: FileVector[] = [
    {
      id: 'single-signature',
      envelope: { payload: STATEMENT_B64, payloadType: IN_TOTO_PAYLOAD_TYPE, signatures: [{ sig: SIG_A, keyid: 'A' }] },
      trustedKeys: ['A'],
      threshold: 1,
      supportedPayloadTypes: [IN_TOTO_PAYLOAD_TYPE],
      pae: PAE_STATEMENT,
      expect: 'accept',
    },
    {
      id: 'url-safe-base64',
      envelope: {
        payload: '-_-_Pj8=',
        payloadType: IN_TOTO_PAYLOAD_TYPE,
        signatures: [
          {
            sig: 'P-_KHICeR7tI6S_YyejJTRtrXhcQyQ2LYPaL8h90KjC9qN8HU_svOQ6TuDOT1HIrsGW886DbWNWcCmX5twLrAw==',
            keyid: 'A',
          },
        ],
      },
      trustedKeys: ['A'],
      threshold: 1,
      supportedPayloadTypes: [IN_TOTO_PAYLOAD_TYPE],
      pae: '445353457631203238206170706c69636174696f6e2f766e642e696e2d746f746f2b6a736f6e203520fbffbf3e3f',
      expect: 'accept',
    },
    {
      id: 'payload-type-swapped',
      envelope: {
        payload: STATEMENT_B64,
        payloadType: 'application/vnd.example.other+json',
        signatures: [{ sig: SIG_A, keyid: 'A' }],
      },
      trustedKeys: ['A'],
      threshold: 1,
      supportedPayloadTypes: [IN_TOTO_PAYLOAD_TYPE, 'application/vnd.example.other+json'],
      pae: PAE_STATEMENT,
      expect: 'reject',
    },
    {
      id: 'non-ascii-payload-type',
      envelope: {
        payload: STATEMENT_B64,
        payloadType: 'application/vnd.exämple+json',
        signatures: [
          {
            sig: 'xmSk/ug66ysT7ayhkCIjhAq42zgZXSsEWuzUaNL7w2eGAdF/NU6/fRXPtmfN+5DNSAs5/i2lUnHjbbjPsu0tAw==',
            keyid: 'A',
          },
        ],
      },
      trustedKeys: ['A'],
      threshold: 1,
      supportedPayloadTypes: ['application/vnd.exämple+json'],
      pae: '445353457631203239206170706c69636174696f6e2f766e642e6578c3a46d706c652b6a736f6e203433207b225f74797065223a2268747470733a2f2f696e2d746f746f2e696f2f53746174656d656e742f7631227d',
      expect: 'accept',
    },
    {
      id: 'empty-payload',
      envelope: {
        payload: '',
        payloadType: IN_TOTO_PAYLOAD_TYPE,
        signatures: [
          {
            sig: 'gSggCAaTLTYyRH6FIDBem6meyIynsYy8RTHVzwx9tnTb7Bg/1jMWnuVgI/gffqmbsC2VX5/jHfkkDqsj7CDbDg==',
            keyid: 'A',
          },
        ],
      },
      trustedKeys: ['A'],
      threshold: 1,
      supportedPayloadTypes: [IN_TOTO_PAYLOAD_TYPE],
      pae: '445353457631203238206170706c69636174696f6e2f766e642e696e2d746f746f2b6a736f6e203020',
      expect: 'accept',
    },
    {
      id: 'empty-payload-type',
      envelope: {
        payload: STATEMENT_B64,
        payloadType: '',
        signatures: [
          {
            sig: 'iC3q/+3Rm0+lpAJRueDmDh15PnwCfxKmS0NAfKsbv+zgulXQC/WM9trc+j1XEqlwDIg/vf/uNfebeD6sxInrDg==',
            keyid: 'A',
          },
        ],
      },
      trustedKeys: ['A'],
      threshold: 1,
      supportedPayloadTypes: [IN_TOTO_PAYLOAD_TYPE],
      pae: '445353457631203020203433207b225f74797065223a2268747470733a2f2f696e2d746f746f2e696f2f53746174656d656e742f7631227d',
      expect: 'reject',
    },
    {
      id: 'threshold-two-distinct-keys',
      envelope: {
        payload: STATEMENT_B64,
        payloadType: IN_TOTO_PAYLOAD_TYPE,
        signatures: [
          { sig: SIG_A, keyid: 'A' },
          { sig: SIG_B, keyid: 'B' },
        ],
      },
      trustedKeys: ['A', 'B'],
      threshold: 2,
      supportedPayloadTypes: [IN_TOTO_PAYLOAD_TYPE],
      pae: PAE_STATEMENT,
      expect: 'accept',
    },
    {
      id: 'threshold-two-one-key-twice',
      envelope: {
        payload: STATEMENT_B64,
        payloadType: IN_TOTO_PAYLOAD_TYPE,
        signatures: [
          { sig: SIG_A, keyid: 'A' },
          { sig: SIG_A, keyid: 'A' },
        ],
      },
      trustedKeys: ['A', 'B'],
      threshold: 2,
      supportedPayloadTypes: [IN_TOTO_PAYLOAD_TYPE],
      pae: PAE_STATEMENT,
      expect: 'reject',
    },
    {
      id: 'threshold-two-without-keyids',
      envelope: {
        payload: STATEMENT_B64,
        payloadType: IN_TOTO_PAYLOAD_TYPE,
        signatures: [{ sig: SIG_A }, { sig: SIG_B }],
      },
      trustedKeys: ['A', 'B'],
      threshold: 2,
      supportedPayloadTypes: [IN_TOTO_PAYLOAD_TYPE],
      pae: PAE_STATEMENT,
      expect: 'accept',
    },
  ];

  it.each(fileVectors.map((v) => [v.id, v] as const))('vectors.json %s', (_id, vector) => {
    const trusted = vector.trustedKeys.map((name) => ({ keyid: name, publicKey: ed25519Public(rfc8032Keys[name]) }));
    const result = verifyEnvelope(JSON.stringify(vector.envelope), trusted, {
      threshold: vector.threshold,
      payloadTypes: vector.supportedPayloadTypes,
    });
    expect(result.valid, result.reason).toBe(vector.expect === 'accept');
    if (vector.expect === 'accept') {
      const payload = Buffer.from(vector.envelope.payload, 'base64');
      expect(result.payload).toEqual(payload);
      expect(pae(vector.envelope.payloadType, payload).toString('hex')).toBe(vector.pae);
    }
  });

  it('the RFC 8032 TEST 1 key re-signs the vectors byte for byte (Ed25519 is deterministic)', () => {
    const seed = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
    const privateKey = ed25519Private(seed, rfc8032Keys.A);
    const envelope = signEnvelope(IN_TOTO_PAYLOAD_TYPE, Buffer.from(STATEMENT_B64, 'base64'), [
      { keyid: 'A', privateKey },
    ]);
    expect(envelope).toEqual(fileVectors[0]!.envelope);
  });
});

// ---------------------------------------------------------------------------
// Keys

describe('keys', () => {
  it('round-trips PKCS#8 and SPKI PEM', () => {
    const { privateKey, publicKey } = generateEd25519KeyPair();
    const privatePem = exportPrivateKeyPem(privateKey);
    const publicPem = exportPublicKeyPem(publicKey);
    expect(privatePem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(publicPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(exportPublicKeyPem(privateKey)).toBe(publicPem);

    const privateAgain = importPrivateKeyPem(privatePem);
    const publicAgain = importPublicKeyPem(publicPem);
    expect(exportPrivateKeyPem(privateAgain)).toBe(privatePem);
    expect(keyIdOf(publicAgain)).toBe(keyIdOf(publicKey));

    const envelope = signEnvelope(TYPE, BODY, [signerFor(privateAgain)]);
    expect(verifyEnvelope(envelope, [trustedKeyFor(publicKey)]).valid).toBe(true);
  });

  it('derives keyid as sha256: + hex SHA-256 of the SPKI DER, the same from either half', () => {
    const { privateKey, publicKey } = generateEd25519KeyPair();
    const der = publicKey.export({ format: 'der', type: 'spki' });
    const expected = `sha256:${createHash('sha256').update(der).digest('hex')}`;
    expect(keyIdOf(publicKey)).toBe(expected);
    expect(keyIdOf(privateKey)).toBe(expected);
    expect(expected).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(keyIdOf(generateEd25519KeyPair().publicKey)).not.toBe(expected);
    // An Ed25519 SPKI DER is a fixed 12-byte prefix followed by the raw key.
    expect(der.subarray(0, 12).toString('hex')).toBe('302a300506032b6570032100');
  });

  it('refuses PEMs of the wrong kind or algorithm', () => {
    const { privateKey, publicKey } = generateEd25519KeyPair();
    expect(() => importPublicKeyPem(exportPrivateKeyPem(privateKey))).toThrow(/BEGIN PUBLIC KEY/);
    expect(() => importPrivateKeyPem(exportPublicKeyPem(publicKey))).toThrow(/BEGIN PRIVATE KEY/);
    expect(() => importPublicKeyPem('not a pem')).toThrow(TypeError);

    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const ecPrivatePem = ec.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(() => importPrivateKeyPem(ecPrivatePem)).toThrow(/Ed25519/);
    // P-256 public keys are accepted for verification of other tools' envelopes.
    expect(importPublicKeyPem(ec.publicKey.export({ format: 'pem', type: 'spki' }).toString()).asymmetricKeyType).toBe(
      'ec',
    );
    const secp384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    expect(() => importPublicKeyPem(secp384.publicKey.export({ format: 'pem', type: 'spki' }).toString())).toThrow(
      /Ed25519 or ECDSA P-256/,
    );

    expect(() => signerFor(publicKey)).toThrow(TypeError);
    expect(() => trustedKeyFor(privateKey)).toThrow(TypeError);
  });
});

// ---------------------------------------------------------------------------
// in-toto

describe('in-toto statements', () => {
  const digest = createHash('sha256').update('model weights').digest('hex');
  const predicate = { run: { id: 'run-42', startedAt: '2024-05-01T12:00:00Z' }, datasets: ['ds@3', 'ds@4'] };

  it('builds a Statement v1 with the Pedigree predicate type by default', () => {
    const statement = buildStatement({
      subjects: [{ name: 'fraud@3', digest: { sha256: digest.toUpperCase() } }],
      predicate,
    });
    expect(statement).toEqual({
      _type: STATEMENT_TYPE_V1,
      subject: [{ name: 'fraud@3', digest: { sha256: digest } }],
      predicateType: PEDIGREE_PREDICATE_TYPE,
      predicate,
    });
    expect(STATEMENT_TYPE_V1).toBe('https://in-toto.io/Statement/v1');
    expect(PEDIGREE_PREDICATE_TYPE).toBe('https://pedigree.dev/provenance/v1');
    expect(IN_TOTO_PAYLOAD_TYPE).toBe('application/vnd.in-toto+json');
  });

  it('serialises canonically: sorted keys at every depth, no whitespace', () => {
    const statement = buildStatement({
      subjects: [{ name: 'm', digest: { sha256: digest } }],
      predicate: { z: 1, a: { y: [3, { d: true, c: null }], b: 'é' } },
    });
    expect(serializeStatement(statement).toString('utf8')).toBe(
      `{"_type":"https://in-toto.io/Statement/v1","predicate":{"a":{"b":"é","y":[3,{"c":null,"d":true}]},"z":1},` +
        `"predicateType":"https://pedigree.dev/provenance/v1","subject":[{"digest":{"sha256":"${digest}"},"name":"m"}]}`,
    );
    const reordered = {
      subject: statement.subject,
      predicate: { a: { b: 'é', y: [3, { c: null, d: true }] }, z: 1 },
      predicateType: statement.predicateType,
      _type: statement._type,
    };
    expect(serializeStatement(reordered)).toEqual(serializeStatement(statement));
  });

  it('canonicalJson orders keys by UTF-16 code unit, omits undefined members, refuses the rest', () => {
    expect(canonicalJson({ b: 1, a: undefined, A: 2, é: 3, '\u{1F600}': 4, '\uFB01': 5 })).toBe(
      '{"A":2,"b":1,"é":3,"\u{1F600}":4,"\uFB01":5}',
    );
    expect(canonicalJson([1.5, -0, 1e21, 'x'])).toBe('[1.5,0,1e+21,"x"]');
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(/\$\.n is NaN/);
    expect(() => canonicalJson({ when: new Date(0) })).toThrow(/\$\.when is a Date/);
    expect(() => canonicalJson([1, undefined])).toThrow(/\$\[1\] is undefined/);
    expect(() => canonicalJson({ big: 1n })).toThrow(/bigint/);
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/cycle/);
    // A shared (non-cyclic) reference is fine.
    const shared = { k: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"k":1},"b":{"k":1}}');
  });

  it('refuses to build a statement from bad input', () => {
    const subject = { name: 'm', digest: { sha256: digest } };
    expect(() => buildStatement({ subjects: [], predicate })).toThrow(/at least one subject/);
    expect(() => buildStatement({ subjects: [{ ...subject, name: '' }], predicate })).toThrow(/name/);
    expect(() => buildStatement({ subjects: [{ name: 'm', digest: { sha256: 'abc' } }], predicate })).toThrow(/64 hex/);
    expect(() => buildStatement({ subjects: [subject], predicate, predicateType: '' })).toThrow(/predicateType/);
    expect(() => buildStatement({ subjects: [subject], predicate: [] as unknown as object })).toThrow(
      /plain JSON object/,
    );
    expect(() => buildStatement({ subjects: [subject], predicate: { at: new Date() } })).toThrow(/\$\.at is a Date/);
  });

  it('signs and verifies a statement end to end', () => {
    const statement = buildStatement({ subjects: [{ name: 'fraud@3', digest: { sha256: digest } }], predicate });
    const envelope = signStatement(statement, [alice.signer, bob.signer]);
    expect(envelope.payloadType).toBe(IN_TOTO_PAYLOAD_TYPE);
    expect(Buffer.from(envelope.payload, 'base64')).toEqual(serializeStatement(statement));

    const result = verifyStatement(JSON.stringify(envelope), [alice.trusted, bob.trusted], { threshold: 2 });
    expect(result).toEqual({ valid: true, signers: [alice.trusted.keyid, bob.trusted.keyid], statement });

    expect(verifyStatement(envelope, [mallory.trusted]).valid).toBe(false);
    expect(verifyStatement(flipSignatureByte(envelope), [alice.trusted]).valid).toBe(false);
  });

  it('refuses envelopes that verify but do not carry an acceptable statement', () => {
    const sign = (payload: unknown, type = IN_TOTO_PAYLOAD_TYPE) =>
      signEnvelope(type, Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)), [alice.signer]);
    const subject = [{ name: 'm', digest: { sha256: digest } }];
    const base = { _type: STATEMENT_TYPE_V1, subject, predicateType: PEDIGREE_PREDICATE_TYPE, predicate: {} };
    const trusted = [alice.trusted];

    const refusals: Array<[Envelope, RegExp]> = [
      [sign(base, TYPE), /payloadType .* is not accepted/],
      [sign('not json {'), /not valid JSON/],
      [sign({ ...base, _type: 'https://in-toto.io/Statement/v0.1' }), /_type must be/],
      [sign({ ...base, subject: [] }), /subject must be a non-empty array/],
      [sign({ ...base, subject: [{ name: 'm', digest: { sha512: digest } }] }), /sha256 must be 64 lowercase hex/],
      [sign({ ...base, subject: [{ name: 'm', digest: { sha256: digest.toUpperCase() } }] }), /lowercase hex/],
      [sign({ ...base, predicate: 'x' }), /predicate must be an object/],
      [sign({ ...base, predicateType: 'https://slsa.dev/provenance/v1' }), /predicateType .* is not accepted/],
    ];
    for (const [envelope, reason] of refusals) {
      const result = verifyStatement(envelope, trusted);
      expect(result.valid).toBe(false);
      expect(result.reason).toMatch(reason);
      expect(result.statement).toBeUndefined();
    }

    const slsa = sign({ ...base, predicateType: 'https://slsa.dev/provenance/v1' });
    expect(verifyStatement(slsa, trusted, { predicateTypes: ['https://slsa.dev/provenance/v1'] }).valid).toBe(true);
  });
});

describe('co-signers of a version attestation', () => {
  const approval = (approver: string, requestId: string, rule: string): Approval => ({
    approver,
    role: 'REVIEWER',
    asOwner: false,
    at: '2026-01-01T00:00:00.000Z',
    comment: null,
    requestId,
    rule,
    target: { stage: null, alias: 'production' },
  });

  it('are the distinct approvers of two-person requests, newest request first; one-reviewer approvals only appear in the predicate', () => {
    const approvals = [
      approval('rex', 'r1', 'ONE_REVIEWER'),
      approval('otto', 'r2', 'TWO_PERSON'),
      approval('rita', 'r2', 'TWO_PERSON'),
      approval('otto', 'r3', 'TWO_PERSON'),
      approval('ray', 'r3', 'TWO_PERSON'),
    ];
    expect(coSigningPrincipals(approvals)).toEqual(['ray', 'otto', 'rita']);
    expect(coSigningPrincipals([approval('rex', 'r1', 'ONE_REVIEWER')])).toEqual([]);
  });

  it("fit in one envelope beside Pedigree's own signature", () => {
    const many = Array.from({ length: 50 }, (_, i) => approval(`p${i}`, `r${i}`, 'TWO_PERSON'));
    const chosen = coSigningPrincipals(many);
    expect(chosen).toHaveLength(MAX_SIGNATURES - 1);
    expect(chosen[0]).toBe('p49');
  });
});
