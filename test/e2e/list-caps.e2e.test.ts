import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractOp } from '../support/contract.js';
import { createModel, createVersion } from '../support/fixtures.js';
import { graphDigest } from '../support/graph-digest.js';
import { code, gql, gqlOk, sha, TEST_ADMIN_TOKEN, uniq, type GqlResponse } from '../support/graphql.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * Lists that are capped rather than paged (DESIGN.md rule 10): the service
 * that grows one refuses to take it past its cap, on every transport, and a
 * refused write changes nothing; so the cap the cost analysis counts is a
 * true bound, and a capped list is always complete. Lineage walks stop at
 * their node budget.
 */
let t: TestServer;
let base: string;
beforeAll(async () => {
  t = await startTestServer({}, { withoutPromotionGuard: true });
  base = t.url.replace(/\/graphql$/, '');
});
afterAll(async () => {
  await t?.close();
});

async function mlflow(path: string, body: Record<string, unknown>): Promise<{ status: number; json: any }> {
  const res = await fetch(`${base}/api/2.0/mlflow/${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

/** `write` is refused with BAD_USER_INPUT (GraphQL) naming the cap, and the graph is as it was. */
async function expectRefusedUnchanged(write: () => Promise<GqlResponse>, message: RegExp) {
  const before = await graphDigest();
  const r = await write();
  expect(code(r)).toBe('BAD_USER_INPUT');
  expect(r.errors?.[0]?.message).toMatch(message);
  expect(await graphDigest()).toEqual(before);
}

async function sequential<T>(n: number, f: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(await f(i));
  return out;
}

describe('lineage stops at its node budget while walking', () => {
  it('a version with more predictions than the budget: 5,000 nodes, truncated, bounded edges', async () => {
    const m = await createModel(t.url);
    await createVersion(t.url, m);
    const v = (await gqlOk(t.url, 'query($m: String!) { modelVersion(modelName: $m, version: 1) { id } }', { m }))
      .modelVersion.id;
    const predictions = Array.from({ length: 5200 }, (_, i) => ({ id: `${m}-p${i}` }));
    await gqlOk(t.url, contractOp('LogPredictions'), {
      input: { model: { modelName: m, version: 1 }, deployment: uniq('endpoint'), predictions },
    });

    for (const [direction, depth] of [
      ['DOWNSTREAM', 1],
      ['BOTH', 1],
      ['DOWNSTREAM', 3],
    ] as const) {
      const g = (await gqlOk(t.url, contractOp('Lineage'), { id: v, direction, depth })).lineage;
      expect(g.truncated, `${direction} ${depth}`).toBe(true);
      expect(g.nodes).toHaveLength(5000);
      expect(g.edges.length).toBeLessThanOrEqual(5000);
      expect(new Set(g.nodes.map((n: any) => n.id)).size).toBe(5000);
      expect(g.nodes.every((n: any) => n.kind === 'Prediction' || direction === 'BOTH')).toBe(true);
      // Every edge joins returned nodes.
      const ids = new Set([v, ...g.nodes.map((n: any) => n.id)]);
      expect(g.edges.every((e: any) => ids.has(e.from) && ids.has(e.to))).toBe(true);
    }
    // Upstream from the version nothing is cut.
    const up = (await gqlOk(t.url, contractOp('Lineage'), { id: v, direction: 'UPSTREAM', depth: 5 })).lineage;
    expect(up.truncated).toBe(false);
  });
});

describe('tags: at most 100 per model and per version, on GraphQL and MLflow alike', () => {
  it('refuses a 101st key, accepts a new value for an existing key', async () => {
    const tags = Array.from({ length: 100 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    const m = uniq('tagged');
    await gqlOk(t.url, contractOp('CreateRegisteredModel'), { input: { name: m, tags } });
    await createVersion(t.url, m, { tags });
    await expectRefusedUnchanged(
      () =>
        gql(t.url, 'mutation($m: String!) { setRegisteredModelTag(modelName: $m, key: "k100", value: "v") { name } }', {
          m,
        }),
      /at most 100 tags/,
    );
    await expectRefusedUnchanged(
      () =>
        gql(
          t.url,
          'mutation($m: String!) { setModelVersionTag(ref: { modelName: $m, version: 1 }, key: "k100", value: "v") { version } }',
          { m },
        ),
      /at most 100 tags/,
    );
    const before = await graphDigest();
    expect(await mlflow('registered-models/set-tag', { name: m, key: 'k100', value: 'v' })).toMatchObject({
      status: 400,
      json: { error_code: 'INVALID_PARAMETER_VALUE' },
    });
    expect(await mlflow('model-versions/set-tag', { name: m, version: '1', key: 'k100', value: 'v' })).toMatchObject({
      status: 400,
      json: { error_code: 'INVALID_PARAMETER_VALUE' },
    });
    expect(await graphDigest()).toEqual(before);
    await gqlOk(
      t.url,
      'mutation($m: String!) { setRegisteredModelTag(modelName: $m, key: "k7", value: "changed") { name } }',
      { m },
    );
    const read = await gqlOk(t.url, 'query($m: String!) { registeredModel(name: $m) { tags { key value } } }', { m });
    expect(read.registeredModel.tags).toHaveLength(100);
    expect(read.registeredModel.tags).toContainEqual({ key: 'k7', value: 'changed' });
  });
});

describe('aliases: at most 100 per model', () => {
  it('refuses a 101st alias, moves an existing one', async () => {
    const m = await createModel(t.url);
    await createVersion(t.url, m, { checksum: sha('a') });
    await createVersion(t.url, m, { checksum: sha('b') });
    await sequential(100, (i) =>
      gqlOk(t.url, contractOp('SetRegisteredModelAlias'), { modelName: m, alias: `a${i}`, version: 1 }),
    );
    await expectRefusedUnchanged(
      () => gql(t.url, contractOp('SetRegisteredModelAlias'), { modelName: m, alias: 'a100', version: 1 }),
      /at most 100 aliases/,
    );
    expect((await mlflow('registered-models/alias', { name: m, alias: 'a100', version: '1' })).json.error_code).toBe(
      'INVALID_PARAMETER_VALUE',
    );
    await gqlOk(t.url, contractOp('SetRegisteredModelAlias'), { modelName: m, alias: 'a5', version: 2 });
    const read = await gqlOk(t.url, contractOp('GetRegisteredModel'), { name: m });
    expect(read.registeredModel.aliases).toHaveLength(100);
  });
});

describe('teachers: at most 50 per version, at registration and after', () => {
  it('refuses a 51st DISTILLED_FROM edge; other relations are not counted', async () => {
    const teacher = await createModel(t.url);
    await sequential(52, (i) => createVersion(t.url, teacher, { checksum: sha((i % 10).toString()) }));
    const student = await createModel(t.url);
    const teachers = Array.from({ length: 50 }, (_, i) => ({ modelName: teacher, version: i + 1 }));
    const v = await gqlOk(t.url, contractOp('CreateModelVersion'), {
      input: { modelName: student, source: 's3://b/student', checksum: sha('5'), teachers },
    });
    expect(v.createModelVersion.teachers).toHaveLength(50);
    const add = (version: number, relation: string) =>
      gql(t.url, 'mutation($i: AddModelRelationInput!) { addModelRelation(input: $i) { created } }', {
        i: { modelVersion: { modelName: student, version: 1 }, parent: { modelName: teacher, version }, relation },
      });
    await expectRefusedUnchanged(() => add(51, 'DISTILLED_FROM'), /at most 50 teachers/);
    // An existing teacher again is no new edge; another relation is not a teacher.
    expect((await add(1, 'DISTILLED_FROM')).data?.addModelRelation).toEqual({ created: false });
    expect((await add(52, 'FINE_TUNED_FROM')).data?.addModelRelation).toEqual({ created: true });
  });
});

describe('monitoring rules: at most 100 per model', () => {
  it('refuses a 101st rule, replaces an existing one by name', async () => {
    const m = await createModel(t.url);
    const rule = (name: string, threshold = 0.1) =>
      gql(t.url, 'mutation($i: MonitoringRuleInput!) { setMonitoringRule(input: $i) { name threshold } }', {
        i: { modelName: m, name, metric: 'error_rate', op: 'GT', threshold, forMinutes: 5, action: 'ALERT' },
      });
    await sequential(100, (i) => rule(`r${i}`));
    await expectRefusedUnchanged(() => rule('r100'), /at most 100 monitoring rules/);
    expect((await rule('r3', 0.5)).data?.setMonitoringRule).toEqual({ name: 'r3', threshold: 0.5 });
    expect(
      (await gqlOk(t.url, 'query($m: String!) { monitoringRules(modelName: $m) { name } }', { m })).monitoringRules,
    ).toHaveLength(100);
  });
});

describe('model card sections: at most 40 human-written per model and per version', () => {
  it('refuses a 41st title, revises an existing one', async () => {
    const m = await createModel(t.url);
    await createVersion(t.url, m);
    const set = (title: string) =>
      gql(
        t.url,
        'mutation($m: String!, $t: String!) { setModelCardSection(modelName: $m, title: $t, body: "x") { revision } }',
        { m, t: title },
      );
    await sequential(40, (i) => set(`Section ${i}`));
    await expectRefusedUnchanged(() => set('Section 40'), /at most 40 human-written card sections/);
    expect((await set('Section 3')).data?.setModelCardSection).toEqual({ revision: 2 });
    const card = await gqlOk(t.url, contractOp('ModelCard'), { ref: { modelName: m, version: 1 } });
    expect(card.modelCard.sections.filter((s: any) => /^Section/.test(s.title))).toHaveLength(40);
  });
});

describe('live API tokens: at most 100 per principal', () => {
  it('refuses a 101st live token; revoking by name revokes all 100, after which tokens can be made again', async () => {
    const name = uniq('many-tokens');
    await sequential(100, () => gqlOk(t.url, contractOp('CreateApiToken'), { name, role: 'VIEWER' }));
    await expectRefusedUnchanged(
      () => gql(t.url, contractOp('CreateApiToken'), { name, role: 'VIEWER' }),
      /at most 100 live tokens/,
    );
    const revoked = await gqlOk(t.url, 'mutation($r: String!) { revokeApiToken(ref: $r) }', { r: name });
    expect(revoked.revokeApiToken).toHaveLength(100);
    await gqlOk(t.url, contractOp('CreateApiToken'), { name, role: 'VIEWER' });
  });
});

describe("an MLflow run's params, metric keys and inputs are capped", () => {
  it('refuses the log that would pass 2,000 params or metric keys, or 1,000 inputs', async () => {
    const e = (await mlflow('experiments/create', { name: uniq('caps') })).json.experiment_id;
    const runId = (await mlflow('runs/create', { experiment_id: e })).json.run.info.run_id;
    for (let b = 0; b < 20; b++) {
      const params = Array.from({ length: 100 }, (_, i) => ({ key: `p${b * 100 + i}`, value: '1' }));
      expect((await mlflow('runs/log-batch', { run_id: runId, params })).status).toBe(200);
    }
    for (let b = 0; b < 2; b++) {
      const metrics = Array.from({ length: 1000 }, (_, i) => ({
        key: `m${b * 1000 + i}`,
        value: 1,
        timestamp: 1,
        step: 0,
      }));
      expect((await mlflow('runs/log-batch', { run_id: runId, metrics })).status).toBe(200);
    }
    const datasets = Array.from({ length: 1000 }, (_, i) => ({
      dataset: { name: `d${i}`, digest: `g${i}`, source_type: 'local', source: `s${i}` },
    }));
    expect((await mlflow('runs/log-inputs', { run_id: runId, datasets })).status).toBe(200);

    const before = await graphDigest();
    const refused = [
      await mlflow('runs/log-batch', { run_id: runId, params: [{ key: 'p2000', value: '1' }] }),
      await mlflow('runs/log-batch', { run_id: runId, metrics: [{ key: 'm2000', value: 1, timestamp: 1, step: 0 }] }),
      await mlflow('runs/log-inputs', {
        run_id: runId,
        datasets: [{ dataset: { name: 'd1000', digest: 'g1000', source_type: 'local', source: 's' } }],
      }),
    ];
    for (const r of refused)
      expect(r).toMatchObject({
        status: 400,
        json: { error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringMatching(/at most (2000|1000)/) },
      });
    expect(await graphDigest()).toEqual(before);
    // Known keys still log: a new value of a metric, the same param value, an input already used.
    expect(
      (
        await mlflow('runs/log-batch', {
          run_id: runId,
          metrics: [{ key: 'm7', value: 2, timestamp: 2, step: 1 }],
          params: [{ key: 'p7', value: '1' }],
        })
      ).status,
    ).toBe(200);
    expect((await mlflow('runs/log-inputs', { run_id: runId, datasets: datasets.slice(0, 1) })).status).toBe(200);

    const run = await gqlOk(
      t.url,
      'query($id: ID!) { run(id: $id) { params { key } metrics { key } inputs { role } } }',
      { id: runId },
    );
    expect([run.run.params.length, run.run.metrics.length, run.run.inputs.length]).toEqual([2000, 2000, 1000]);
  });
});
