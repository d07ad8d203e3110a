import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIPv6 } from 'node:net';
import type { LookupFunction } from 'node:net';

export interface SendResult {
  /** HTTP status, or null when no response came (connection error, timeout). */
  statusCode: number | null;
  error: string | null;
}

/**
 * POSTs `body` to `url`, connecting to `address` (one the SSRF check
 * approved) rather than resolving the host again, so a DNS answer that
 * changes between check and connect cannot redirect the request. TLS still
 * verifies the certificate against the URL's host name. Redirects are not
 * followed: a 3xx is a failed attempt like any other non-2xx.
 */
export function postTo(url: URL, address: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<SendResult> {
  const family = isIPv6(address) ? 6 : 4;
  const lookup: LookupFunction = (_host, options, callback) => {
    if ((options as { all?: boolean }).all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address, family }]);
    else callback(null, address, family);
  };
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method: 'POST',
        lookup,
        timeout: timeoutMs,
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'pedigree-webhooks', ...headers },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ statusCode: res.statusCode ?? null, error: null }));
        res.on('error', (err) => resolve({ statusCode: res.statusCode ?? null, error: err.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no response within ${timeoutMs} ms`)));
    req.on('error', (err) => resolve({ statusCode: null, error: err.message.slice(0, 200) }));
    req.end(body);
  });
}
