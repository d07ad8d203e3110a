import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendEvent, EventType } from '../../src/events/event-log.js';
import { collect } from '../support/events.js';
import { as, bearer, gqlOk, TEST_ADMIN_TOKEN, uniq, wsClient } from '../support/graphql.js';
import { testDriver } from '../support/neo4j.js';
import { startTestServer, type TestServer } from '../support/server.js';

const TYPES = ['WEBHOOK_CREATED', 'WEBHOOK_DELETED', 'TOKEN_CREATED', 'TOKEN_REVOKED'];
const FIELDS = 'sequence type actor subjectId before after redacted';
const AUDIT = `query($after: String, $types: [String!]) { auditLog(filter: { types: $types }, first: 50, after: $after) { edges { node { ${FIELDS} } } } }`;
const EVENTS = `subscription($after: String, $types: [String!]) { registryEvents(after: $after, types: $types) { ${FIELDS} } }`;
const REGISTER = 'mutation($input: RegisterWebhookInput!) { registerWebhook(input: $input) { webhook { id url } } }';

/**
 * auditLog's cursor for "after this sequence" (base64url of the JSON sort key, as src/schema/common/page.ts makes it).
 */
const sequenceCursor = (sequence: string) => Buffer.from(JSON.stringify([sequence]), 'utf8').toString('base64url');

interface Seen {
  sequence: string;
  type: string;
  actor: string;
  subjectId: string | null;
  before: any;
  after: any;
  redacted: boolean;
}

/** A loopback receiver that keeps every POSTed body. */
async function receiver(): Promise<{ url: string; bodies: any[]; close(): Promise<void> }> {
  const bodies: any[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bodies,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/**
 * Finding 8: events visible below ADMIN carry no secrets. Webhook URLs (whose
 * path and query carry the receiver's credential) are shown as their origin
 * and are no longer stored in the log at all; token events hide who holds
 * which role. Over HTTP (auditLog), graphql-ws (registryEvents) and in
 * webhook bodies; an ADMIN sees what the log stores.
 */
describe('events below ADMIN carry no secrets', () => {
  let t: TestServer;
  let rx: Awaited<ReturnType<typeof receiver>>;
  let viewer: string;
  let mark: string;
  let secretUrl: string;
  let tokenName: string;
  let legacySequence: string;
  let allHook: string | undefined;
  const legacyUrl = 'https://hooks.example.com/services/T01/B02/legacy-path-secret?sig=legacy-query-secret';

  beforeAll(async () => {
    t = await startTestServer({ PEDIGREE_WEBHOOK_ALLOW_PRIVATE: 'true', PEDIGREE_EVENT_POLL_MS: '50' });
    rx = await receiver();
    viewer = (
      await gqlOk(t.url, 'mutation($n: String!) { createApiToken(name: $n, role: VIEWER) { token } }', {
        n: uniq('viewer'),
      })
    ).createApiToken.token;
    // A receiver that gets every event of these types, as an outside endpoint would.
    allHook = (await gqlOk(t.url, REGISTER, { input: { url: `${rx.url}/all`, eventTypes: TYPES } })).registerWebhook
      .webhook.id;
    mark = (await gqlOk(t.url, '{ serverInfo { lastSequence } }')).serverInfo.lastSequence;

    secretUrl = `${rx.url}/services/T01/B02/path-secret-7f3a?token=query-secret-9c1d`;
    // Deliveries to this one go nowhere useful: it wants a type nothing writes.
    const b = (await gqlOk(t.url, REGISTER, { input: { url: secretUrl, eventTypes: ['NEVER_WRITTEN'] } }))
      .registerWebhook.webhook;
    expect(b.url).toBe(secretUrl); // the webhook itself (ADMIN only) keeps the URL it must call
    tokenName = uniq('ci-bot');
    await gqlOk(t.url, 'mutation($n: String!) { createApiToken(name: $n, role: ADMIN) { token } }', { n: tokenName });
    await gqlOk(t.url, 'mutation($r: String!) { revokeApiToken(ref: $r) }', { r: tokenName });
    await gqlOk(t.url, 'mutation($id: ID!) { deleteWebhook(id: $id) { id } }', { id: b.id });
    // An event written before this rule, with the whole URL in it: redacted at read.
    legacySequence = (
      await t.app.executor.writeTx(
        (tx) =>
          appendEvent(tx, {
            type: EventType.WEBHOOK_CREATED,
            actor: 'admin',
            subjectId: uniq('legacy'),
            after: { url: legacyUrl, eventTypes: [] },
          }),
        'test:legacyWebhookEvent',
      )
    ).sequence;
  });
  afterAll(async () => {
    // Later test files write these event types too: a webhook left behind would keep delivering to a closed receiver.
    if (allHook) await gqlOk(t.url, 'mutation($id: ID!) { deleteWebhook(id: $id) { id } }', { id: allHook });
    await t?.close();
    await rx?.close();
  });

  const auditAs = async (token: string): Promise<Seen[]> =>
    (await gqlOk(t.url, AUDIT, { after: sequenceCursor(mark), types: TYPES }, as(token))).auditLog.edges.map(
      (e: { node: Seen }) => e.node,
    );

  const subscribeAs = async (token: string): Promise<Seen[]> => {
    const client = wsClient(t.url, { authorization: bearer(token) });
    const c = collect<Seen>(client, EVENTS, { after: mark, types: TYPES }, (d) => d.registryEvents);
    try {
      return await c.until(5);
    } finally {
      c.stop();
      await client.dispose();
    }
  };

  const origin = () => rx.url;
  const urlSha256 = () => createHash('sha256').update(secretUrl).digest('hex');

  /** What a VIEWER must see, the same over every transport. */
  function expectViewerView(events: Seen[]) {
    expect(events.map((e) => e.type)).toEqual([
      'WEBHOOK_CREATED',
      'TOKEN_CREATED',
      'TOKEN_REVOKED',
      'WEBHOOK_DELETED',
      'WEBHOOK_CREATED',
    ]);
    const [created, token, revoked, deleted, legacy] = events as [Seen, Seen, Seen, Seen, Seen];
    expect(created).toMatchObject({
      actor: 'admin',
      redacted: true,
      after: { url: origin(), eventTypes: ['NEVER_WRITTEN'] },
    });
    expect(created.after).not.toHaveProperty('urlSha256');
    expect(deleted).toMatchObject({ redacted: true, before: { url: origin(), eventTypes: ['NEVER_WRITTEN'] } });
    for (const e of [token, revoked])
      expect(e).toMatchObject({ actor: 'admin', subjectId: null, before: null, after: null, redacted: true });
    expect(legacy).toMatchObject({
      sequence: legacySequence,
      redacted: true,
      after: { url: 'https://hooks.example.com', eventTypes: [] },
    });
    const text = JSON.stringify(events);
    for (const secret of ['path-secret', 'query-secret', '/services/', tokenName]) expect(text).not.toContain(secret);
  }

  it('auditLog over HTTP: a VIEWER sees webhook origins and token events without details; an ADMIN sees what is stored', async () => {
    expectViewerView(await auditAs(viewer));

    const admin = await auditAs(TEST_ADMIN_TOKEN);
    const [created, token, revoked, deleted, legacy] = admin as [Seen, Seen, Seen, Seen, Seen];
    expect(created).toMatchObject({
      redacted: false,
      after: { url: origin(), urlSha256: urlSha256(), eventTypes: ['NEVER_WRITTEN'] },
    });
    expect(deleted).toMatchObject({ redacted: false, before: { url: origin(), urlSha256: urlSha256() } });
    expect(token).toMatchObject({ redacted: false, after: { name: tokenName, role: 'ADMIN' } });
    expect(token.subjectId).toBeTruthy();
    expect(revoked).toMatchObject({ redacted: false, after: { names: [tokenName] } });
    expect(legacy).toMatchObject({ redacted: false, after: { url: legacyUrl } });
  });

  it('registryEvents over graphql-ws (replay, then live): the same views for a VIEWER and an ADMIN', async () => {
    expectViewerView(await subscribeAs(viewer));
    const admin = await subscribeAs(TEST_ADMIN_TOKEN);
    expect(admin.map((e) => e.redacted)).toEqual([false, false, false, false, false]);
    expect(admin[1]!.after).toMatchObject({ name: tokenName, role: 'ADMIN' });

    // Live, not replayed: a new token event reaches a VIEWER's open subscription redacted.
    const client = wsClient(t.url, { authorization: bearer(viewer) });
    const c = collect<Seen>(client, EVENTS, { types: ['TOKEN_CREATED'] }, (d) => d.registryEvents);
    try {
      await new Promise((r) => setTimeout(r, 300)); // the subscription is live before the write
      const live = uniq('live-bot');
      await gqlOk(t.url, 'mutation($n: String!) { createApiToken(name: $n, role: REVIEWER) { token } }', { n: live });
      const [e] = await c.until(1);
      expect(e).toMatchObject({ type: 'TOKEN_CREATED', subjectId: null, after: null, redacted: true });
      expect(JSON.stringify(e)).not.toContain(live);
    } finally {
      c.stop();
      await client.dispose();
    }
  });

  it("webhook bodies carry the VIEWER view: a receiver never learns another webhook's URL or the token inventory", async () => {
    const deadline = Date.now() + 30_000;
    const after = (b: any) =>
      BigInt(b.data.sequence) > BigInt(mark) && BigInt(b.data.sequence) <= BigInt(legacySequence);
    while (rx.bodies.filter(after).length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const bodies = rx.bodies.filter(after).sort((a, b) => (BigInt(a.data.sequence) < BigInt(b.data.sequence) ? -1 : 1));
    expectViewerView(bodies.map((b) => b.data));
  });

  it('the log itself no longer stores a webhook URL: only its origin and fingerprint', async () => {
    const driver = testDriver();
    try {
      const { records } = await driver.executeQuery(
        "MATCH (e:Event) WHERE e.type IN ['WEBHOOK_CREATED', 'WEBHOOK_DELETED'] AND (e.after CONTAINS $s OR e.before CONTAINS $s) RETURN count(e) AS n",
        { s: 'path-secret-7f3a' },
      );
      expect(records[0]!.get('n').toNumber()).toBe(0);
    } finally {
      await driver.close();
    }
  });
});
