import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractOp } from '../support/contract.js';
import { graphDigest } from '../support/graph-digest.js';
import { gqlOk, sha, TEST_ADMIN_TOKEN, uniq } from '../support/graphql.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * MLflow parity, round two, through MLflow's REST API as its client speaks it:
 * MLflow-dialect webhooks over the one delivery engine, prompts as registered
 * models of kind PROMPT, copies, the chart endpoints, and the governance an
 * MLflow team meets (PEDIGREE_PROTECTED_ALIASES, refusals that say what to do).
 */
describe('MLflow parity: webhooks, prompts, copies, charts, governance', () => {
  let t: TestServer;
  let base: string;
  const tokens: Record<'viewer' | 'contributor', string> = { viewer: '', contributor: '' };
  const received: { headers: IncomingHttpHeaders; body: string }[] = [];
  let receiver: Server;
  let hookUrl = '';

  beforeAll(async () => {
    // Only `production` is protected by default here (the setting under test); the receiver is on loopback.
    t = await startTestServer({
      PEDIGREE_PROTECTED_ALIASES: 'production',
      PEDIGREE_WEBHOOK_ALLOW_PRIVATE: 'true',
      PEDIGREE_WEBHOOK_BACKOFF_BASE_MS: '50',
    });
    base = t.url.replace(/\/graphql$/, '');
    for (const who of ['viewer', 'contributor'] as const) {
      tokens[who] = (
        await gqlOk(t.url, contractOp('CreateApiToken'), { name: uniq(who), role: who.toUpperCase() })
      ).createApiToken.token;
    }
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  }, 180_000);
  afterAll(async () => {
    await t?.close();
    await new Promise((r) => receiver?.close(r));
  });

  async function mf(
    method: string,
    path: string,
    body?: Record<string, unknown>,
    token = TEST_ADMIN_TOKEN,
    prefix = '/api/2.0/mlflow/',
  ): Promise<{ status: number; json: any }> {
    let url = `${base}${prefix}${path}`;
    let payload: string | undefined;
    if (method === 'GET' && body)
      url += `?${new URLSearchParams(Object.entries(body).flatMap(([k, v]): [string, string][] => (Array.isArray(v) ? v.map((x): [string, string] => [k, String(x)]) : [[k, String(v)]])))}`;
    else if (body) payload = JSON.stringify(body);
    const res = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(payload ? { 'content-type': 'application/json' } : {}) },
      body: payload,
    });
    return { status: res.status, json: await res.json() };
  }
  const ok = async (method: string, path: string, body?: Record<string, unknown>) => {
    const r = await mf(method, path, body);
    if (r.status !== 200) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.json)}`);
    return r.json;
  };
  /** MLflow's receiver check: HMAC-SHA256(secret, "id.timestamp.body"), base64, after "v1,". */
  const mlflowSigned = (r: { headers: IncomingHttpHeaders; body: string }, secret: string) =>
    r.headers['x-mlflow-signature'] ===
    `v1,${createHmac('sha256', secret)
      .update(`${String(r.headers['x-mlflow-delivery-id'])}.${String(r.headers['x-mlflow-timestamp'])}.${r.body}`)
      .digest('base64')}`;
  async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
    const until = Date.now() + 60_000;
    while (Date.now() < until) {
      const v = await probe();
      if (v !== undefined) return v;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  it('webhooks: ADMIN manages them; deliveries carry MLflow events, payloads and signatures; DISABLED gets none; test_webhook reports', async () => {
    const name = uniq('hooked');
    const create = {
      name: 'h1',
      url: hookUrl,
      events: [
        { entity: 'MODEL_VERSION', action: 'CREATED' },
        { entity: 'MODEL_VERSION_ALIAS', action: 'CREATED' },
      ],
      secret: 's3cret',
      description: 'ci',
    };
    // Managing webhooks is ADMIN, as through GraphQL: a contributor and a viewer are refused and nothing is written.
    const before = await graphDigest();
    for (const who of ['viewer', 'contributor'] as const) {
      const r = await mf('POST', 'webhooks', create, tokens[who]);
      expect([r.status, r.json.error_code]).toEqual([403, 'PERMISSION_DENIED']);
      expect((await mf('GET', 'webhooks', undefined, tokens[who])).status).toBe(403);
    }
    expect(
      (await mf('POST', 'webhooks', { ...create, events: [{ entity: 'BUDGET_POLICY', action: 'EXCEEDED' }] })).json
        .error_code,
    ).toBe('INVALID_PARAMETER_VALUE');
    expect((await mf('POST', 'webhooks', { ...create, url: 'http://169.254.169.254/x' })).status).toBe(403);
    expect(await graphDigest()).toEqual(before);

    // Other test files create webhooks in the same database: the audit check below looks at this one's events only.
    const since = new Date(Date.now() - 1000).toISOString();
    const hook = (await ok('POST', 'webhooks', create)).webhook;
    expect(hook).toMatchObject({
      name: 'h1',
      url: hookUrl,
      status: 'ACTIVE',
      description: 'ci',
      events: create.events,
    });
    expect(hook).not.toHaveProperty('secret');
    expect((await ok('GET', `webhooks/${hook.webhook_id}`)).webhook).toEqual(hook);
    expect((await ok('GET', 'webhooks')).webhooks.map((w: any) => w.webhook_id)).toContain(hook.webhook_id);
    // GraphQL's webhooks list the same webhook: one engine, two registration dialects.
    expect((await gqlOk(t.url, '{ webhooks { id url } }')).webhooks).toContainEqual({
      id: hook.webhook_id,
      url: hookUrl,
    });

    await ok('POST', 'registered-models/create', { name });
    await ok('POST', 'model-versions/create', {
      name,
      source: 's3://hooked/1',
      tags: [
        { key: 'pedigree.checksum', value: sha('1') },
        { key: 'team', value: 'risk' },
      ],
    });
    await ok('POST', 'registered-models/alias', { name, alias: 'candidate', version: '1' });
    await ok('POST', 'model-versions/set-tag', { name, version: '1', key: 'not', value: 'subscribed' });
    const mine = () => received.filter((r) => r.body.includes(`"${name}"`));
    const got = await waitFor('two deliveries', () => (mine().length >= 2 ? mine() : undefined));
    expect(got.every((r) => mlflowSigned(r, 's3cret'))).toBe(true);
    const bodies = got.map((r) => JSON.parse(r.body));
    expect(bodies.map((b) => `${b.entity}.${b.action}`).sort()).toEqual([
      'model_version.created',
      'model_version_alias.created',
    ]);
    expect(bodies.find((b) => b.entity === 'model_version').data).toEqual({
      name,
      version: '1',
      source: 's3://hooked/1',
      run_id: null,
      tags: { team: 'risk' },
      description: null,
    });
    expect(bodies.find((b) => b.entity === 'model_version_alias').data).toEqual({
      name,
      alias: 'candidate',
      version: '1',
    });
    // The tag event is not one it subscribed to: no delivery for it, ever (checked after a later one arrives).

    // test_webhook: MLflow's example payload, signed, answered with the receiver's status and body; nothing written.
    const head = await graphDigest();
    const tested = (
      await ok('POST', `webhooks/${hook.webhook_id}/test`, {
        event: { entity: 'MODEL_VERSION_ALIAS', action: 'CREATED' },
      })
    ).result;
    expect(tested).toEqual({ success: true, response_status: 200, response_body: '{"ok":true}' });
    const testDelivery = await waitFor('the test delivery', () =>
      received.find((r) => r.body.includes('example_alias')),
    );
    expect(mlflowSigned(testDelivery, 's3cret')).toBe(true);
    expect(await graphDigest()).toEqual(head);

    // Update: DISABLED, a new secret, all events; a disabled webhook gets no delivery.
    const updated = (
      await ok('PATCH', `webhooks/${hook.webhook_id}`, {
        status: 'DISABLED',
        secret: 'n3w',
        events: [{ entity: 'MODEL_VERSION_TAG', action: 'SET' }],
      })
    ).webhook;
    expect(updated).toMatchObject({
      status: 'DISABLED',
      events: [{ entity: 'MODEL_VERSION_TAG', action: 'SET' }],
      name: 'h1',
    });
    await ok('POST', 'model-versions/set-tag', { name, version: '1', key: 'while', value: 'disabled' });
    await ok('PATCH', `webhooks/${hook.webhook_id}`, { status: 'ACTIVE' });
    await ok('POST', 'model-versions/set-tag', { name, version: '1', key: 'after', value: 'enabled' });
    const tagDelivery = await waitFor('the tag delivery', () =>
      received.find((r) => r.body.includes('"after"') && r.body.includes(name)),
    );
    expect(mlflowSigned(tagDelivery, 'n3w')).toBe(true);
    expect(JSON.parse(tagDelivery.body)).toMatchObject({
      entity: 'model_version_tag',
      action: 'set',
      data: { name, version: '1', key: 'after', value: 'enabled' },
    });
    expect(received.some((r) => r.body.includes('"while"') || r.body.includes('"subscribed"'))).toBe(false);

    // Its deliveries are in GraphQL's delivery log; deleting it removes it from both lists.
    const deliveries = (
      await gqlOk(
        t.url,
        'query($id: ID!) { webhookDeliveries(webhookId: $id, first: 10) { edges { node { eventType status } } } }',
        { id: hook.webhook_id },
      )
    ).webhookDeliveries.edges.map((e: any) => e.node);
    expect(deliveries).toEqual(
      expect.arrayContaining([
        { eventType: 'VERSION_CREATED', status: 'DELIVERED' },
        { eventType: 'ALIAS_SET', status: 'DELIVERED' },
      ]),
    );
    await ok('DELETE', `webhooks/${hook.webhook_id}`);
    expect((await mf('GET', `webhooks/${hook.webhook_id}`)).json.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    const audit = (
      await gqlOk(t.url, contractOp('AuditLog'), {
        filter: { types: ['WEBHOOK_CREATED', 'WEBHOOK_UPDATED', 'WEBHOOK_DELETED'], after: since },
        first: 200,
      })
    ).auditLog.edges.map((e: any) => e.node);
    expect(
      audit
        // Events name the webhook by its URL without the path: this receiver's own port.
        .filter((e: any) => JSON.stringify(e).includes(`"url":"${new URL(hookUrl).origin}"`))
        .map((e: any) => e.type)
        .sort(),
    ).toEqual(['WEBHOOK_CREATED', 'WEBHOOK_DELETED', 'WEBHOOK_UPDATED', 'WEBHOOK_UPDATED']);
  }, 300_000);

  it('prompts: registered models of kind PROMPT; templates are content; a prompt alias in PEDIGREE_PROTECTED_ALIASES is a promotion', async () => {
    const name = uniq('prompt');
    const promptTags = [{ key: 'mlflow.prompt.is_prompt', value: 'true' }];
    await ok('POST', 'registered-models/create', { name, tags: promptTags });
    const template = 'Answer {{question}} briefly.';
    const v = (
      await ok('POST', 'model-versions/create', {
        name,
        source: 'prompt-template',
        tags: [
          ...promptTags,
          { key: 'mlflow.prompt.text', value: template },
          { key: '_mlflow_prompt_type', value: 'text' },
        ],
      })
    ).model_version;
    expect(v.version).toBe('1');
    const g = (
      await gqlOk(
        t.url,
        'query($n: String!) { registeredModel(name: $n) { kind versions(first: 5) { edges { node { checksum promptTemplate } } } } }',
        { n: name },
      )
    ).registeredModel;
    expect(g.kind).toBe('PROMPT');
    expect(g.versions.edges[0].node.promptTemplate).toBe(template);
    expect(g.versions.edges[0].node.checksum).toMatch(/^sha256:[0-9a-f]{64}$/);

    const before = await graphDigest();
    // Only MLflow's placeholder is a prompt's source; a prompt takes no model version, a model no prompt version.
    expect(
      (
        await mf('POST', 'model-versions/create', {
          name,
          source: 's3://x/prompt',
          tags: [...promptTags, { key: 'mlflow.prompt.text', value: 'x' }],
        })
      ).json.error_code,
    ).toBe('INVALID_PARAMETER_VALUE');
    expect(
      (
        await mf('POST', 'model-versions/create', {
          name,
          source: 's3://x/model',
          tags: [{ key: 'pedigree.checksum', value: sha('2') }],
        })
      ).json.error_code,
    ).toBe('INVALID_PARAMETER_VALUE');
    // The template and the kind are fixed.
    expect(
      (await mf('POST', 'model-versions/set-tag', { name, version: '1', key: 'mlflow.prompt.text', value: 'changed' }))
        .json.error_code,
    ).toBe('INVALID_PARAMETER_VALUE');
    expect(
      (await mf('DELETE', 'registered-models/delete-tag', { name, key: 'mlflow.prompt.is_prompt' })).json.error_code,
    ).toBe('INVALID_PARAMETER_VALUE');
    // `production` is protected (PEDIGREE_PROTECTED_ALIASES=production): the refusal names the promotion and where to
    // ask.
    const refused = await mf('POST', 'registered-models/alias', { name, alias: 'production', version: '1' });
    expect([refused.status, refused.json.error_code]).toEqual([403, 'PERMISSION_DENIED']);
    expect(refused.json.message).toContain(
      `requestPromotion(ref: { modelName: "${name}", version: 1 }, target: { alias: "production" }`,
    );
    expect(refused.json.message).toContain(`${base}/graphql`);
    expect(refused.json.message).toContain(`${base}/#/models/${name}`);
    expect(await graphDigest()).toEqual(before);
    // `champion` is not protected on this server: MLflow's own aliases move freely.
    await ok('POST', 'registered-models/alias', { name, alias: 'champion', version: '1' });

    // MLflow's model searches exclude prompts (its client adds the != clause); prompt searches find them.
    const models =
      (
        await ok('GET', 'registered-models/search', {
          filter: `name = '${name}' AND tags.\`mlflow.prompt.is_prompt\` != 'true'`,
        })
      ).registered_models ?? [];
    expect(models).toEqual([]);
    const prompts = (
      await ok('GET', 'registered-models/search', {
        filter: `name = '${name}' AND tags.\`mlflow.prompt.is_prompt\` = 'true'`,
      })
    ).registered_models;
    expect(prompts.map((m: any) => m.name)).toEqual([name]);
    const versions = (
      await ok('GET', 'model-versions/search', {
        filter: `name = '${name}' AND tags.\`mlflow.prompt.is_prompt\` = 'true'`,
      })
    ).model_versions;
    expect(versions.map((x: any) => x.version)).toEqual(['1']);

    // A model version can record the prompt versions it uses (GraphQL's promptVersions; MLflow's linkedPrompts).
    const model = uniq('uses-prompt');
    await ok('POST', 'registered-models/create', { name: model });
    const mv = await gqlOk(
      t.url,
      'mutation($i: CreateModelVersionInput!) { createModelVersion(input: $i) { usesPrompts { model { name } version } } }',
      {
        i: {
          modelName: model,
          source: 's3://x/uses',
          checksum: sha('3'),
          promptVersions: [{ modelName: name, version: 1 }],
        },
      },
    );
    expect(mv.createModelVersion.usesPrompts).toEqual([{ model: { name }, version: 1 }]);
  }, 300_000);

  it('copy_model_version: a new version COPIED_FROM the original, unpromoted, with its checksum; nothing governed carries over', async () => {
    const src = uniq('copy-src');
    const dst = uniq('copy-dst');
    await ok('POST', 'registered-models/create', { name: src });
    await ok('POST', 'model-versions/create', {
      name: src,
      source: 's3://copy/1',
      tags: [{ key: 'pedigree.checksum', value: sha('4') }],
    });
    await ok('POST', 'model-versions/create', { name: src, source: 's3://copy/unverified' });
    await ok('POST', 'registered-models/alias', { name: src, alias: 'candidate', version: '1' });
    await ok('POST', 'registered-models/create', { name: dst });
    const copy = (
      await ok('POST', 'model-versions/create', {
        name: dst,
        source: `models:/${src}@candidate`,
        tags: [{ key: 'copied', value: 'yes' }],
      })
    ).model_version;
    expect(copy).toMatchObject({ name: dst, version: '1', source: 's3://copy/1', current_stage: 'None', aliases: [] });
    expect(copy.tags).toEqual([{ key: 'copied', value: 'yes' }]);
    const g = (
      await gqlOk(
        t.url,
        'query($n: String!) { modelVersion(modelName: $n, version: 1) { checksum copiedFrom { model { name } version } } }',
        { n: dst },
      )
    ).modelVersion;
    expect(g).toEqual({ checksum: sha('4'), copiedFrom: { model: { name: src }, version: 1 } });
    // An unverified original makes an unverified copy; a missing one is NOT FOUND and writes nothing.
    const unverified = (await ok('POST', 'model-versions/create', { name: dst, source: `models:/${src}/2` }))
      .model_version;
    expect(unverified.status_message).toMatch(/unverified/);
    const before = await graphDigest();
    expect((await mf('POST', 'model-versions/create', { name: dst, source: `models:/${src}/9` })).json.error_code).toBe(
      'RESOURCE_DOES_NOT_EXIST',
    );
    expect(await graphDigest()).toEqual(before);
  }, 300_000);

  it('charts: get-history-bulk and get-history-bulk-interval; finishRun metrics join the history; logged-model search filters', async () => {
    const exp = (await ok('POST', 'experiments/create', { name: uniq('charts') })).experiment_id;
    const runs: string[] = [];
    for (let r = 0; r < 2; r++) {
      const id = (await ok('POST', 'runs/create', { experiment_id: exp })).run.info.run_id;
      runs.push(id);
      await ok('POST', 'runs/log-batch', {
        run_id: id,
        metrics: Array.from({ length: 10 }, (_, s) => ({
          key: 'loss',
          value: r + s / 10,
          timestamp: 1000 + s,
          step: s,
        })),
      });
    }
    const bulk = (await ok('GET', 'metrics/get-history-bulk', { run_id: runs, metric_key: 'loss' })).metrics;
    expect(bulk).toHaveLength(20);
    expect(bulk.filter((m: any) => m.run_id === runs[0]).map((m: any) => m.step)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
    ]);
    const sampled = (
      await ok('GET', 'metrics/get-history-bulk-interval', { run_ids: runs, metric_key: 'loss', max_results: 4 })
    ).metrics;
    for (const id of runs)
      expect(sampled.filter((m: any) => m.run_id === id).map((m: any) => m.step)).toEqual([0, 3, 6, 9]);
    const window = (
      await ok('GET', 'metrics/get-history-bulk-interval', {
        run_ids: runs[0]!,
        metric_key: 'loss',
        start_step: 2,
        end_step: 4,
      })
    ).metrics;
    expect(window.map((m: any) => m.step)).toEqual([2, 3, 4]);
    expect(
      (await mf('GET', 'metrics/get-history-bulk-interval', { run_ids: runs[0]!, metric_key: 'loss', start_step: 2 }))
        .json.error_code,
    ).toBe('INVALID_PARAMETER_VALUE');
    expect((await mf('GET', 'metrics/get-history-bulk', { metric_key: 'loss' })).json.error_code).toBe(
      'INVALID_PARAMETER_VALUE',
    );

    // GraphQL's finishRun metrics are points of the metric history too.
    const run = (await gqlOk(t.url, contractOp('CreateRun'), { input: { name: 'gql-run' } })).createRun.id;
    await gqlOk(
      t.url,
      'mutation($id: ID!) { finishRun(id: $id, status: FINISHED, metrics: [{ key: "auc", value: 0.93 }]) { id } }',
      { id: run },
    );
    const history = (
      await gqlOk(
        t.url,
        'query($id: ID!) { run(id: $id) { metricHistory(key: "auc") { totalCount edges { node { step value } } } } }',
        { id: run },
      )
    ).run.metricHistory;
    expect([history.totalCount, history.edges.map((e: any) => [e.node.step, e.node.value])]).toEqual([1, [[0, 0.93]]]);

    // Logged models: filter and order.
    for (const n of ['a', 'b'])
      await ok('POST', 'logged-models', {
        experiment_id: exp,
        name: `lm-${n}`,
        source_run_id: runs[0],
        tags: [{ key: 'flavor', value: n }],
      });
    const found = (await ok('POST', 'logged-models/search', { experiment_ids: [exp], filter: "tags.flavor = 'b'" }))
      .models;
    expect(found.map((m: any) => m.info.name)).toEqual(['lm-b']);
    const ordered = (
      await ok('POST', 'logged-models/search', {
        experiment_ids: [exp],
        order_by: [{ field_name: 'name', ascending: true }],
      })
    ).models;
    expect(ordered.map((m: any) => m.info.name)).toEqual(['lm-a', 'lm-b']);
  }, 300_000);

  it('transition_model_version_stage to Production from Staging names the missing CANARY step', async () => {
    const name = uniq('stage');
    await ok('POST', 'registered-models/create', { name });
    // → Staging needs a metric (the model has no thresholds): registered through GraphQL, which takes metrics.
    await gqlOk(t.url, contractOp('CreateModelVersion'), {
      input: { modelName: name, source: 's3://stage/1', checksum: sha('6'), metrics: [{ key: 'auc', value: 0.9 }] },
    });
    await gqlOk(t.url, contractOp('CreateModelVersion'), {
      input: { modelName: name, source: 's3://stage/2', checksum: sha('7'), metrics: [{ key: 'auc', value: 0.9 }] },
    });
    expect(
      (await ok('POST', 'model-versions/transition-stage', { name, version: '2', stage: 'Staging' })).model_version
        .current_stage,
    ).toBe('Staging');
    const before = await graphDigest();
    const r = await mf('POST', 'model-versions/transition-stage', { name, version: '2', stage: 'Production' });
    expect([r.status, r.json.error_code]).toEqual([403, 'PERMISSION_DENIED']);
    expect(r.json.message).toMatch(/missing step is CANARY/);
    expect(r.json.message).toContain(`target: { stage: CANARY }`);
    expect(r.json.message).toContain(`${base}/#/models/${name}`);
    expect(await graphDigest()).toEqual(before);
  }, 300_000);
});
