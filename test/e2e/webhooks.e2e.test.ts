import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { verifyWebhook } from '../../src/events/webhooks/signature.js';
import { createDriver } from '../../src/graph/driver.js';
import { createLogger } from '../../src/logger.js';
import { graphDigest } from '../support/graph-digest.js';
import { code, gql, gqlOk, uniq } from '../support/graphql.js';
import { appendAliasMove } from '../support/events.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { testNeo4jEnv } from '../support/neo4j.js';

const REGISTER = /* GraphQL */ `
  mutation ($input: RegisterWebhookInput!) {
    registerWebhook(input: $input) {
      secret
      webhook {
        id
        url
        eventTypes
        createdAt
      }
    }
  }
`;
const DELIVERIES = /* GraphQL */ `
  query ($id: ID!, $first: Int, $after: String) {
    webhookDeliveries(webhookId: $id, first: $first, after: $after) {
      totalCount
      edges {
        cursor
        node {
          sequence
          eventType
          status
          attempts
          lastStatusCode
          lastError
          deliveredAt
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;
const DELETE = 'mutation ($id: ID!) { deleteWebhook(id: $id) { id } }';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real HTTP receiver on loopback; `respond` picks each answer's status. */
async function receiver(respond: (r: Received, nth: number) => number) {
  const received: Received[] = [];
  let waiters: { n: number; pred: (r: Received) => boolean; resolve: (r: Received[]) => void }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(r);
      const status = respond(r, received.filter((x) => x.headers['webhook-id'] === r.headers['webhook-id']).length);
      res.writeHead(status, status >= 300 && status < 400 ? { location: 'http://127.0.0.1:1/elsewhere' } : {});
      res.end();
      waiters = waiters.filter((w) => {
        const hits = received.filter(w.pred);
        if (hits.length < w.n) return true;
        w.resolve(hits);
        return false;
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return {
    url,
    received,
    /** Resolves once `n` received requests satisfy `pred`. */
    waitFor: (n: number, pred: (r: Received) => boolean) =>
      new Promise<Received[]>((resolve) => {
        const hits = received.filter(pred);
        if (hits.length >= n) resolve(hits);
        else waiters.push({ n, pred, resolve });
      }),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function storedSecret(
  t: TestServer,
  id: string,
): Promise<{ secret: string | null; sealedSecret: string | null }> {
  const session = t.app.executor.driver.session();
  try {
    const r = await session.run(
      'MATCH (w:Webhook {id: $id}) RETURN w.secret AS secret, w.sealedSecret AS sealedSecret',
      { id },
    );
    return { secret: r.records[0]!.get('secret'), sealedSecret: r.records[0]!.get('sealedSecret') };
  } finally {
    await session.close();
  }
}

const lastSequence = async (url: string): Promise<string> =>
  (await gqlOk(url, '{ serverInfo { lastSequence } }')).serverInfo.lastSequence;

describe('webhooks: registration refuses forbidden targets (SSRF)', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t?.close();
  });

  it.each([
    ['http://127.0.0.1:8080/hook', 'FORBIDDEN'],
    ['http://169.254.169.254/latest/meta-data', 'FORBIDDEN'],
    ['http://[::1]/hook', 'FORBIDDEN'],
    ['http://10.1.2.3/hook', 'FORBIDDEN'],
    ['ftp://example.com/hook', 'FORBIDDEN'],
    ['http://user:pw@example.com/hook', 'FORBIDDEN'],
    ['not a url', 'BAD_USER_INPUT'],
  ])('%s → %s, and nothing is written', async (url, expected) => {
    const before = await graphDigest();
    const r = await gql(t.url, REGISTER, { input: { url, eventTypes: ['ALIAS_SET'] } });
    expect(code(r)).toBe(expected);
    expect(await graphDigest()).toEqual(before);
  });

  it('refuses event type names that are not names', async () => {
    const r = await gql(t.url, REGISTER, { input: { url: 'https://example.com/h', eventTypes: ['alias set'] } });
    expect(code(r)).toBe('BAD_USER_INPUT');
  });
});

describe('webhooks: signed, retried, durable deliveries', () => {
  const env = {
    PEDIGREE_WEBHOOK_ALLOW_PRIVATE: 'true',
    PEDIGREE_WEBHOOK_BACKOFF_BASE_MS: '20',
    PEDIGREE_EVENT_POLL_MS: '50',
  };
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(env);
  });
  afterAll(async () => {
    // Leave no webhook behind: a dispatcher with a webhook writes in the background.
    for (const w of (await t?.app.services.events.webhooks.list({ first: 500, after: null })) ?? [])
      await t.app.services.events.webhooks.remove({ name: 'test' }, w.id);
    await t?.close();
  });

  it('signs per Standard Webhooks; a receiver failing 3 times gets the event once more after each failure, then it stops', async () => {
    const rx = await receiver((_r, nth) => (nth <= 3 ? 500 : 200));
    const model = uniq('m');
    try {
      const reg = await gqlOk(t.url, REGISTER, {
        input: { url: rx.url, eventTypes: ['ALIAS_SET'], description: 'ci' },
      });
      const { secret, webhook } = reg.registerWebhook;
      expect(secret).toMatch(/^whsec_/);
      expect(webhook).toMatchObject({ url: rx.url, eventTypes: ['ALIAS_SET'] });
      const listed = await gqlOk(t.url, '{ webhooks { id url } }');
      expect(listed.webhooks).toContainEqual({ id: webhook.id, url: rx.url });
      // At rest the secret is sealed with PEDIGREE_SIGNING_SECRET (test servers have one), never in clear.
      const stored = await storedSecret(t, webhook.id);
      expect(stored.secret).toBeNull();
      expect(stored.sealedSecret).toMatch(/^v1:/);
      expect(stored.sealedSecret).not.toContain(secret.slice('whsec_'.length));

      // An event of another type is not delivered; the alias move is.
      await appendAliasMove(t.app.executor, { modelName: model, alias: 'prod', from: 1, to: null });
      const seqA = await appendAliasMove(t.app.executor, { modelName: model, alias: 'prod', from: null, to: 7 });
      const attempts = await rx.waitFor(4, (r) => r.headers['webhook-id'] === seqA);
      for (const r of attempts) {
        expect(verifyWebhook(r.headers, r.body, secret)).toMatchObject({ ok: true, id: seqA });
        expect(verifyWebhook(r.headers, r.body, 'whsec_' + Buffer.alloc(32, 1).toString('base64')).ok).toBe(false);
        const body = JSON.parse(r.body);
        expect(body).toMatchObject({
          type: 'ALIAS_SET',
          data: { sequence: seqA, modelName: model, alias: 'prod', version: 7, after: { version: 7 } },
        });
      }
      // The log says DELIVERED after 4 attempts; nothing more is sent for it.
      let node: any;
      for (;;) {
        const page = await gqlOk(t.url, DELIVERIES, { id: webhook.id, first: 10 });
        node = page.webhookDeliveries.edges.find((e: any) => e.node.sequence === seqA)?.node;
        if (node?.status === 'DELIVERED') break;
        await new Promise((r) => setTimeout(r, 25));
      }
      expect(node).toMatchObject({ eventType: 'ALIAS_SET', attempts: 4, lastStatusCode: 200, lastError: null });
      const seqB = await appendAliasMove(t.app.executor, { modelName: model, alias: 'prod', from: 7, to: 8 });
      await rx.waitFor(1, (r) => r.headers['webhook-id'] === seqB);
      expect(rx.received.filter((r) => r.headers['webhook-id'] === seqA)).toHaveLength(4);
      expect(rx.received.map((r) => r.headers['webhook-id'])).not.toContain(String(BigInt(seqA) - 1n));

      // The delivery log pages, newest first.
      const p1 = await gqlOk(t.url, DELIVERIES, { id: webhook.id, first: 1 });
      expect(p1.webhookDeliveries.totalCount).toBe(2);
      expect(p1.webhookDeliveries.edges.map((e: any) => e.node.sequence)).toEqual([seqB]);
      const p2 = await gqlOk(t.url, DELIVERIES, {
        id: webhook.id,
        first: 1,
        after: p1.webhookDeliveries.pageInfo.endCursor,
      });
      expect(p2.webhookDeliveries.edges.map((e: any) => e.node.sequence)).toEqual([seqA]);
      expect(p2.webhookDeliveries.pageInfo.hasNextPage).toBe(false);
      await gqlOk(t.url, DELETE, { id: webhook.id });
      expect(code(await gql(t.url, DELETE, { id: webhook.id }))).toBe('NOT_FOUND');
    } finally {
      await rx.close();
    }
  });

  it('does not follow redirects: a 3xx is a failed attempt', async () => {
    const rx = await receiver((_r, nth) => (nth === 1 ? 302 : 204));
    try {
      const { webhook } = (await gqlOk(t.url, REGISTER, { input: { url: rx.url, eventTypes: ['ALIAS_SET'] } }))
        .registerWebhook;
      const seq = await appendAliasMove(t.app.executor, { modelName: uniq('m'), alias: 'a', from: null, to: 1 });
      const hits = await rx.waitFor(2, (r) => r.headers['webhook-id'] === seq);
      expect(hits).toHaveLength(2);
      await gqlOk(t.url, DELETE, { id: webhook.id });
    } finally {
      await rx.close();
    }
  });

  it('a restart loses nothing: events written while no server runs are delivered by the next one', async () => {
    const rx = await receiver(() => 200);
    try {
      const { webhook, secret } = (await gqlOk(t.url, REGISTER, { input: { url: rx.url, eventTypes: ['ALIAS_SET'] } }))
        .registerWebhook;
      const mark = await lastSequence(t.url);
      await t.close();
      // An app that does not serve runs no dispatcher: the event waits in the log.
      const config = loadConfig({ ...testNeo4jEnv(), LOG_LEVEL: 'silent', ...env });
      const log = createLogger('silent');
      const driver = createDriver(config.neo4j.uri!, config.neo4j.user, config.neo4j.password, log);
      const offline = await createApp(config, driver, log);
      const seq = await appendAliasMove(offline.executor, { modelName: uniq('m'), alias: 'a', from: null, to: 1 });
      await driver.close();
      expect(BigInt(seq)).toBeGreaterThan(BigInt(mark));
      expect(rx.received.filter((r) => r.headers['webhook-id'] === seq)).toHaveLength(0);

      t = await startTestServer(env);
      const [hit] = await rx.waitFor(1, (r) => r.headers['webhook-id'] === seq);
      expect(verifyWebhook(hit!.headers, hit!.body, secret).ok).toBe(true);
      await gqlOk(t.url, DELETE, { id: webhook.id });
    } finally {
      await rx.close();
    }
  });

  it('a replica whose PEDIGREE_SIGNING_SECRET cannot open the sealed secret records why and sends nothing; the right one delivers', async () => {
    const rx = await receiver(() => 200);
    try {
      const { webhook, secret } = (await gqlOk(t.url, REGISTER, { input: { url: rx.url, eventTypes: ['ALIAS_SET'] } }))
        .registerWebhook;
      await t.close();
      t = await startTestServer({ ...env, PEDIGREE_SIGNING_SECRET: 'another secret, sixteen characters or more' });
      const seq = await appendAliasMove(t.app.executor, { modelName: uniq('m'), alias: 'a', from: null, to: 1 });
      let node: any;
      for (;;) {
        const page = await gqlOk(t.url, DELIVERIES, { id: webhook.id, first: 5 });
        node = page.webhookDeliveries.edges.find((e: any) => e.node.sequence === seq)?.node;
        if (node?.attempts >= 1) break;
        await new Promise((r) => setTimeout(r, 25));
      }
      expect(node).toMatchObject({
        status: 'PENDING',
        lastStatusCode: null,
        lastError: expect.stringMatching(/PEDIGREE_SIGNING_SECRET/),
      });
      expect(rx.received).toHaveLength(0);

      await t.close();
      t = await startTestServer(env);
      const [hit] = await rx.waitFor(1, (r) => r.headers['webhook-id'] === seq);
      expect(verifyWebhook(hit!.headers, hit!.body, secret).ok).toBe(true);
      await gqlOk(t.url, DELETE, { id: webhook.id });
    } finally {
      await rx.close();
    }
  });

  it('retention removes finished deliveries older than PEDIGREE_DELIVERY_RETENTION_DAYS and keeps pending ones whatever their age', async () => {
    const rx = await receiver(() => 200);
    try {
      const { webhook } = (await gqlOk(t.url, REGISTER, { input: { url: rx.url, eventTypes: ['ALIAS_SET'] } }))
        .registerWebhook;
      const seqs = [
        await appendAliasMove(t.app.executor, { modelName: uniq('m'), alias: 'a', from: null, to: 1 }),
        await appendAliasMove(t.app.executor, { modelName: uniq('m'), alias: 'a', from: null, to: 1 }),
      ];
      await rx.waitFor(1, (r) => r.headers['webhook-id'] === seqs[1]);
      const session = t.app.executor.driver.session();
      const statuses = async () =>
        (
          await session.run(
            'MATCH (d:WebhookDelivery {webhookId: $id}) RETURN toString(d.sequence) AS s, d.status AS status ORDER BY d.sequence',
            { id: webhook.id },
          )
        ).records.map((r) => [r.get('s'), r.get('status')]);
      try {
        for (;;) {
          if ((await statuses()).filter(([, st]) => st === 'DELIVERED').length === 2) break;
          await new Promise((r) => setTimeout(r, 25));
        }
        // Both 40 days old; the second made PENDING again (not due), as a delivery still owed.
        await session.run(
          `MATCH (d:WebhookDelivery {webhookId: $id})
           SET d.createdAt = datetime() - duration({days: 40})
           WITH d WHERE toString(d.sequence) = $pending
           SET d.status = 'PENDING', d.nextAttemptAtMs = timestamp() + 3600000`,
          { id: webhook.id, pending: seqs[1] },
        );
        const removed = await t.app.services.retention.runOnce();
        expect(removed.deliveries).toBeGreaterThanOrEqual(1);
        expect(await statuses()).toEqual([[seqs[1], 'PENDING']]);
      } finally {
        await session.close();
      }
      await gqlOk(t.url, DELETE, { id: webhook.id });
    } finally {
      await rx.close();
    }
  });
});
