import { promises as dns } from 'node:dns';
import { isIP, isIPv4, isIPv6 } from 'node:net';
import { DomainError, ErrorCode } from '../../errors.js';

/**
 * Which URLs a webhook may target. Webhook URLs come from users, so the
 * sender must not become a proxy into our own network (SSRF): the scheme,
 * credentials and host are checked, then every address the host resolves to.
 * The caller must connect to one of the returned addresses rather than
 * resolving again, or a DNS answer that changes between check and connect
 * (rebinding) walks straight past this.
 */

export interface WebhookTargetPolicy {
  /**
   * Hostnames allowed, each exact (`hooks.example.com`) or a `*.example.com` wildcard (subdomains only). Absent: any
   * host.
   */
  allowHosts?: readonly string[];
  /** Lifts the address rule (tests, on-prem installs). Never lifts the scheme or credentials rules. */
  allowPrivate?: boolean;
  /**
   * Resolves a hostname to all of its addresses. Default: `dns.promises.lookup(host, { all: true, verbatim: true })`.
   */
  lookup?: (host: string) => Promise<string[]>;
}

export interface WebhookTarget {
  url: URL;
  /** Every address the host resolved to (the literal itself for an IP host), each checked. */
  addresses: string[];
}

const refuse = (message: string) => new DomainError(ErrorCode.FORBIDDEN, message);
const malformed = (message: string) => new DomainError(ErrorCode.BAD_USER_INPUT, message);

/**
 * Checks a webhook URL against the policy. Throws BAD_USER_INPUT when the URL
 * does not parse or its host does not resolve, FORBIDDEN when a rule refuses
 * it. Other DNS errors (timeouts) propagate unchanged, as they are transient.
 */
export async function checkWebhookTarget(url: string, policy: WebhookTargetPolicy = {}): Promise<WebhookTarget> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw malformed('webhook URL must be an absolute http(s) URL; it does not parse');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw refuse(`webhook URL must use http or https, not ${parsed.protocol.slice(0, -1)}`);
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw refuse('webhook URL must not carry credentials (user:password@)');
  }
  // WHATWG parsing has already turned decimal, octal, hex and short IPv4 forms
  // (2130706433, 0x7f.1, 127.1) into dotted quads, and IPv6 into canonical form.
  const host = parsed.hostname.startsWith('[') ? parsed.hostname.slice(1, -1) : parsed.hostname;
  if (host === '') throw malformed('webhook URL must name a host');

  if (policy.allowHosts && !hostAllowed(host, policy.allowHosts)) {
    throw refuse(`webhook host ${host} is not in the allowed hosts list`);
  }

  const literal = isIP(host) !== 0;
  const addresses = literal ? [host] : await resolve(host, policy.lookup ?? defaultLookup);
  for (const address of addresses) {
    if (isIP(address) === 0) throw refuse(`webhook host ${host} resolved to something that is not an IP address`);
    const reason = isForbiddenAddress(address);
    // Private addresses may be allowed (tests, on-prem receivers); a cloud metadata endpoint never is.
    if (policy.allowPrivate && !reason?.startsWith('cloud metadata')) continue;
    // For a hostname, name the class but not the address: it may be an internal one.
    if (reason) {
      throw refuse(
        literal
          ? `webhook address ${host} is forbidden: ${reason}`
          : `webhook host ${host} resolves to a forbidden address: ${reason}`,
      );
    }
  }
  return { url: parsed, addresses };
}

function hostAllowed(host: string, allowHosts: readonly string[]): boolean {
  const h = stripDot(host.toLowerCase());
  return allowHosts.some((raw) => {
    const entry = stripDot(raw.trim().toLowerCase());
    if (entry.startsWith('*.')) return entry.length > 2 && h.endsWith(entry.slice(1)) && h.length > entry.length - 1;
    return h === entry;
  });
}

const stripDot = (s: string) => (s.endsWith('.') ? s.slice(0, -1) : s);

async function defaultLookup(host: string): Promise<string[]> {
  const answers = await dns.lookup(host, { all: true, verbatim: true });
  return answers.map((a) => a.address);
}

async function resolve(host: string, lookup: (host: string) => Promise<string[]>): Promise<string[]> {
  let addresses: string[];
  try {
    addresses = await lookup(host);
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    if (code === 'ENOTFOUND' || code === 'ENODATA') throw malformed(`webhook host ${host} does not resolve`);
    throw err;
  }
  if (addresses.length === 0) throw malformed(`webhook host ${host} does not resolve`);
  return [...new Set(addresses)];
}

// ---- address classes -------------------------------------------------------

type V4Range = readonly [base: number, prefix: number, reason: string];

// First match wins, so specific entries precede the ranges that contain them.
const V4_FORBIDDEN: readonly V4Range[] = [
  [v4('0.0.0.0'), 32, 'unspecified address (0.0.0.0)'],
  [v4('0.0.0.0'), 8, '"this network" (0.0.0.0/8)'],
  [v4('10.0.0.0'), 8, 'private (RFC 1918, 10.0.0.0/8)'],
  [v4('100.64.0.0'), 10, 'carrier-grade NAT (100.64.0.0/10)'],
  [v4('127.0.0.0'), 8, 'loopback (127.0.0.0/8)'],
  [v4('169.254.169.254'), 32, 'cloud metadata endpoint (169.254.169.254)'],
  [v4('169.254.0.0'), 16, 'link-local (169.254.0.0/16)'],
  [v4('172.16.0.0'), 12, 'private (RFC 1918, 172.16.0.0/12)'],
  [v4('192.0.0.0'), 24, 'IETF protocol assignments (192.0.0.0/24)'],
  [v4('192.0.2.0'), 24, 'documentation (192.0.2.0/24)'],
  [v4('192.88.99.0'), 24, 'deprecated 6to4 relay anycast (192.88.99.0/24)'],
  [v4('192.168.0.0'), 16, 'private (RFC 1918, 192.168.0.0/16)'],
  [v4('198.18.0.0'), 15, 'benchmarking (198.18.0.0/15)'],
  [v4('198.51.100.0'), 24, 'documentation (198.51.100.0/24)'],
  [v4('203.0.113.0'), 24, 'documentation (203.0.113.0/24)'],
  // Azure's wire server / instance metadata lives on a public address.
  [v4('168.63.129.16'), 32, 'cloud metadata endpoint (168.63.129.16)'],
  [v4('224.0.0.0'), 4, 'multicast (224.0.0.0/4)'],
  [v4('255.255.255.255'), 32, 'broadcast (255.255.255.255)'],
  [v4('240.0.0.0'), 4, 'reserved (240.0.0.0/4)'],
];

/**
 * Why a webhook must not connect to `ip`, or null when it may. Accepts IPv4
 * and IPv6 text (a `%zone` suffix or brackets are ignored); anything else is
 * refused. IPv6 forms that carry an IPv4 address (mapped, compatible,
 * translated, NAT64, 6to4) are judged by that IPv4 address, and beyond the
 * named classes only global unicast 2000::/3 passes.
 */
export function isForbiddenAddress(ip: string): string | null {
  let text = ip.trim();
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  if (isIPv4(text)) return forbiddenV4(v4(text));
  if (isIPv6(text)) return forbiddenV6(v6(text));
  return 'not an IP address';
}

function forbiddenV4(addr: number): string | null {
  for (const [base, prefix, reason] of V4_FORBIDDEN) if (inV4(addr, base, prefix)) return reason;
  return null;
}

function forbiddenV6(addr: bigint): string | null {
  if (addr === 0n) return 'unspecified address (::)';
  if (addr === 1n) return 'loopback (::1)';

  const low32 = Number(addr & 0xffff_ffffn);
  const embedded = (form: string, v4addr: number, otherwise: string | null) => {
    const reason = forbiddenV4(v4addr);
    return reason ? `${reason} via ${form} ${v4text(v4addr)}` : otherwise;
  };
  // Mapped (::ffff:a.b.c.d) is how a dual-stack socket reaches an IPv4 host: judge that host.
  if (inV6(addr, V6.mapped, 96)) return embedded('IPv4-mapped IPv6', low32, null);
  if (inV6(addr, V6.nat64, 96)) return embedded('NAT64', low32, null);
  if (inV6(addr, V6.sixToFour, 16)) return embedded('6to4', Number((addr >> 80n) & 0xffff_ffffn), null);
  // Deprecated forms with no legitimate use: refused even when the IPv4 part is public.
  if (inV6(addr, V6.compat, 96))
    return embedded('IPv4-compatible IPv6', low32, 'deprecated IPv4-compatible IPv6 (::/96)');
  if (inV6(addr, V6.translated, 96))
    return embedded('IPv4-translated IPv6', low32, 'IPv4-translated IPv6 (::ffff:0:0:0/96)');

  if (inV6(addr, V6.linkLocal, 10)) return 'link-local (fe80::/10)';
  if (inV6(addr, V6.siteLocal, 10)) return 'deprecated site-local (fec0::/10)';
  if (inV6(addr, V6.uniqueLocal, 7)) return 'unique-local (fc00::/7)';
  if (inV6(addr, V6.multicast, 8)) return 'multicast (ff00::/8)';
  if (inV6(addr, V6.nat64Local, 48)) return 'local-use NAT64 (64:ff9b:1::/48)';
  if (inV6(addr, V6.discard, 64)) return 'discard-only (100::/64)';
  // Teredo hides the client's IPv4 address (XORed) in the low bits: not worth trusting.
  if (inV6(addr, V6.teredo, 32)) return 'Teredo tunnel (2001::/32)';
  if (inV6(addr, V6.documentation, 32)) return 'documentation (2001:db8::/32)';
  if (inV6(addr, V6.documentation2, 20)) return 'documentation (3fff::/20)';
  if (!inV6(addr, V6.globalUnicast, 3)) return 'reserved IPv6 (outside global unicast 2000::/3)';
  return null;
}

const V6 = {
  mapped: v6('::ffff:0:0'),
  compat: v6('::'),
  translated: v6('::ffff:0:0:0'),
  nat64: v6('64:ff9b::'),
  nat64Local: v6('64:ff9b:1::'),
  sixToFour: v6('2002::'),
  linkLocal: v6('fe80::'),
  siteLocal: v6('fec0::'),
  uniqueLocal: v6('fc00::'),
  multicast: v6('ff00::'),
  discard: v6('100::'),
  teredo: v6('2001::'),
  documentation: v6('2001:db8::'),
  documentation2: v6('3fff::'),
  globalUnicast: v6('2000::'),
} as const;

function inV4(addr: number, base: number, prefix: number): boolean {
  if (prefix === 0) return true;
  const mask = prefix === 32 ? 0xffff_ffff : (0xffff_ffff << (32 - prefix)) >>> 0;
  return (addr & mask) >>> 0 === (base & mask) >>> 0;
}

function inV6(addr: bigint, base: bigint, prefix: number): boolean {
  const shift = BigInt(128 - prefix);
  return addr >> shift === base >> shift;
}

/** Dotted quad (already validated by isIPv4) to an unsigned 32-bit number. */
function v4(text: string): number {
  return text.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function v4text(addr: number): string {
  return [24, 16, 8, 0].map((s) => (addr >>> s) & 0xff).join('.');
}

/** IPv6 text (already validated by isIPv6, no zone) to a 128-bit integer. */
function v6(text: string): bigint {
  let s = text;
  // A dotted IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
  const lastColon = s.lastIndexOf(':');
  const tail = s.slice(lastColon + 1);
  if (tail.includes('.')) {
    const n = v4(tail);
    s = `${s.slice(0, lastColon + 1)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head = '', rest] = s.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const restGroups = rest === undefined || rest === '' ? [] : rest.split(':');
  const zeros = rest === undefined ? [] : new Array<string>(8 - headGroups.length - restGroups.length).fill('0');
  return [...headGroups, ...zeros, ...restGroups].reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}
