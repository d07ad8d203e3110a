import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { DomainError, ErrorCode } from '../../src/errors.js';
import {
  MAX_ATTEMPTS,
  checkWebhookTarget,
  generateWebhookSecret,
  isForbiddenAddress,
  nextAttemptDelayMs,
  parseWebhookSecret,
  signWebhook,
  verifyWebhook,
  type WebhookTargetPolicy,
} from '../../src/events/webhooks/index.js';

const at = (seconds: number) => new Date(seconds * 1000);

describe('webhook signatures (Standard Webhooks v1)', () => {
  // Vector from the Standard Webhooks reference JavaScript library,
  // standard-webhooks/standard-webhooks libraries/javascript/src/webhook.test.ts,
  // test "sign function works". (The spec document itself publishes no vector:
  // its example headers come without the secret that produced them.)
  const vector = {
    key: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    msgId: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
    timestamp: 1614265330,
    payload: '{"test": 2432232314}',
    expected: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
  };

  it('reproduces the reference library vector', () => {
    const headers = signWebhook({
      id: vector.msgId,
      timestamp: vector.timestamp,
      body: vector.payload,
      secret: vector.key,
    });
    expect(headers).toEqual({
      'webhook-id': vector.msgId,
      'webhook-timestamp': '1614265330',
      'webhook-signature': vector.expected,
    });
    const result = verifyWebhook(headers, vector.payload, vector.key, { now: at(vector.timestamp + 10) });
    expect(result).toEqual({ ok: true, id: vector.msgId, timestamp: vector.timestamp });
  });

  it('round-trips with a generated secret, string or byte body, Date timestamp', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(parseWebhookSecret(secret)).toHaveLength(32);
    const now = new Date('2025-01-02T03:04:05.678Z');
    const body = JSON.stringify({ type: 'alias.moved', data: { model: 'fraud', alias: 'production' } });
    const headers = signWebhook({ id: 'evt_1', timestamp: now, body, secret });
    expect(headers['webhook-timestamp']).toBe(String(Math.floor(now.getTime() / 1000)));
    expect(verifyWebhook(headers, body, secret, { now }).ok).toBe(true);
    expect(verifyWebhook(headers, Buffer.from(body), secret, { now }).ok).toBe(true);
  });

  it('fails when the body, id, timestamp or secret is changed', () => {
    const secret = generateWebhookSecret();
    const now = at(1_700_000_000);
    const body = '{"a":1}';
    const headers = signWebhook({ id: 'evt_1', timestamp: now, body, secret });
    const fail = { ok: false, reason: 'no matching v1 signature' };
    expect(verifyWebhook(headers, '{"a":2}', secret, { now })).toEqual(fail);
    expect(verifyWebhook(headers, '{"a":1} ', secret, { now })).toEqual(fail);
    expect(verifyWebhook({ ...headers, 'webhook-id': 'evt_2' }, body, secret, { now })).toEqual(fail);
    expect(verifyWebhook({ ...headers, 'webhook-timestamp': '1700000001' }, body, secret, { now })).toEqual(fail);
    expect(verifyWebhook(headers, body, generateWebhookSecret(), { now })).toEqual(fail);
    // Truncated and garbage signatures.
    const sig = headers['webhook-signature'];
    expect(verifyWebhook({ ...headers, 'webhook-signature': sig.slice(0, 8) }, body, secret, { now }).ok).toBe(false);
    expect(verifyWebhook({ ...headers, 'webhook-signature': 'v1,' }, body, secret, { now }).ok).toBe(false);
    expect(
      verifyWebhook({ ...headers, 'webhook-signature': sig.replace('v1,', 'v2,') }, body, secret, { now }).ok,
    ).toBe(false);
  });

  it('rejects stale and future timestamps outside the tolerance, accepts the edges', () => {
    const secret = generateWebhookSecret();
    const t = 1_700_000_000;
    const headers = signWebhook({ id: 'evt_1', timestamp: t, body: 'x', secret });
    expect(verifyWebhook(headers, 'x', secret, { now: at(t + 301) })).toEqual({
      ok: false,
      reason: 'webhook-timestamp is too old',
    });
    expect(verifyWebhook(headers, 'x', secret, { now: at(t - 301) })).toEqual({
      ok: false,
      reason: 'webhook-timestamp is in the future',
    });
    expect(verifyWebhook(headers, 'x', secret, { now: at(t + 300) }).ok).toBe(true);
    expect(verifyWebhook(headers, 'x', secret, { now: at(t - 300) }).ok).toBe(true);
    expect(verifyWebhook(headers, 'x', secret, { now: at(t + 60), toleranceSeconds: 30 }).ok).toBe(false);
    // Default clock: a delivery signed an hour ago is stale now.
    const old = signWebhook({ id: 'evt_1', timestamp: new Date(Date.now() - 3_600_000), body: 'x', secret });
    expect(verifyWebhook(old, 'x', secret).ok).toBe(false);
    expect(verifyWebhook(signWebhook({ id: 'evt_1', timestamp: new Date(), body: 'x', secret }), 'x', secret).ok).toBe(
      true,
    );
  });

  it('rejects missing and malformed headers without throwing', () => {
    const secret = generateWebhookSecret();
    const now = at(1_700_000_000);
    const headers = signWebhook({ id: 'evt_1', timestamp: now, body: 'x', secret });
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const) {
      const { [name]: _, ...rest } = headers;
      expect(verifyWebhook(rest, 'x', secret, { now })).toEqual({ ok: false, reason: `missing ${name} header` });
    }
    for (const ts of ['hello', '-1', '1700000000.5', ' 1700000000', '1e9']) {
      expect(verifyWebhook({ ...headers, 'webhook-timestamp': ts }, 'x', secret, { now }).ok).toBe(false);
    }
  });

  it('accepts any one matching signature among several (secret rotation)', () => {
    const oldSecret = generateWebhookSecret();
    const newSecret = generateWebhookSecret();
    const now = at(1_700_000_000);
    const headers = signWebhook({ id: 'evt_1', timestamp: now, body: 'x', secret: [newSecret, oldSecret] });
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(verifyWebhook(headers, 'x', oldSecret, { now }).ok).toBe(true);
    expect(verifyWebhook(headers, 'x', newSecret, { now }).ok).toBe(true);
    expect(verifyWebhook(headers, 'x', generateWebhookSecret(), { now }).ok).toBe(false);

    // Mixed with other versions and junk, as in the reference library's multi-signature test.
    const valid = signWebhook({ id: 'evt_1', timestamp: now, body: 'x', secret: newSecret })['webhook-signature'];
    const mixed = [
      'v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=',
      'v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=',
      'v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8EM+m7TBAg==',
      'garbage',
      valid,
    ].join(' ');
    expect(verifyWebhook({ ...headers, 'webhook-signature': mixed }, 'x', newSecret, { now }).ok).toBe(true);
  });

  it('reads Node-style and fetch-style headers case-insensitively', () => {
    const secret = generateWebhookSecret();
    const now = at(1_700_000_000);
    const h = signWebhook({ id: 'evt_1', timestamp: now, body: 'x', secret });
    const mixedCase = {
      'Webhook-Id': h['webhook-id'],
      'WEBHOOK-TIMESTAMP': h['webhook-timestamp'],
      'webhook-signature': [h['webhook-signature']],
    };
    expect(verifyWebhook(mixedCase, 'x', secret, { now }).ok).toBe(true);
    expect(verifyWebhook(new Headers(h), 'x', secret, { now }).ok).toBe(true);
  });

  it('refuses malformed secrets with BAD_USER_INPUT', () => {
    const cases = [
      'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', // no prefix
      'whsec_' + Buffer.alloc(16).toString('base64'), // too short
      'whsec_' + Buffer.alloc(65).toString('base64'), // too long
      'whsec_not base64 at all!!!!!!!!!!!!!!',
    ];
    for (const secret of cases) {
      expect(() => parseWebhookSecret(secret)).toThrow(DomainError);
      expect(() => parseWebhookSecret(secret)).toThrow(expect.objectContaining({ code: ErrorCode.BAD_USER_INPUT }));
    }
    expect(() => generateWebhookSecret(16)).toThrow(RangeError);
    expect(parseWebhookSecret(generateWebhookSecret(24))).toHaveLength(24);
  });

  it('refuses ids and timestamps that would make the signed content ambiguous', () => {
    const secret = generateWebhookSecret();
    expect(() => signWebhook({ id: 'evt.1', timestamp: 1, body: 'x', secret })).toThrow(/no "\."/);
    expect(() => signWebhook({ id: '', timestamp: 1, body: 'x', secret })).toThrow();
    expect(() => signWebhook({ id: 'evt 1', timestamp: 1, body: 'x', secret })).toThrow();
    expect(() => signWebhook({ id: 'evt_1', timestamp: 1.5, body: 'x', secret })).toThrow(/integer unix seconds/);
    expect(() => signWebhook({ id: 'evt_1', timestamp: 1, body: 'x', secret: [] })).toThrow();
  });
});

describe('webhook target policy (SSRF)', () => {
  const resolvesTo =
    (...addresses: string[]): NonNullable<WebhookTargetPolicy['lookup']> =>
    async () =>
      addresses;
  const noLookup = () =>
    vi.fn(async (host: string): Promise<string[]> => {
      throw new Error(`lookup should not be called for ${host}`);
    });

  async function refusal(url: string, policy: WebhookTargetPolicy): Promise<DomainError> {
    const err = await checkWebhookTarget(url, policy).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err, `${url} should be refused`).toBeInstanceOf(DomainError);
    const domain = err as DomainError;
    expect(domain.message).not.toContain('\n');
    return domain;
  }

  // Each forbidden class, as a resolver would return it, with a word its reason must contain.
  const forbidden: Array<[address: string, reason: RegExp]> = [
    ['127.0.0.1', /loopback/],
    ['127.255.255.254', /loopback/],
    ['::1', /loopback/],
    ['10.1.2.3', /private.*RFC 1918/],
    ['172.16.0.1', /private.*RFC 1918/],
    ['172.31.255.255', /private.*RFC 1918/],
    ['192.168.1.1', /private.*RFC 1918/],
    ['100.64.0.1', /carrier-grade NAT/],
    ['100.127.255.255', /carrier-grade NAT/],
    ['169.254.169.254', /metadata/],
    ['169.254.1.1', /link-local/],
    ['fe80::1', /link-local/],
    ['fe80::1%eth0', /link-local/],
    ['febf:ffff::1', /link-local/],
    ['fc00::1', /unique-local/],
    ['fd12:3456:789a::1', /unique-local/],
    ['0.0.0.0', /unspecified/],
    ['0.1.2.3', /this network/],
    ['::', /unspecified/],
    ['224.0.0.1', /multicast/],
    ['239.255.255.250', /multicast/],
    ['ff02::1', /multicast/],
    ['255.255.255.255', /broadcast/],
    ['240.0.0.1', /reserved/],
    ['::ffff:127.0.0.1', /loopback.*IPv4-mapped/],
    ['::ffff:7f00:1', /loopback.*IPv4-mapped/],
    ['::ffff:10.0.0.1', /private.*IPv4-mapped/],
    ['::ffff:a9fe:a9fe', /metadata.*IPv4-mapped/],
    ['::127.0.0.1', /loopback.*IPv4-compatible/],
    ['::7f00:1', /loopback.*IPv4-compatible/],
    ['::8.8.8.8', /deprecated IPv4-compatible/],
    ['::ffff:0:7f00:1', /loopback.*IPv4-translated/],
    ['64:ff9b::127.0.0.1', /loopback.*NAT64/],
    ['64:ff9b::a9fe:a9fe', /metadata.*NAT64/],
    ['64:ff9b::c0a8:101', /private.*NAT64/],
    ['64:ff9b:1::1', /local-use NAT64/],
    ['2002:7f00:1::', /loopback.*6to4/],
    ['2002:a00:1::1', /private.*6to4/],
    ['2002:a9fe:a9fe::1', /metadata.*6to4/],
    ['2001:db8::1', /documentation/],
    ['2001::1', /Teredo/],
    ['100::1', /discard/],
    ['fec0::1', /site-local/],
    ['4000::1', /reserved IPv6/],
    ['192.0.2.1', /documentation/],
    ['198.18.0.1', /benchmarking/],
    ['168.63.129.16', /metadata/],
  ];

  it.each(forbidden)('isForbiddenAddress(%s) names the class', (address, reason) => {
    expect(isForbiddenAddress(address)).toMatch(reason);
  });

  it.each(forbidden)('refuses a host that resolves to %s', async (address, reason) => {
    const err = await refusal('https://hooks.example.com/x', { lookup: resolvesTo(address) });
    expect(err.code).toBe(ErrorCode.FORBIDDEN);
    expect(err.message).toMatch(reason);
    // The resolved address of a hostname is not echoed back (it may be internal).
    expect(err.message).toContain('hooks.example.com resolves to a forbidden address');
  });

  it('passes public addresses', async () => {
    for (const ip of [
      '93.184.215.14',
      '8.8.8.8',
      '1.1.1.1',
      '100.128.0.1',
      '172.32.0.1',
      '2606:4700:4700::1111',
      '::ffff:8.8.8.8',
      '64:ff9b::808:808',
      '2002:808:808::1',
    ]) {
      expect(isForbiddenAddress(ip), ip).toBeNull();
    }
    const target = await checkWebhookTarget('https://hooks.example.com/pedigree?x=1', {
      lookup: resolvesTo('93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'),
    });
    expect(target.url.href).toBe('https://hooks.example.com/pedigree?x=1');
    expect(target.addresses).toEqual(['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c']);
  });

  it('refuses when any one of several resolved addresses is forbidden', async () => {
    const err = await refusal('https://hooks.example.com/', { lookup: resolvesTo('93.184.215.14', '10.0.0.7') });
    expect(err.code).toBe(ErrorCode.FORBIDDEN);
    expect(err.message).toMatch(/private/);
  });

  it('refuses literal IPs in every spelling without a lookup (WHATWG URL normalises them)', async () => {
    const literals: Array<[url: string, hostname: string]> = [
      ['http://127.0.0.1/', '127.0.0.1'],
      ['http://2130706433/', '127.0.0.1'],
      ['http://0x7f.1/', '127.0.0.1'],
      ['http://0x7f000001/', '127.0.0.1'],
      ['http://017700000001/', '127.0.0.1'],
      ['http://0177.0.0.01/', '127.0.0.1'],
      ['http://127.1/', '127.0.0.1'],
      ['http://127.0.0.1./', '127.0.0.1'],
      ['http://0/', '0.0.0.0'],
      ['http://169.254.169.254/latest/meta-data/', '169.254.169.254'],
      ['http://0xa9fea9fe/', '169.254.169.254'],
      ['http://[::1]:8080/', '[::1]'],
      ['http://[::ffff:127.0.0.1]/', '[::ffff:7f00:1]'],
      ['http://[::ffff:7f00:1]/', '[::ffff:7f00:1]'],
      ['http://[0:0:0:0:0:ffff:127.0.0.1]/', '[::ffff:7f00:1]'],
      ['http://[fe80::1]/', '[fe80::1]'],
      ['http://[64:ff9b::127.0.0.1]/', '[64:ff9b::7f00:1]'],
    ];
    for (const [url, hostname] of literals) {
      expect(new URL(url).hostname, url).toBe(hostname);
      const lookup = noLookup();
      const err = await refusal(url, { lookup });
      expect(err.code, url).toBe(ErrorCode.FORBIDDEN);
      expect(err.message, url).toMatch(/^webhook address \S+ is forbidden: /);
      expect(lookup).not.toHaveBeenCalled();
    }
  });

  it('passes a public literal IP without a lookup and returns it as the address', async () => {
    const lookup = noLookup();
    expect((await checkWebhookTarget('http://93.184.215.14:8080/hook', { lookup })).addresses).toEqual([
      '93.184.215.14',
    ]);
    expect((await checkWebhookTarget('http://[2606:4700:4700::1111]/hook', { lookup })).addresses).toEqual([
      '2606:4700:4700::1111',
    ]);
    expect(lookup).not.toHaveBeenCalled();
  });

  it('refuses schemes other than http and https, even with allowPrivate', async () => {
    for (const url of [
      'ftp://hooks.example.com/',
      'file:///etc/passwd',
      'gopher://hooks.example.com/',
      'javascript:alert(1)',
      'ws://hooks.example.com/',
    ]) {
      for (const allowPrivate of [false, true]) {
        const err = await refusal(url, { allowPrivate, lookup: resolvesTo('93.184.215.14') });
        expect(err.code).toBe(ErrorCode.FORBIDDEN);
        expect(err.message).toMatch(/must use http or https/);
      }
    }
  });

  it('refuses credentials in the URL, even with allowPrivate', async () => {
    for (const url of [
      'http://user:pw@hooks.example.com/',
      'https://user@hooks.example.com/',
      'https://:pw@hooks.example.com/',
    ]) {
      const err = await refusal(url, { allowPrivate: true, lookup: resolvesTo('93.184.215.14') });
      expect(err.code).toBe(ErrorCode.FORBIDDEN);
      expect(err.message).toMatch(/credentials/);
    }
  });

  it('reports malformed URLs and unresolvable hosts as BAD_USER_INPUT', async () => {
    for (const url of ['not a url', 'hooks.example.com/x', 'http://a.com:99999/', 'http://[::1/', '']) {
      expect((await refusal(url, {})).code, url).toBe(ErrorCode.BAD_USER_INPUT);
    }
    const enotfound = Object.assign(new Error('getaddrinfo ENOTFOUND nope.invalid'), { code: 'ENOTFOUND' });
    const err = await refusal('https://nope.invalid/', { lookup: () => Promise.reject(enotfound) });
    expect(err.code).toBe(ErrorCode.BAD_USER_INPUT);
    expect(err.message).toMatch(/does not resolve/);
    expect((await refusal('https://empty.example.com/', { lookup: resolvesTo() })).code).toBe(ErrorCode.BAD_USER_INPUT);
    // A transient DNS failure is not the user's fault: it propagates for the caller to retry.
    const eagain = Object.assign(new Error('getaddrinfo EAI_AGAIN'), { code: 'EAI_AGAIN' });
    await expect(
      checkWebhookTarget('https://hooks.example.com/', { lookup: () => Promise.reject(eagain) }),
    ).rejects.toBe(eagain);
  });

  it('refuses cloud metadata endpoints even with allowPrivate, in every spelling', async () => {
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      'http://[::ffff:169.254.169.254]/',
      'http://2852039166/',
      'http://168.63.129.16/',
    ]) {
      const err = await refusal(url, { allowPrivate: true });
      expect(err.code, url).toBe(ErrorCode.FORBIDDEN);
      expect(err.message, url).toMatch(/cloud metadata endpoint/);
    }
    const viaName = await refusal('https://hooks.example.com/', {
      allowPrivate: true,
      lookup: resolvesTo('169.254.169.254'),
    });
    expect(viaName.message).toMatch(/resolves to a forbidden address: cloud metadata endpoint/);
    // The rest of link-local stays open with allowPrivate.
    expect((await checkWebhookTarget('http://169.254.10.1/', { allowPrivate: true })).addresses).toEqual([
      '169.254.10.1',
    ]);
  });

  it('refuses a lookup answer that is not an IP address, even with allowPrivate', async () => {
    for (const answers of [['localhost'], ['127.0.0.1', 'not-an-ip']]) {
      const err = await refusal('https://hooks.example.com/', { allowPrivate: true, lookup: resolvesTo(...answers) });
      expect(err.code).toBe(ErrorCode.FORBIDDEN);
      expect(err.message).toMatch(/not an IP address/);
    }
    expect(isForbiddenAddress('localhost')).toBe('not an IP address');
    expect(isForbiddenAddress('1.2.3.4.5')).toBe('not an IP address');
  });

  it('allowPrivate lifts the address rule only', async () => {
    const target = await checkWebhookTarget('http://receiver.local:9000/hook', {
      allowPrivate: true,
      lookup: resolvesTo('127.0.0.1', '::1'),
    });
    expect(target.addresses).toEqual(['127.0.0.1', '::1']);
    expect((await checkWebhookTarget('http://127.0.0.1:9000/', { allowPrivate: true })).addresses).toEqual([
      '127.0.0.1',
    ]);
  });

  it('allowHosts: exact and wildcard entries match, anything else is refused', async () => {
    const policy = { allowHosts: ['hooks.example.com', '*.partner.io'], lookup: resolvesTo('93.184.215.14') };
    await expect(checkWebhookTarget('https://hooks.example.com/x', policy)).resolves.toBeTruthy();
    await expect(checkWebhookTarget('https://HOOKS.Example.COM./x', policy)).resolves.toBeTruthy();
    await expect(checkWebhookTarget('https://a.partner.io/x', policy)).resolves.toBeTruthy();
    await expect(checkWebhookTarget('https://a.b.partner.io/x', policy)).resolves.toBeTruthy();
    for (const url of [
      'https://example.com/',
      'https://other.example.com/',
      'https://hooks.example.com.evil.io/',
      'https://partner.io/', // the wildcard covers subdomains only
      'https://evilpartner.io/',
      'https://partner.io.evil.io/',
    ]) {
      const err = await refusal(url, policy);
      expect(err.code, url).toBe(ErrorCode.FORBIDDEN);
      expect(err.message, url).toMatch(/not in the allowed hosts list/);
    }
    // Being allowed by name does not lift the address rule.
    const err = await refusal('https://hooks.example.com/', {
      allowHosts: ['hooks.example.com'],
      lookup: resolvesTo('10.0.0.1'),
    });
    expect(err.message).toMatch(/private/);
    // A degenerate wildcard matches nothing.
    expect((await refusal('https://a.b/', { allowHosts: ['*.'], lookup: resolvesTo('93.184.215.14') })).code).toBe(
      ErrorCode.FORBIDDEN,
    );
  });

  it('uses the system resolver by default (localhost resolves from the hosts file)', async () => {
    const err = await refusal('http://localhost:4000/', {});
    expect(err.code).toBe(ErrorCode.FORBIDDEN);
    expect(err.message).toMatch(/loopback/);
  });
});

describe('webhook retry backoff', () => {
  it('stays within [0, min(maxMs, baseMs·2^attempt)] and is an integer', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2000 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 0, max: 100_000_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, baseMs, maxMs, r) => {
          const delay = nextAttemptDelayMs(attempt, { baseMs, maxMs, random: () => r });
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(Math.min(maxMs, baseMs * 2 ** attempt));
        },
      ),
    );
  });

  it('uses the defaults (1 s base, 1 h cap, Math.random)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), (attempt) => {
        const delay = nextAttemptDelayMs(attempt);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(Math.min(3_600_000, 1000 * 2 ** attempt));
      }),
    );
    expect(nextAttemptDelayMs(3, { random: () => 0.5 })).toBe(4000);
    expect(nextAttemptDelayMs(50, { random: () => 0.5 })).toBe(1_800_000);
    expect(nextAttemptDelayMs(5, { random: () => 0 })).toBe(0);
    expect(nextAttemptDelayMs(1, { random: () => 0.999999 })).toBe(1999);
  });

  it('keeps a misbehaving random source and a zero base in bounds', () => {
    expect(nextAttemptDelayMs(2, { random: () => 7 })).toBe(4000);
    expect(nextAttemptDelayMs(2, { random: () => -1 })).toBe(0);
    expect(nextAttemptDelayMs(2, { random: () => Number.NaN })).toBe(0);
    expect(nextAttemptDelayMs(5000, { baseMs: 0, random: () => 0.5 })).toBe(0);
  });

  it('refuses a negative or fractional attempt', () => {
    expect(() => nextAttemptDelayMs(-1)).toThrow(RangeError);
    expect(() => nextAttemptDelayMs(1.5)).toThrow(RangeError);
    expect(() => nextAttemptDelayMs(Number.NaN)).toThrow(RangeError);
  });

  it('dead-letters after a fixed number of attempts', () => {
    expect(Number.isInteger(MAX_ATTEMPTS)).toBe(true);
    expect(MAX_ATTEMPTS).toBeGreaterThan(1);
  });
});
