import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import neo4j from 'neo4j-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractOp } from '../support/contract.js';
import { graphDigest } from '../support/graph-digest.js';
import { testDriver } from '../support/neo4j.js';
import { code, gql, gqlOk, sha, TEST_ADMIN_TOKEN, uniq } from '../support/graphql.js';
import { startTestServer, type TestServer } from '../support/server.js';

/** A run's MetricPoint nodes as [key, timestamp, step, value], sorted (read straight from the graph). */
async function metricPointsOf(runId: string): Promise<[string, number, number, number][]> {
  const driver = testDriver();
  const session = driver.session();
  try {
    const r = await session.run(
      'MATCH (p:MetricPoint {runId: $runId}) RETURN p.key AS key, p.timestamp AS t, p.step AS s, p.value AS v ORDER BY key, t, s, v',
      { runId },
    );
    const n = (v: unknown) => (neo4j.isInt(v) ? v.toNumber() : (v as number));
    return r.records.map((x) => [x.get('key'), n(x.get('t')), n(x.get('s')), n(x.get('v'))]);
  } finally {
    await session.close();
    await driver.close();
  }
}

/** MLflow's REST API as MLflow's client speaks it: JSON in, JSON out, MLflow's errors. */
describe('MLflow REST API', () => {
  let t: TestServer;
  let base: string;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'pedigree-mlflow-api-'));
    t = await startTestServer({ PEDIGREE_DATA_DIR: dataDir });
    base = t.url.replace(/\/graphql$/, '');
  });
  afterAll(async () => {
    await t?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function mf(
    method: string,
    path: string,
    body?: Record<string, unknown>,
    prefix = '/api/2.0/mlflow/',
  ): Promise<{ status: number; json: any }> {
    let url = `${base}${prefix}${path}`;
    let payload: string | undefined;
    if (method === 'GET' && body)
      url += `?${new URLSearchParams(Object.entries(body).flatMap(([k, v]): [string, string][] => (Array.isArray(v) ? v.map((x): [string, string] => [k, String(x)]) : [[k, String(v)]])))}`;
    else if (body) payload = JSON.stringify(body);
    const res = await fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${TEST_ADMIN_TOKEN}`,
        ...(payload ? { 'content-type': 'application/json' } : {}),
      },
      body: payload,
    });
    return { status: res.status, json: await res.json() };
  }

  /** A raw request: fetch would normalise "..", which is exactly what must be tested. */
  function raw(
    method: string,
    path: string,
    body?: string,
    token: string | null = TEST_ADMIN_TOKEN,
  ): Promise<{ status: number; body: string }> {
    const u = new URL(base);
    return new Promise((res, rej) => {
      const req = request(
        { host: u.hostname, port: u.port, method, path, headers: token ? { authorization: `Bearer ${token}` } : {} },
        (r) => {
          let b = '';
          r.on('data', (d) => (b += d));
          r.on('end', () => res({ status: r.statusCode!, body: b }));
        },
      );
      req.on('error', rej);
      req.end(body);
    });
  }

  it('registered models: create, get, duplicate, missing, rename, update, search with filter, order and pages, tags, delete', async () => {
    const a = uniq('mf-a');
    const created = await mf('POST', 'registered-models/create', {
      name: a,
      description: 'first',
      tags: [{ key: 'team', value: 'risk' }],
    });
    expect(created.status).toBe(200);
    expect(created.json.registered_model).toMatchObject({
      name: a,
      description: 'first',
      tags: [{ key: 'team', value: 'risk' }],
    });
    expect(typeof created.json.registered_model.creation_timestamp).toBe('number');

    const dup = await mf('POST', 'registered-models/create', { name: a });
    expect(dup).toEqual({
      status: 400,
      json: { error_code: 'RESOURCE_ALREADY_EXISTS', message: expect.stringContaining(a) },
    });
    const missing = await mf('GET', 'registered-models/get', { name: uniq('nope') });
    expect(missing.status).toBe(404);
    expect(missing.json.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    const bad = await mf('POST', 'registered-models/create', {});
    expect(bad).toMatchObject({ status: 400, json: { error_code: 'INVALID_PARAMETER_VALUE' } });
    expect((await mf('GET', 'no-such/endpoint')).json.error_code).toBe('ENDPOINT_NOT_FOUND');

    // The ajax-api prefix serves the same API.
    expect(
      (await mf('GET', 'registered-models/get', { name: a }, '/ajax-api/2.0/mlflow/')).json.registered_model.name,
    ).toBe(a);

    const b = uniq('mf-b');
    const renamed = await mf('POST', 'registered-models/rename', { name: a, new_name: b });
    expect(renamed.json.registered_model.name).toBe(b);
    expect((await mf('GET', 'registered-models/get', { name: a })).status).toBe(404);
    expect(
      (await mf('PATCH', 'registered-models/update', { name: b, description: 'second' })).json.registered_model
        .description,
    ).toBe('second');
    const audit = (await gqlOk(t.url, contractOp('AuditLog'), { filter: { modelName: b } })).auditLog.edges.map(
      (e: any) => e.node,
    );
    expect(audit.find((n: any) => n.type === 'MODEL_RENAMED')).toMatchObject({ before: { name: a } });

    const prefix = uniq('mfs');
    for (const n of ['x1', 'x2', 'x3'])
      await mf('POST', 'registered-models/create', {
        name: `${prefix}-${n}`,
        tags: n === 'x2' ? [{ key: 'keep', value: 'yes' }] : [],
      });
    const p1 = await mf('GET', 'registered-models/search', {
      filter: `name LIKE '${prefix}-%'`,
      order_by: 'name DESC',
      max_results: 2,
    });
    expect(p1.json.registered_models.map((m: any) => m.name)).toEqual([`${prefix}-x3`, `${prefix}-x2`]);
    const p2 = await mf('GET', 'registered-models/search', {
      filter: `name LIKE '${prefix}-%'`,
      order_by: 'name DESC',
      max_results: 2,
      page_token: p1.json.next_page_token,
    });
    expect(p2.json.registered_models.map((m: any) => m.name)).toEqual([`${prefix}-x1`]);
    expect(p2.json.next_page_token).toBeUndefined();
    const byTag = await mf('GET', 'registered-models/search', {
      filter: `name LIKE '${prefix}%' AND tags.keep = 'yes'`,
    });
    expect(byTag.json.registered_models.map((m: any) => m.name)).toEqual([`${prefix}-x2`]);
    expect((await mf('GET', 'registered-models/search', { filter: "owner = 'x'" })).json.error_code).toBe(
      'INVALID_PARAMETER_VALUE',
    );

    await mf('POST', 'registered-models/set-tag', { name: b, key: 'k', value: 'v' });
    expect((await mf('GET', 'registered-models/get', { name: b })).json.registered_model.tags).toEqual(
      expect.arrayContaining([{ key: 'k', value: 'v' }]),
    );
    expect((await mf('DELETE', 'registered-models/delete-tag', { name: b, key: 'k' })).status).toBe(200);
    expect((await mf('DELETE', 'registered-models/delete-tag', { name: b, key: 'k' })).json.error_code).toBe(
      'RESOURCE_DOES_NOT_EXIST',
    );
    expect((await mf('DELETE', 'registered-models/delete', { name: b })).status).toBe(200);
    expect((await mf('GET', 'registered-models/get', { name: b })).status).toBe(404);
  });

  it('model versions: external source without checksum is unverified and refused at Staging until pedigree.checksum is attached once', async () => {
    const name = uniq('mf-external');
    await mf('POST', 'registered-models/create', { name });
    const v = await mf('POST', 'model-versions/create', { name, source: 's3://bucket/model' });
    expect(v.json.model_version).toMatchObject({
      name,
      version: '1',
      current_stage: 'None',
      status: 'READY',
      source: 's3://bucket/model',
    });
    expect(
      (await gqlOk(t.url, contractOp('GetModelVersion'), { modelName: name, version: 1 })).modelVersion.checksum,
    ).toBeNull();

    const before = await graphDigest();
    const refused = await mf('POST', 'model-versions/transition-stage', {
      name,
      version: '1',
      stage: 'Staging',
      archive_existing_versions: false,
    });
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({ error_code: 'INVALID_STATE', message: expect.stringContaining('unverified') });
    expect(await graphDigest()).toEqual(before);

    expect(
      (await mf('POST', 'model-versions/set-tag', { name, version: '1', key: 'pedigree.checksum', value: 'nope' })).json
        .error_code,
    ).toBe('INVALID_PARAMETER_VALUE');
    expect(
      (await mf('POST', 'model-versions/set-tag', { name, version: '1', key: 'pedigree.checksum', value: sha('a') }))
        .status,
    ).toBe(200);
    expect(
      (await mf('POST', 'model-versions/set-tag', { name, version: '1', key: 'pedigree.checksum', value: sha('a') }))
        .status,
    ).toBe(200);
    const changed = await mf('POST', 'model-versions/set-tag', {
      name,
      version: '1',
      key: 'pedigree.checksum',
      value: sha('b'),
    });
    expect(changed.json.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect(
      (await gqlOk(t.url, contractOp('GetModelVersion'), { modelName: name, version: 1 })).modelVersion.checksum,
    ).toBe(sha('a'));
    // Past the checksum condition, the next gate condition (metrics) speaks.
    const next = await mf('POST', 'model-versions/transition-stage', { name, version: '1', stage: 'Staging' });
    expect(next.json.message).not.toContain('unverified');
    expect(next.json.message).toContain('metric');

    // A checksum given at creation through the tag makes the version verified at once.
    const v2 = await mf('POST', 'model-versions/create', {
      name,
      source: 's3://bucket/model2',
      tags: [{ key: 'pedigree.checksum', value: sha('c') }],
    });
    expect(v2.json.model_version.tags).toEqual([]);
    expect(
      (await gqlOk(t.url, contractOp('GetModelVersion'), { modelName: name, version: 2 })).modelVersion.checksum,
    ).toBe(sha('c'));
    // GraphQL still requires the checksum.
    const gq = await gql(t.url, contractOp('CreateModelVersion'), { input: { modelName: name, source: 's3://x/y' } });
    expect(gq.status).toBe(400);
  });

  it('model versions: aliases, get-latest-versions, search, download URI, stage names, delete (aliases go with it, with events)', async () => {
    const name = uniq('mf-versions');
    await mf('POST', 'registered-models/create', { name });
    for (const i of [1, 2, 3])
      await mf('POST', 'model-versions/create', {
        name,
        source: `s3://bucket/m${i}`,
        tags: [
          { key: 'pedigree.checksum', value: sha(String(i)) },
          { key: 'n', value: String(i) },
        ],
      });
    // champion is protected (governance's default): a direct move through MLflow is refused, writing nothing.
    const before = await graphDigest();
    const guarded = await mf('POST', 'registered-models/alias', { name, alias: 'champion', version: '2' });
    expect(guarded.status).toBe(403);
    expect(guarded.json.error_code).toBe('PERMISSION_DENIED');
    expect(await graphDigest()).toEqual(before);
    await mf('POST', 'registered-models/alias', { name, alias: 'champion2', version: '2' });
    await mf('POST', 'registered-models/alias', { name, alias: 'old', version: '1' });
    expect((await mf('GET', 'registered-models/alias', { name, alias: 'champion2' })).json.model_version).toMatchObject(
      { version: '2', aliases: ['champion2'] },
    );
    expect((await mf('GET', 'registered-models/alias', { name, alias: 'ghost' })).status).toBe(404);
    const rm = (await mf('GET', 'registered-models/get', { name })).json.registered_model;
    expect(rm.aliases).toEqual([
      { alias: 'champion2', version: '2' },
      { alias: 'old', version: '1' },
    ]);
    expect(rm.latest_versions.map((v: any) => [v.version, v.current_stage])).toEqual([['3', 'None']]);
    expect(
      (await mf('POST', 'registered-models/get-latest-versions', { name, stages: ['None'] })).json.model_versions.map(
        (v: any) => v.version,
      ),
    ).toEqual(['3']);
    expect(
      (await mf('POST', 'registered-models/get-latest-versions', { name, stages: ['Bogus'] })).json.error_code,
    ).toBe('INVALID_PARAMETER_VALUE');

    const s = await mf('GET', 'model-versions/search', {
      filter: `name = '${name}' AND tags.n != '2'`,
      order_by: 'version_number ASC',
      max_results: 1,
    });
    expect(s.json.model_versions.map((v: any) => v.version)).toEqual(['1']);
    const s2 = await mf('GET', 'model-versions/search', {
      filter: `name = '${name}' AND tags.n != '2'`,
      order_by: 'version_number ASC',
      max_results: 1,
      page_token: s.json.next_page_token,
    });
    expect(s2.json.model_versions.map((v: any) => v.version)).toEqual(['3']);
    expect(
      (await mf('GET', 'model-versions/search', { filter: `name = '${name}' AND version_number > 1` })).json
        .model_versions,
    ).toHaveLength(2);

    expect((await mf('GET', 'model-versions/get-download-uri', { name, version: '1' })).json).toEqual({
      artifact_uri: 's3://bucket/m1',
    });
    expect((await mf('GET', 'model-versions/get', { name, version: '9' })).json.error_code).toBe(
      'RESOURCE_DOES_NOT_EXIST',
    );
    expect((await mf('GET', 'model-versions/get', { name, version: 'x' })).json.error_code).toBe(
      'INVALID_PARAMETER_VALUE',
    );
    const upd = await mf('PATCH', 'model-versions/update', {
      name,
      version: '1',
      description: 'retrained on May data',
    });
    expect(upd.json.model_version).toMatchObject({
      name,
      version: '1',
      description: 'retrained on May data',
      source: 's3://bucket/m1',
    });
    expect((await mf('GET', 'model-versions/get', { name, version: '1' })).json.model_version.description).toBe(
      'retrained on May data',
    );
    expect(
      (await mf('POST', 'model-versions/transition-stage', { name, version: '1', stage: 'Canary' })).json.error_code,
    ).toBe('INVALID_PARAMETER_VALUE');

    const del = await mf('DELETE', 'model-versions/delete', { name, version: '1' });
    expect(del.status).toBe(200);
    expect((await mf('GET', 'model-versions/get', { name, version: '1' })).status).toBe(404);
    expect((await mf('GET', 'registered-models/get', { name })).json.registered_model.aliases).toEqual([
      { alias: 'champion2', version: '2' },
    ]);
    const history = (
      await gqlOk(t.url, contractOp('AliasHistory'), { modelName: name, alias: 'old' })
    ).aliasHistory.edges.map((e: any) => e.node);
    expect(history.map((n: any) => [n.previousVersion, n.version]).sort()).toEqual(
      [
        [1, null],
        [null, 1],
      ].sort(),
    );
    const audit = (
      await gqlOk(t.url, contractOp('AuditLog'), { filter: { modelName: name, types: ['VERSION_DELETED'] } })
    ).auditLog.edges.map((e: any) => e.node);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ version: 1, after: { deletedAliases: ['old'] } });
    // The number is never reused.
    const v4 = await mf('POST', 'model-versions/create', {
      name,
      source: 's3://bucket/m4',
      tags: [{ key: 'pedigree.checksum', value: sha('4') }],
    });
    expect(v4.json.model_version.version).toBe('4');
  });

  it('searches narrow their candidates in the graph (name =/LIKE/ILIKE, tags.k = v, run_id =) and still apply the exact filter', async () => {
    const p = uniq('mfPush');
    const [alpha, alpha2, beta] = [`${p}-Alpha`, `${p}-alpha-2`, `${p}-beta`];
    await mf('POST', 'registered-models/create', { name: alpha, tags: [{ key: 'team', value: 'risk' }] });
    await mf('POST', 'registered-models/create', { name: alpha2, tags: [{ key: 'team', value: 'ops' }] });
    await mf('POST', 'registered-models/create', { name: beta, tags: [{ key: 'team', value: 'risk' }] });
    const models = async (filter: string) => {
      const r = await mf('GET', 'registered-models/search', { filter });
      expect(r.status).toBe(200);
      return (r.json.registered_models ?? []).map((m: any) => m.name);
    };
    // The graph matches a case-insensitive substring; LIKE stays case-sensitive, ILIKE not.
    expect(await models(`name LIKE '${p}-Alpha%'`)).toEqual([alpha]);
    expect(await models(`name ILIKE '${p.toUpperCase()}-ALPHA%'`)).toEqual([alpha, alpha2]);
    expect(await models(`name LIKE '%${p}%' AND tags.team = 'risk'`)).toEqual([alpha, beta]);
    expect(await models(`name = '${beta}'`)).toEqual([beta]);
    expect(await models(`name = '${p}-bet'`)).toEqual([]);
    expect(await models(`tags.team = 'ops' AND name LIKE '${p}%'`)).toEqual([alpha2]);

    const { json: e } = await mf('POST', 'experiments/create', { name: uniq('mf-push') });
    const run1 = (await mf('POST', 'runs/create', { experiment_id: e.experiment_id })).json.run.info.run_id;
    const run2 = (await mf('POST', 'runs/create', { experiment_id: e.experiment_id })).json.run.info.run_id;
    const version = (name: string, runId: string, n: string) =>
      mf('POST', 'model-versions/create', {
        name,
        source: `s3://bucket/${name}/${n}`,
        run_id: runId,
        tags: [{ key: 'pedigree.checksum', value: sha(n) }],
      });
    await version(alpha, run1, '1');
    await version(alpha, run2, '2');
    await version(beta, run1, '3');
    const versions = async (filter: string) => {
      const r = await mf('GET', 'model-versions/search', { filter });
      expect(r.status).toBe(200);
      return (r.json.model_versions ?? []).map((v: any) => [v.name, v.version, v.run_id]);
    };
    expect(await versions(`run_id = '${run1}'`)).toEqual([
      [alpha, '1', run1],
      [beta, '1', run1],
    ]);
    expect(await versions(`run_id = '${run1}' AND name = '${beta}'`)).toEqual([[beta, '1', run1]]);
    expect(await versions(`run_id = '${run2}' AND version_number > 1`)).toEqual([[alpha, '2', run2]]);
    expect(await versions(`run_id = '${uniq('no-run')}'`)).toEqual([]);
  });

  it('tracking: experiments, runs with params, metrics, tags and inputs; params are immutable; search runs', async () => {
    const exp = uniq('mf-exp');
    const { json: e } = await mf('POST', 'experiments/create', { name: exp });
    expect(e.experiment_id).toMatch(/^\d+$/);
    expect((await mf('POST', 'experiments/create', { name: exp })).json.error_code).toBe('RESOURCE_ALREADY_EXISTS');
    expect((await mf('GET', 'experiments/get-by-name', { experiment_name: exp })).json.experiment).toMatchObject({
      name: exp,
      artifact_location: `mlflow-artifacts:/${e.experiment_id}`,
      lifecycle_stage: 'active',
    });
    expect((await mf('GET', 'experiments/get-by-name', { experiment_name: uniq('none') })).status).toBe(404);
    expect((await mf('GET', 'experiments/get', { experiment_id: '0' })).json.experiment.name).toBe('Default');
    const found = await mf('POST', 'experiments/search', { filter: `name = '${exp}'`, max_results: 10 });
    expect(found.json.experiments.map((x: any) => x.name)).toEqual([exp]);

    const { json: r } = await mf('POST', 'runs/create', {
      experiment_id: e.experiment_id,
      run_name: 'r1',
      start_time: 1000,
      tags: [{ key: 'mlflow.user', value: 'me' }],
    });
    const runId = r.run.info.run_id;
    expect(r.run.info).toMatchObject({
      run_name: 'r1',
      status: 'RUNNING',
      start_time: 1000,
      artifact_uri: `mlflow-artifacts:/${e.experiment_id}/${runId}/artifacts`,
    });
    await mf('POST', 'runs/log-batch', {
      run_id: runId,
      params: [{ key: 'lr', value: '0.1' }],
      metrics: [
        { key: 'loss', value: 0.9, timestamp: 1, step: 0 },
        { key: 'loss', value: 0.3, timestamp: 2, step: 2 },
        { key: 'loss', value: 0.5, timestamp: 3, step: 1 },
      ],
      tags: [{ key: 't', value: '1' }],
    });
    await mf('POST', 'runs/log-metric', { run_id: runId, key: 'acc', value: 0.8, timestamp: 5, step: 0 });
    await mf('POST', 'runs/log-parameter', { run_id: runId, key: 'epochs', value: '3' });
    expect((await mf('POST', 'runs/log-parameter', { run_id: runId, key: 'lr', value: '0.2' })).json.error_code).toBe(
      'INVALID_PARAMETER_VALUE',
    );
    await mf('POST', 'runs/set-tag', { run_id: runId, key: 'gone', value: 'x' });
    await mf('POST', 'runs/delete-tag', { run_id: runId, key: 'gone' });
    await mf('POST', 'runs/log-inputs', {
      run_id: runId,
      datasets: [
        {
          tags: [{ key: 'mlflow.data.context', value: 'eval' }],
          dataset: { name: uniq('ds'), digest: 'abc123', source_type: 's3', source: '{"uri": "s3://b/d.csv"}' },
        },
      ],
    });
    await mf('POST', 'runs/update', { run_id: runId, status: 'FINISHED', end_time: 9000 });
    const got = (await mf('GET', 'runs/get', { run_id: runId })).json.run;
    expect(got.info).toMatchObject({ status: 'FINISHED', end_time: 9000 });
    expect(got.data.params).toEqual([
      { key: 'epochs', value: '3' },
      { key: 'lr', value: '0.1' },
    ]);
    expect(got.data.metrics).toEqual([
      { key: 'acc', value: 0.8, timestamp: 5, step: 0 },
      { key: 'loss', value: 0.3, timestamp: 2, step: 2 },
    ]);
    expect(got.data.tags.map((x: any) => x.key).sort()).toEqual(['mlflow.runName', 'mlflow.user', 't']);
    expect(got.inputs.dataset_inputs[0].dataset).toMatchObject({ digest: 'abc123', source_type: 's3' });

    // The same run through GraphQL: a Pedigree run with its metrics and the logged input as a dataset version.
    const lineage = (await gqlOk(t.url, contractOp('Lineage'), { id: runId, direction: 'UPSTREAM' })).lineage;
    expect(lineage.nodes.map((n: any) => n.kind)).toContain('DatasetVersion');

    const search = await mf('POST', 'runs/search', {
      experiment_ids: [e.experiment_id],
      filter: "metrics.loss < 0.5 AND params.lr = '0.1'",
    });
    expect(search.json.runs.map((x: any) => x.info.run_id)).toEqual([runId]);
    expect(
      (await mf('POST', 'runs/search', { experiment_ids: [e.experiment_id], filter: 'metrics.loss > 0.5' })).json,
    ).toEqual({ runs: [] });
    expect((await mf('GET', 'runs/get', { run_id: 'nope' })).status).toBe(404);
  });

  it('metric history: every logged point is kept; get-history returns them in (timestamp, step, value) order with pages; runs/get shows the latest; GraphQL pages it too', async () => {
    const { json: e } = await mf('POST', 'experiments/create', { name: uniq('mf-hist') });
    const runId = (await mf('POST', 'runs/create', { experiment_id: e.experiment_id, run_name: 'hist', start_time: 1 }))
      .json.run.info.run_id;
    const ok = async (path: string, body: Record<string, unknown>) =>
      expect(await mf('POST', path, { run_id: runId, ...body })).toEqual({ status: 200, json: {} });
    await ok('runs/log-metric', { key: 'loss', value: 0.9, timestamp: 100, step: 0 });
    await ok('runs/log-batch', {
      metrics: [
        { key: 'loss', value: 0.5, timestamp: 200, step: 1 },
        { key: 'loss', value: 0.3, timestamp: 300, step: 2 },
        { key: 'loss', value: 0.9, timestamp: 100, step: 0 }, // the same point again: kept once, as in MLflow
        { key: 'acc', value: 0.8, timestamp: 300, step: 2 },
      ],
    });
    // Arrives late: the highest step with the earliest timestamp.
    await ok('runs/log-metric', { key: 'loss', value: 0.7, timestamp: 50, step: 3 });
    // Same timestamp and step: the value breaks the tie.
    await ok('runs/log-batch', {
      metrics: [
        { key: 'loss', value: 0.2, timestamp: 400, step: 4 },
        { key: 'loss', value: 0.1, timestamp: 400, step: 4 },
      ],
    });
    const loss = [
      { key: 'loss', value: 0.7, timestamp: 50, step: 3 },
      { key: 'loss', value: 0.9, timestamp: 100, step: 0 },
      { key: 'loss', value: 0.5, timestamp: 200, step: 1 },
      { key: 'loss', value: 0.3, timestamp: 300, step: 2 },
      { key: 'loss', value: 0.1, timestamp: 400, step: 4 },
      { key: 'loss', value: 0.2, timestamp: 400, step: 4 },
    ];
    expect(await mf('GET', 'metrics/get-history', { run_id: runId, metric_key: 'loss' })).toEqual({
      status: 200,
      json: { metrics: loss },
    });
    expect(
      (await mf('GET', 'metrics/get-history', { run_uuid: runId, metric_key: 'acc' }, '/ajax-api/2.0/mlflow/')).json,
    ).toEqual({ metrics: [{ key: 'acc', value: 0.8, timestamp: 300, step: 2 }] });
    expect((await mf('GET', 'metrics/get-history', { run_id: runId, metric_key: 'never-logged' })).json).toEqual({
      metrics: [],
    });

    // Pages of 4 then 2: the token carries on exactly where the page stopped.
    const p1 = await mf('GET', 'metrics/get-history', { run_id: runId, metric_key: 'loss', max_results: 4 });
    expect(p1.json.metrics).toEqual(loss.slice(0, 4));
    expect(typeof p1.json.next_page_token).toBe('string');
    const p2 = await mf(
      'GET',
      'metrics/get-history',
      { run_id: runId, metric_key: 'loss', max_results: 4, page_token: p1.json.next_page_token },
      '/ajax-api/2.0/mlflow/',
    );
    expect(p2.json).toEqual({ metrics: loss.slice(4) });
    const pages: unknown[] = [];
    for (let token: string | undefined, n = 0; n === 0 || token; n++) {
      const p = await mf('GET', 'metrics/get-history', {
        run_id: runId,
        metric_key: 'loss',
        max_results: 1,
        ...(token ? { page_token: token } : {}),
      });
      pages.push(...p.json.metrics);
      token = p.json.next_page_token;
      expect(n).toBeLessThan(6);
    }
    expect(pages).toEqual(loss);

    // runs/get keeps the latest per key: the greatest (step, timestamp, value).
    expect((await mf('GET', 'runs/get', { run_id: runId })).json.run.data.metrics).toEqual([
      { key: 'acc', value: 0.8, timestamp: 300, step: 2 },
      { key: 'loss', value: 0.2, timestamp: 400, step: 4 },
    ]);

    // The history is in the graph: one MetricPoint per distinct point.
    expect(await metricPointsOf(runId)).toEqual([
      ['acc', 300, 2, 0.8],
      ...loss.map((m) => ['loss', m.timestamp, m.step, m.value]),
    ]);

    // Refusals: MLflow's errors, and nothing written.
    const before = await graphDigest();
    expect(
      await mf('GET', 'metrics/get-history', { run_id: runId, metric_key: 'loss', max_results: 25_001 }),
    ).toMatchObject({ status: 400, json: { error_code: 'INVALID_PARAMETER_VALUE' } });
    expect(await mf('GET', 'metrics/get-history', { run_id: runId, metric_key: 'loss', max_results: 0 })).toMatchObject(
      { status: 400, json: { error_code: 'INVALID_PARAMETER_VALUE' } },
    );
    expect(
      await mf('GET', 'metrics/get-history', { run_id: runId, metric_key: 'loss', page_token: 'bm90IGEgdG9rZW4=' }),
    ).toMatchObject({ status: 400, json: { error_code: 'INVALID_PARAMETER_VALUE' } });
    expect(await mf('GET', 'metrics/get-history', { run_id: runId })).toMatchObject({
      status: 400,
      json: { error_code: 'INVALID_PARAMETER_VALUE' },
    });
    expect(await mf('GET', 'metrics/get-history', { run_id: uniq('no-run'), metric_key: 'loss' })).toMatchObject({
      status: 404,
      json: { error_code: 'RESOURCE_DOES_NOT_EXIST' },
    });
    // A batch with one bad point is refused whole.
    const bad = await mf('POST', 'runs/log-batch', {
      run_id: runId,
      metrics: [
        { key: 'loss', value: 0.05, timestamp: 500, step: 5 },
        { key: 'loss', value: 0.04, timestamp: 9e15, step: 6 },
      ],
    });
    expect(bad).toMatchObject({ status: 400, json: { error_code: 'INVALID_PARAMETER_VALUE' } });
    expect(await graphDigest()).toEqual(before);

    // GraphQL: Run.metricHistory, cursor-paginated in the same order.
    const q = `query H($id: ID!, $first: Int, $after: String) {
      run(id: $id) { metrics { key value } metricHistory(key: "loss", first: $first, after: $after) {
        totalCount edges { cursor node { key value step timestamp } } pageInfo { hasNextPage hasPreviousPage endCursor } } } }`;
    const g1 = (await gqlOk(t.url, q, { id: runId, first: 4 })).run;
    expect(g1.metrics).toEqual([
      { key: 'acc', value: 0.8 },
      { key: 'loss', value: 0.2 },
    ]);
    const asNode = (m: (typeof loss)[number]) => ({
      key: m.key,
      value: m.value,
      step: m.step,
      timestamp: new Date(m.timestamp).toISOString(),
    });
    expect(g1.metricHistory.totalCount).toBe(6);
    expect(g1.metricHistory.edges.map((x: any) => x.node)).toEqual(loss.slice(0, 4).map(asNode));
    expect(g1.metricHistory.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const g2 = (await gqlOk(t.url, q, { id: runId, first: 4, after: g1.metricHistory.pageInfo.endCursor })).run
      .metricHistory;
    expect(g2.edges.map((x: any) => x.node)).toEqual(loss.slice(4).map(asNode));
    expect(g2.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    const badCursor = await gql(t.url, q, { id: runId, first: 4, after: 'garbage' });
    expect(code(badCursor)).toBe('BAD_USER_INPUT');
  });

  it('artifacts: upload, list, download; a version whose source is in the store gets a checksum Pedigree computes', async () => {
    const { json: e } = await mf('POST', 'experiments/create', { name: uniq('mf-art') });
    const { json: r } = await mf('POST', 'runs/create', { experiment_id: e.experiment_id });
    const runId = r.run.info.run_id;
    const root = `/api/2.0/mlflow-artifacts/artifacts/${e.experiment_id}/${runId}/artifacts`;
    expect((await raw('PUT', `${root}/model/MLmodel`, 'flavors: {}\n')).status).toBe(200);
    expect((await raw('PUT', `${root}/model/data/weights%20v1.bin`, 'w')).status).toBe(200);
    const list = await raw(
      'GET',
      `/api/2.0/mlflow-artifacts/artifacts?path=${e.experiment_id}/${runId}/artifacts/model`,
    );
    expect(JSON.parse(list.body)).toEqual({
      files: [
        { path: 'MLmodel', is_dir: false, file_size: 12 },
        { path: 'data', is_dir: true },
      ],
    });
    const dl = await raw('GET', `${root}/model/data/weights%20v1.bin`);
    expect(dl).toEqual({ status: 200, body: 'w' });
    expect((await raw('GET', `${root}/model/missing`)).status).toBe(404);

    const name = uniq('mf-stored');
    await mf('POST', 'registered-models/create', { name });
    const v = await mf('POST', 'model-versions/create', { name, source: `runs:/${runId}/model`, run_id: runId });
    expect(v.json.model_version.run_id).toBe(runId);
    const checksum = (await gqlOk(t.url, contractOp('GetModelVersion'), { modelName: name, version: 1 })).modelVersion
      .checksum;
    expect(checksum).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect((await mf('GET', 'model-versions/get-download-uri', { name, version: '1' })).json.artifact_uri).toBe(
      `mlflow-artifacts:/${e.experiment_id}/${runId}/artifacts/model`,
    );
    // A wrong checksum tag for stored artifacts is refused; an empty source in the store too.
    expect(
      (
        await mf('POST', 'model-versions/create', {
          name,
          source: `runs:/${runId}/model`,
          tags: [{ key: 'pedigree.checksum', value: sha('0') }],
        })
      ).json.error_code,
    ).toBe('INVALID_PARAMETER_VALUE');
    expect(
      (await mf('POST', 'model-versions/create', { name, source: `runs:/${runId}/nothing` })).json.error_code,
    ).toBe('INVALID_PARAMETER_VALUE');
  });

  it("auth: the token MLflow sends (MLFLOW_TRACKING_TOKEN as a bearer token) is checked like GraphQL's", async () => {
    const noToken = await raw('GET', `/api/2.0/mlflow/registered-models/search`, undefined, null);
    expect(noToken.status).toBe(401);
    expect(JSON.parse(noToken.body).error_code).toBe('UNAUTHENTICATED');
    const badToken = await raw(
      'POST',
      `/api/2.0/mlflow/registered-models/create`,
      JSON.stringify({ name: uniq('x') }),
      'pdg_not-a-token',
    );
    expect(badToken.status).toBe(401);
    const upload = await raw('PUT', `/api/2.0/mlflow-artifacts/artifacts/1/x.txt`, 'x', null);
    expect(upload.status).toBe(401);
    const audit = (await gqlOk(t.url, contractOp('AuditLog'), { filter: { types: ['MODEL_CREATED'] }, first: 1 }))
      .auditLog.edges;
    expect(audit.length).toBe(1);
  });

  it.each([
    ['dot-dot', '/api/2.0/mlflow-artifacts/artifacts/1/../../../../etc/passwd'],
    ['encoded dot-dot', '/api/2.0/mlflow-artifacts/artifacts/1/%2e%2e/%2e%2e/x'],
    ['double-encoded dot-dot', '/api/2.0/mlflow-artifacts/artifacts/1/%252e%252e/x'],
    ['encoded slash', '/api/2.0/mlflow-artifacts/artifacts/1%2f..%2f..%2fx'],
    ['backslash', '/api/2.0/mlflow-artifacts/artifacts/1/..\\..\\x'],
    ['encoded backslash', '/api/2.0/mlflow-artifacts/artifacts/1/..%5c..%5cx'],
    ['absolute', '/api/2.0/mlflow-artifacts/artifacts//etc/passwd'],
    ['NUL', '/api/2.0/mlflow-artifacts/artifacts/1/x%00.txt'],
    ['listing dot-dot', '/api/2.0/mlflow-artifacts/artifacts?path=../..'],
    ['listing absolute', '/api/2.0/mlflow-artifacts/artifacts?path=/etc'],
    ['listing encoded', '/api/2.0/mlflow-artifacts/artifacts?path=%252e%252e'],
  ])('artifact proxy refuses %s on PUT and GET with INVALID_PARAMETER_VALUE', async (_why, path) => {
    for (const method of path.includes('?') ? ['GET'] : ['PUT', 'GET']) {
      const r = await raw(method, path, method === 'PUT' ? 'pwned' : undefined);
      expect(r.status).toBe(400);
      expect(JSON.parse(r.body).error_code).toBe('INVALID_PARAMETER_VALUE');
    }
  });
});
