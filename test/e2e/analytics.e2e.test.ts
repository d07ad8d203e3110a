import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractOp } from '../support/contract.js';
import { createModel, createVersion } from '../support/fixtures.js';
import { code, gql, gqlOk, sha, uniq } from '../support/graphql.js';
import { startTestServer, type TestServer } from '../support/server.js';

let t: TestServer;
const m = { a: '', b: '' };
const ids: Record<string, string> = {};

const transition = (modelName: string, version: number, stage: string) =>
  gqlOk(
    t.url,
    'mutation($ref: ModelVersionRefInput!, $s: Stage!) { transitionModelVersionStage(ref: $ref, stage: $s) { version stage } }',
    {
      ref: { modelName, version },
      s: stage,
    },
  );
const evidence = (modelName: string, version: number, kind: string) =>
  gqlOk(
    t.url,
    'mutation($ref: ModelVersionRefInput!, $e: EvidenceInput!) { addModelVersionEvidence(ref: $ref, evidence: $e) { kind } }',
    {
      ref: { modelName, version },
      e: { kind, passed: true, summary: kind },
    },
  );
const metric = [{ key: 'auc', value: 0.9 }];

/**
 * A small registry through the public API: model A with three versions (v1
 * promoted DEVELOPMENT → STAGING → CANARY → PRODUCTION, v2 to STAGING), alias
 * moves and a rollback, predictions logged against v1; model B with one
 * version trained on a dataset version.
 */
beforeAll(async () => {
  // The registry's own gates apply; the two-person promotion rule (tested in
  // promotion.e2e) is off so the fixture can promote and move `production` directly.
  t = await startTestServer({}, { withoutPromotionGuard: true });
  m.a = await createModel(t.url, uniq('an-a'));
  m.b = await createModel(t.url, uniq('an-b'));
  const ds = await gqlOk(t.url, contractOp('RegisterDatasetVersion'), {
    input: { dataset: uniq('an-ds'), version: '1', hash: sha('d'), uri: 's3://d/1' },
  });
  ids.ds = ds.registerDatasetVersion.id;
  const run = await gqlOk(t.url, contractOp('CreateRun'), {
    input: { name: 'train-b', codeCommit: 'abc', inputs: [{ datasetVersionId: ids.ds, role: 'train' }] },
  });
  ids.run = run.createRun.id;
  for (let i = 0; i < 3; i++) await createVersion(t.url, m.a, { metrics: metric });
  await createVersion(t.url, m.b, { metrics: metric, runId: ids.run });
  for (const k of ['HUMAN_REVIEW', 'FAIRNESS_CHECK', 'SLO_VALIDATION', 'SIGN_OFF']) {
    await evidence(m.a, 1, k);
    await evidence(m.b, 1, k);
  }
  // → PRODUCTION also needs the model card's required human sections.
  for (const modelName of [m.a, m.b]) {
    for (const title of ['Intended use and users', 'Limitations and failure modes']) {
      await gqlOk(
        t.url,
        'mutation($n: String!, $t: String!) { setModelCardSection(modelName: $n, title: $t, body: "Written for the test.") { revision } }',
        { n: modelName, t: title },
      );
    }
  }
  for (const s of ['STAGING', 'CANARY', 'PRODUCTION']) {
    await transition(m.a, 1, s);
    await transition(m.b, 1, s);
  }
  await transition(m.a, 2, 'STAGING');
  const setAlias = (v: number) =>
    gqlOk(t.url, contractOp('SetRegisteredModelAlias'), { modelName: m.a, alias: 'production', version: v });
  await setAlias(1);
  await setAlias(2);
  await setAlias(1);
  await setAlias(3);
  await gqlOk(t.url, contractOp('Rollback'), {
    modelName: m.a,
    alias: 'production',
    version: 2,
    reason: 'v3 regressed',
  });
  await gqlOk(t.url, contractOp('LogPredictions'), {
    input: { model: { modelName: m.a, version: 1 }, predictions: [{ id: uniq('p') }, { id: uniq('p') }] },
  });
  await gqlOk(t.url, contractOp('LogPredictions'), {
    input: { model: { modelName: m.a, version: 1 }, predictions: [{ id: uniq('p') }] },
  });
});
afterAll(async () => {
  await t?.close();
});

describe('analytics', () => {
  it('counts versions registered per day and per week, paged', async () => {
    const q = `query($p: AnalyticsPeriod, $m: String, $first: Int, $after: String) {
      versionsRegistered(period: $p, modelName: $m, first: $first, after: $after) {
        totalCount edges { node { periodStart modelName count } } pageInfo { hasNextPage endCursor } } }`;
    for (const p of ['DAY', 'WEEK']) {
      const r = (await gqlOk(t.url, q, { p, m: m.a })).versionsRegistered;
      // All three versions were registered seconds ago: one bucket, unless the test straddled midnight.
      const total = r.edges.reduce((s: number, e: { node: { count: number } }) => s + e.node.count, 0);
      expect(total).toBe(3);
      expect(r.edges[0].node.modelName).toBe(m.a);
      if (p === 'WEEK') expect(new Date(r.edges[0].node.periodStart).getUTCDay()).toBe(1);
    }
    // All models, one bucket per page: the pages together hold both models, no duplicates.
    const seen: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 1000; i++) {
      const r: any = (await gqlOk(t.url, q, { p: 'DAY', first: 1, after })).versionsRegistered;
      for (const e of r.edges) seen.push(`${e.node.periodStart}|${e.node.modelName}`);
      if (!r.pageInfo.hasNextPage) break;
      after = r.pageInfo.endCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.some((s) => s.endsWith(`|${m.a}`)) && seen.some((s) => s.endsWith(`|${m.b}`))).toBe(true);
  });

  it('pages of any size concatenate to the one-page answer, with the same total (property)', async () => {
    const q = `query($first: Int, $after: String) { versionsRegistered(period: DAY, first: $first, after: $after) {
      totalCount edges { node { periodStart modelName count } } pageInfo { hasNextPage endCursor } } }`;
    const whole = (await gqlOk(t.url, q, { first: 500 })).versionsRegistered;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 10, max: 60 }), async (size) => {
        const got: unknown[] = [];
        let after: string | null = null;
        for (;;) {
          const r: any = (await gqlOk(t.url, q, { first: size, after })).versionsRegistered;
          expect(r.totalCount).toBe(whole.totalCount);
          got.push(...r.edges.map((e: { node: unknown }) => e.node));
          if (!r.pageInfo.hasNextPage) break;
          after = r.pageInfo.endCursor;
        }
        expect(got).toEqual(whole.edges.map((e: { node: unknown }) => e.node));
      }),
      { numRuns: 4 },
    );
  });

  it('counts versions by stage, every stage present', async () => {
    const r = await gqlOk(t.url, 'query($m: String) { versionCountsByStage(modelName: $m) { stage count } }', {
      m: m.a,
    });
    const by = Object.fromEntries(
      r.versionCountsByStage.map((x: { stage: string; count: number }) => [x.stage, x.count]),
    );
    expect(by).toEqual({ DEVELOPMENT: 1, STAGING: 1, CANARY: 0, PRODUCTION: 1, ARCHIVED: 0 });
  });

  it('measures promotion lead time and time in stage as percentiles', async () => {
    const lead = (
      await gqlOk(
        t.url,
        'query($m: String) { promotionLeadTime(modelName: $m) { count p50Seconds p90Seconds p95Seconds maxSeconds } }',
        { m: m.a },
      )
    ).promotionLeadTime;
    expect(lead.count).toBe(1);
    expect(lead.p50Seconds).toBeGreaterThan(0);
    expect(lead.p50Seconds).toBeLessThanOrEqual(lead.maxSeconds);
    const none = (
      await gqlOk(
        t.url,
        'query($m: String) { promotionLeadTime(modelName: $m, to: "2001-01-02T00:00:00Z", from: "2001-01-01T00:00:00Z") { count p50Seconds } }',
        { m: m.a },
      )
    ).promotionLeadTime;
    expect(none).toEqual({ count: 0, p50Seconds: null });
    const stays = (
      await gqlOk(t.url, 'query($m: String) { timeInStage(modelName: $m) { stage count p50Seconds maxSeconds } }', {
        m: m.a,
      })
    ).timeInStage;
    const by = Object.fromEntries(stays.map((s: { stage: string; count: number }) => [s.stage, s.count]));
    // v1 left DEVELOPMENT, STAGING and CANARY; v2 left DEVELOPMENT. Current stays are open, so not counted.
    expect(by).toEqual({ DEVELOPMENT: 2, STAGING: 1, CANARY: 1 });
    for (const s of stays) expect(s.p50Seconds).toBeGreaterThanOrEqual(0);
  });

  it('counts alias moves and rollbacks per period', async () => {
    const r = (
      await gqlOk(
        t.url,
        'query($m: String) { aliasActivity(modelName: $m, alias: "production") { totalCount edges { node { periodStart moves rollbacks } } } }',
        { m: m.a },
      )
    ).aliasActivity;
    const sum = (k: 'moves' | 'rollbacks') =>
      r.edges.reduce((s: number, e: { node: Record<string, number> }) => s + e.node[k]!, 0);
    expect(sum('moves')).toBe(5);
    expect(sum('rollbacks')).toBe(1);
    const other = (
      await gqlOk(t.url, 'query($m: String) { aliasActivity(modelName: $m, alias: "shadow") { totalCount } }', {
        m: m.a,
      })
    ).aliasActivity;
    expect(other.totalCount).toBe(0);
  });

  it('sums predictions logged per version per day', async () => {
    const r = (
      await gqlOk(
        t.url,
        'query($m: String) { predictionVolume(modelName: $m) { totalCount edges { node { modelName version count } } } }',
        { m: m.a },
      )
    ).predictionVolume;
    const total = r.edges.reduce((s: number, e: { node: { count: number } }) => s + e.node.count, 0);
    expect(total).toBe(3);
    expect(r.edges.every((e: { node: { version: number } }) => e.node.version === 1)).toBe(true);
  });

  it('finds production versions trained on data older than N days', async () => {
    const q =
      'query($d: Int!, $alias: String, $after: String) { staleProductionModels(olderThanDays: $d, alias: $alias, first: 500, after: $after) { totalCount edges { node { modelName version stage newestDataAt dataAgeDays datasets } } pageInfo { hasNextPage endCursor } } }';
    const names = async (d: number) => {
      const r = (await gqlOk(t.url, q, { d })).staleProductionModels;
      return r.edges.map((e: { node: { modelName: string } }) => e.node.modelName) as string[];
    };
    const zero = (await gqlOk(t.url, q, { d: 0 })).staleProductionModels.edges.find(
      (e: any) => e.node.modelName === m.b,
    )?.node;
    expect(zero).toMatchObject({ modelName: m.b, version: 1, stage: 'PRODUCTION' });
    expect(zero.datasets).toHaveLength(1);
    expect(zero.dataAgeDays).toBeGreaterThanOrEqual(0);
    // Model A's production version has no run, so no training data to judge.
    expect(await names(0)).not.toContain(m.a);
    expect(await names(1)).not.toContain(m.b);
  });

  it('refuses unbounded windows and foreign cursors with BAD_USER_INPUT', async () => {
    const wide = await gql(
      t.url,
      'query { versionsRegistered(from: "2000-01-01T00:00:00Z", to: "2010-01-01T00:00:00Z") { totalCount } }',
    );
    expect(code(wide)).toBe('BAD_USER_INPUT');
    expect(wide.errors![0]!.message).toMatch(/at most 400 days/);
    const backwards = await gql(
      t.url,
      'query { promotionLeadTime(from: "2010-01-02T00:00:00Z", to: "2010-01-01T00:00:00Z") { count } }',
    );
    expect(code(backwards)).toBe('BAD_USER_INPUT');
    const cursor = Buffer.from(JSON.stringify([1, 2, 3])).toString('base64url');
    expect(code(await gql(t.url, 'query($a: String) { aliasActivity(after: $a) { totalCount } }', { a: cursor }))).toBe(
      'BAD_USER_INPUT',
    );
    expect(code(await gql(t.url, 'query { staleProductionModels(olderThanDays: -1) { totalCount } }'))).toBe(
      'BAD_USER_INPUT',
    );
  });
});
