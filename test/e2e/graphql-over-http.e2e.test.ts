import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, TEST_ADMIN_TOKEN } from '../support/graphql.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * The GraphQL over HTTP specification's audit suite (graphql-http's
 * serverAudits) against a real server. Every MUST holds. The SHOULD and MAY
 * audits that do not are deliberate and listed here, so a new deviation fails:
 * - parse, validation and variable-coercion failures answer 400 even to a
 *   client that accepts only application/json (Apollo Server's behaviour; the
 *   spec's SHOULD for that legacy media type is 200);
 * - a GET carrying a query is refused by CSRF prevention unless it sends a
 *   header a simple cross-site request cannot (`apollo-require-preflight`,
 *   or a non-simple content type), which the audit's bare GETs do not.
 */
const ACCEPTED_DEVIATIONS = [
  'SHOULD use 200 status code on document parsing failure when accepting application/json',
  'SHOULD use 200 status code on document validation failure when accepting application/json',
  'SHOULD use a status code of 200 on variable coercion failure when accepting application/json',
  'MAY accept application/x-www-form-urlencoded formatted GET requests',
  'MAY allow URL-encoded JSON string {variables} parameter in GETs when accepting application/graphql-response+json',
  'MAY allow URL-encoded JSON string {variables} parameter in GETs when accepting application/json',
];

describe('GraphQL over HTTP: the specification audit', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('passes every MUST audit, and fails no SHOULD or MAY beyond the listed deviations', async () => {
    const audits = serverAudits({
      url: () => t.url,
      // Every operation needs a token (governance); the audits are about the transport.
      fetchFn: (input: string | URL | Request, init?: RequestInit) =>
        fetch(input, {
          ...init,
          headers: {
            ...Object.fromEntries(new Headers(init?.headers).entries()),
            authorization: bearer(TEST_ADMIN_TOKEN),
          },
        }),
    });
    const failed: string[] = [];
    let must = 0;
    for (const audit of audits) {
      if (audit.name.startsWith('MUST')) must++;
      const result = await audit.fn();
      if (result.status !== 'ok') failed.push(audit.name);
    }
    expect(must).toBeGreaterThan(10);
    expect(failed.filter((name) => name.startsWith('MUST'))).toEqual([]);
    expect(failed.filter((name) => !ACCEPTED_DEVIATIONS.includes(name))).toEqual([]);
  }, 120_000);
});
