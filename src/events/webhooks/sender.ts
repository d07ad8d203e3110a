import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIPv6 } from 'node:net';
import type { LookupFunction } from 'node:net';

export interface SendResult {
  /** HTTP status, or null when no response came (connection error, timeout). */
  statusCode: number | null;
  error: string | null;
  /** The first 16 KiB of the response body, as UTF-8 (MLflow's test_webhook reports it). */
  responseBody: string;
}

const KEPT_RESPONSE_BYTES = 16 * 1024;

/**
 * POSTs `body` to `url`, connecting to `address` (one the SSRF check
 * approved) rather than resolving the host again, so a DNS answer that
 * changes between check and connect cannot redirect the request. TLS still
 * verifies the certificate against the URL's host name. Redirects are not
 * followed: a 3xx is a failed attempt like any other non-2xx.
 */
export function postTo(
  url: URL,
  address: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<SendResult> {
  const family = isIPv6(address) ? 6 : 4;
  const lookup: LookupFunction = (_host, options, callback) => {
    if ((options as { all?: boolean }).all)
      (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address, family }]);
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
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'pedigree-webhooks',
          ...headers,
        },
      },
      (res) => {
        const kept: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size < KEPT_RESPONSE_BYTES) kept.push(chunk.subarray(0, KEPT_RESPONSE_BYTES - size));
          size += chunk.length;
        });
        const responseBody = () => Buffer.concat(kept).toString('utf8');
        res.on('end', () => resolve({ statusCode: res.statusCode ?? null, error: null, responseBody: responseBody() }));
        res.on('error', (err) =>
          resolve({ statusCode: res.statusCode ?? null, error: err.message, responseBody: responseBody() }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no response within ${timeoutMs} ms`)));
    req.on('error', (err) => resolve({ statusCode: null, error: err.message.slice(0, 200), responseBody: '' }));
    req.end(body);
  });
}
