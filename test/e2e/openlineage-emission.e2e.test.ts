import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseOpenLineageEvent } from '../../src/provenance/openlineage/event.js';
import { contractOp } from '../support/contract.js';
import { gqlOk, sha, uniq } from '../support/graphql.js';
import { baseOf, newRunId, postLineage, runEvent } from '../support/openlineage.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * PEDIGREE_OPENLINEAGE_URL: each model registration goes out as an OpenLineage
 * event through the webhook machinery (outbox, retries, SSRF checks), to a
 * receiver listening on loopback here.
 */
interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: any;
}

describe('OpenLineage emission (PEDIGREE_OPENLINEAGE_URL)', { timeout: 240_000 }, () => {
  let receiver: Server;
  let port: number;
  const received: Received[] = [];
  let failNext = 0;
  let t: TestServer;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let text = '';
      req.on('data', (c) => (text += c));
      req.on('end', () => {
        if (failNext > 0) {
          failNext--;
          res.writeHead(503).end();
          return;
        }
        received.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(text) });
        res.writeHead(201, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    port = (receiver.address() as AddressInfo).port;
    t = await startTestServer({
      PEDIGREE_OPENLINEAGE_URL: `http://127.0.0.1:${port}`,
      PEDIGREE_OPENLINEAGE_API_KEY: 'marquez-api-key',
      PEDIGREE_OPENLINEAGE_NAMESPACE: 'registry',
      PEDIGREE_WEBHOOK_ALLOW_PRIVATE: 'true',
      PEDIGREE_WEBHOOK_BACKOFF_BASE_MS: '20',
      PEDIGREE_WEBHOOK_BACKOFF_MAX_MS: '100',
      PEDIGREE_EVENT_POLL_MS: '50',
    });
  });
  afterAll(async () => {
    // Leave no emission webhook behind for the files that follow.
    if (t) await gqlOk(t.url, 'mutation { deleteWebhook(id: "openlineage-emission") { id } }').catch(() => undefined);
    await t?.close();
    await new Promise((r) => receiver?.close(r));
  });

  async function waitFor<T>(
    what: string,
    probe: () => T | undefined | Promise<T | undefined>,
    ms = 60_000,
  ): Promise<T> {
    const until = Date.now() + ms;
    for (;;) {
      const v = await probe();
      if (v !== undefined) return v;
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('sends each registration as an OpenLineage event (the version an output of its run), retried until it lands', async () => {
    // The event runtime starts with the server and creates the emission webhook first.
    const hooks = await waitFor('the emission webhook', async () => {
      const h = (await gqlOk(t.url, '{ webhooks { id url eventTypes } }')).webhooks;
      return h.length ? h : undefined;
    });
    expect(hooks).toContainEqual({
      id: 'openlineage-emission',
      url: `http://127.0.0.1:${port}/api/v1/lineage`,
      eventTypes: ['VERSION_CREATED'],
    });

    // The training run came in through OpenLineage: the registration is sent about that run and job.
    const p = uniq('emit');
    const runId = newRunId();
    const job = { namespace: `${p}-ml`, name: 'train' };
    await postLineage(
      baseOf(t.url),
      runEvent({
        runId,
        job,
        eventType: 'COMPLETE',
        inputs: [{ namespace: `s3://${p}`, name: 'clean', version: 'v1' }],
        outputs: [{ namespace: `s3://${p}-models`, name: 'm/1' }],
      }),
    );
    const modelName = uniq('emitted');
    await gqlOk(t.url, contractOp('CreateRegisteredModel'), { input: { name: modelName } });
    failNext = 1; // the first attempt is refused: the delivery retries
    const v = (
      await gqlOk(t.url, contractOp('CreateModelVersion'), {
        input: { modelName, source: `s3://${p}-models/m/1`, checksum: sha('1') },
      })
    ).createModelVersion;

    const got = await waitFor('the OpenLineage event', () =>
      received.find((r) => r.body.outputs?.[0]?.facets?.pedigree_modelVersion?.modelName === modelName),
    );
    expect(got.path).toBe('/api/v1/lineage');
    expect(got.headers.authorization).toBe('Bearer marquez-api-key');
    // It is a valid OpenLineage event by Pedigree's own validator.
    expect(parseOpenLineageEvent(got.body)).toMatchObject({
      kind: 'run',
      eventType: 'OTHER',
      run: { runId },
      job: { namespace: job.namespace, name: job.name },
    });
    expect(got.body.outputs).toEqual([
      {
        namespace: `s3://${p}-models`,
        name: 'm/1',
        facets: {
          version: expect.objectContaining({ datasetVersion: sha('1') }),
          pedigree_modelVersion: expect.objectContaining({
            id: v.id,
            modelName,
            version: v.version,
            stage: 'DEVELOPMENT',
            checksum: sha('1'),
          }),
        },
      },
    ]);
    expect(got.body.inputs).toEqual([
      { namespace: `s3://${p}`, name: 'clean', facets: { version: expect.objectContaining({ datasetVersion: 'v1' }) } },
    ]);
    const deliveries = await waitFor('the delivery log', async () => {
      const d = (
        await gqlOk(
          t.url,
          '{ webhookDeliveries(webhookId: "openlineage-emission", first: 50) { edges { node { status attempts lastStatusCode } } } }',
        )
      ).webhookDeliveries.edges;
      return d.some((e: any) => e.node.status === 'DELIVERED' && e.node.attempts === 2) ? d : undefined;
    });
    expect(deliveries.find((e: any) => e.node.attempts === 2).node).toEqual({
      status: 'DELIVERED',
      attempts: 2,
      lastStatusCode: 201,
    });

    // A version registered without a run: a COMPLETE of a job named after the model, in the configured namespace.
    const other = (
      await gqlOk(t.url, contractOp('CreateModelVersion'), {
        input: { modelName, source: `s3://${p}-models/m/2`, checksum: sha('2') },
      })
    ).createModelVersion;
    const second = await waitFor('the second event', () =>
      received.find((r) => r.body.outputs?.[0]?.facets?.pedigree_modelVersion?.id === other.id),
    );
    expect(parseOpenLineageEvent(second.body)).toMatchObject({
      eventType: 'COMPLETE',
      job: { namespace: 'registry', name: modelName },
    });
  });
});
