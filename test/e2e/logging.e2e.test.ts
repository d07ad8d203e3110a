import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { code, gqlOk, uniq, wsClient } from '../support/graphql.js';
import { testDriver } from '../support/neo4j.js';
import { startTestServer, type TestServer } from '../support/server.js';

/** A pino logger whose JSON lines are kept in memory. */
function capture(level: string) {
  const lines: Record<string, any>[] = [];
  const raw: string[] = [];
  const sink = new Writable({
    write: (chunk, _enc, cb) => {
      raw.push(chunk.toString());
      lines.push(JSON.parse(chunk.toString()));
      cb();
    },
  });
  return { log: pino({ level }, sink), lines, text: () => raw.join('') };
}

async function webhookNode(id: string): Promise<{ secret: string | null; sealedSecret: string | null }> {
  const driver = testDriver();
  try {
    const r = await driver.executeQuery(
      'MATCH (w:Webhook {id: $id}) RETURN w.secret AS secret, w.sealedSecret AS sealedSecret',
      { id },
    );
    return { secret: r.records[0]!.get('secret'), sealedSecret: r.records[0]!.get('sealedSecret') };
  } finally {
    await driver.close();
  }
}

const REGISTER = `mutation($input: RegisterWebhookInput!) { registerWebhook(input: $input) { secret webhook { id } } }`;

describe('debug logs carry no secrets', () => {
  // Sealed (PEDIGREE_SIGNING_SECRET set: the default of test servers) and in clear (unset).
  for (const [label, env] of [
    ['sealed at rest', {}],
    ['in clear at rest', { PEDIGREE_SIGNING_SECRET: '' }],
  ] as const) {
    it(`a webhook registration logs its statement with the secret redacted (${label})`, async () => {
      const cap = capture('debug');
      const t = await startTestServer({ ...env, PEDIGREE_WEBHOOK_ALLOW_PRIVATE: 'true' }, { log: cap.log });
      try {
        const url = `http://127.0.0.1:9/hooks/${uniq('path-credential')}?token=${uniq('query-credential')}`;
        const reg = (await gqlOk(t.url, REGISTER, { input: { url, eventTypes: ['ALIAS_SET'] } })).registerWebhook;
        const stored = await webhookNode(reg.webhook.id);
        await t.app.services.events.webhooks.remove({ name: 'test' }, reg.webhook.id);

        // The statement was logged (so the capture works), with its secrets redacted...
        const create = cap.lines.find((l) => l.msg === 'cypher' && l.statement === 'events/create-webhook');
        expect(create).toBeDefined();
        expect(create!.params).toMatchObject({ id: reg.webhook.id, url: 'http://127.0.0.1:9/…' });
        const secretParam = 'PEDIGREE_SIGNING_SECRET' in env ? 'secret' : 'sealedSecret';
        expect(stored[secretParam]).toEqual(expect.any(String));
        expect(create!.params[secretParam]).toBe('[redacted]');
        // ...and no trace of the secret, its key, its sealed form or the URL's credentials anywhere.
        const all = cap.text();
        expect(all).not.toContain(reg.secret);
        expect(all).not.toContain(reg.secret.replace(/^whsec_/, ''));
        if (stored.sealedSecret) expect(all).not.toContain(stored.sealedSecret);
        expect(cap.lines.filter((l) => JSON.stringify(l).match(/path-credential|query-credential/))).toEqual([]);
      } finally {
        await t.close();
      }
    });
  }
});

describe('invalid operations over graphql-ws get a GraphQL error with its code, and nothing in the error log', () => {
  const cap = capture('info');
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({}, { log: cap.log });
  });
  afterAll(async () => {
    await t?.close();
  });

  /** The errors a subscribe ends with (an empty list when it completes without one). */
  async function errorsOf(query: string, variables?: Record<string, unknown>, operationName?: string): Promise<any[]> {
    const client = wsClient(t.url);
    try {
      return await new Promise<any[]>((resolve) => {
        const dispose = client.subscribe(
          { query, variables, operationName },
          {
            next: () => undefined,
            error: (e) => {
              dispose();
              resolve(Array.isArray(e) ? e : [e]);
            },
            complete: () => resolve([]),
          },
        );
      });
    } finally {
      await client.dispose();
    }
  }

  const cases: [string, string, Record<string, unknown> | undefined, string][] = [
    ['a syntax error', 'subscription { aliasChanged(modelName: "m" { sequence } }', undefined, 'GRAPHQL_PARSE_FAILED'],
    [
      'an unknown field',
      'subscription { aliasChanged(modelName: "m") { nope } }',
      undefined,
      'GRAPHQL_VALIDATION_FAILED',
    ],
    [
      'a subscription to a query field',
      'subscription { serverInfo { version } }',
      undefined,
      'GRAPHQL_VALIDATION_FAILED',
    ],
    [
      'two root fields in a subscription',
      'subscription { a: aliasChanged(modelName: "m") { sequence } b: registryEvents { sequence } }',
      undefined,
      'GRAPHQL_VALIDATION_FAILED',
    ],
    [
      'an unknown argument',
      'subscription { aliasChanged(modelName: "m", colour: "red") { sequence } }',
      undefined,
      'GRAPHQL_VALIDATION_FAILED',
    ],
    [
      'an undeclared variable',
      'subscription { aliasChanged(modelName: $m) { sequence } }',
      undefined,
      'GRAPHQL_VALIDATION_FAILED',
    ],
    [
      'a missing required variable',
      'subscription S($m: String!) { aliasChanged(modelName: $m) { sequence } }',
      {},
      'BAD_USER_INPUT',
    ],
    [
      'a variable of the wrong type',
      'subscription S($m: String!) { aliasChanged(modelName: $m) { sequence } }',
      { m: { not: 'a string' } },
      'BAD_USER_INPUT',
    ],
    [
      'a bad enum in a query',
      'query Q($d: LineageDirection!) { lineage(id: "x", direction: $d) { truncated } }',
      { d: 'SIDEWAYS' },
      'BAD_USER_INPUT',
    ],
  ];

  for (const [what, query, variables, expected] of cases) {
    it(`${what} → ${expected}`, async () => {
      const before = cap.lines.length;
      const errors = await errorsOf(query, variables);
      expect(errors.length).toBeGreaterThan(0);
      expect(errors.map((e) => e.extensions?.code)).toEqual(errors.map(() => expected));
      expect(JSON.stringify(errors)).not.toMatch(/internal error|stack|at .*\.js/);
      const logged = cap.lines.slice(before);
      expect(logged.filter((l) => l.level >= 50)).toEqual([]);
      expect(JSON.stringify(logged)).not.toMatch(/"stack"/);
    });
  }

  it('an unknown operation name → BAD_REQUEST; a valid operation still works on the same server', async () => {
    const errors = await errorsOf('query A { serverInfo { version } }', undefined, 'B');
    expect(errors.map((e) => e.extensions?.code)).toEqual(['BAD_REQUEST']);
    const ok = await new Promise<any>((resolve, reject) => {
      const client = wsClient(t.url);
      client.subscribe(
        { query: '{ serverInfo { version } }' },
        { next: (r) => resolve(r), error: reject, complete: () => void client.dispose() },
      );
    });
    expect(ok.data.serverInfo.version).toEqual(expect.any(String));
    expect(code(ok)).toBeUndefined();
    expect(cap.lines.filter((l) => l.level >= 50)).toEqual([]);
  });
});
