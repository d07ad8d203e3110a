import fc from 'fast-check';
import type { Driver } from 'neo4j-driver';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadStatements } from '../../src/graph/cypher.js';
import type { Executor } from '../../src/graph/executor.js';
import { Role } from '../../src/governance/roles.js';
import type { Stage } from '../../src/registry/types.js';
import {
  VersionSearch,
  type SearchTuning,
  type VersionFilter,
  type VersionOrder,
} from '../../src/registry/version-search.js';
import { contractOp } from '../support/contract.js';
import { gqlOk, sha, TEST_ADMIN_TOKEN, uniq } from '../support/graphql.js';
import { testDriver } from '../support/neo4j.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * searchModelVersions answers from one of several statements (the general
 * one, a walk of an index per ordering, a walk handing over to the general
 * one, a walk completed by it) and counts only when asked, up to a cap. The
 * invariant: whichever answers, paging through every page gives exactly the
 * matching versions, in exactly the order a plain sort of all versions gives
 * (ordering keys with direction folded in and missing values last, then model
 * name, then version), with the same cursors; the count is the number of
 * matches up to the cap, and says whether it stopped there.
 */

/** A version to make: its model (0–3) and what the oracle filters and sorts on. */
type Spec = Omit<Made, 'id' | 'modelName' | 'version'> & { model: number };

/** One version as the test made it: what the oracle filters and sorts. */
interface Made {
  id: string;
  modelName: string;
  version: number;
  stage: Stage;
  /** createdAt: epoch ms plus nanoseconds within that millisecond (set directly, to force ties). */
  ms: number;
  ns: number;
  grp: string | null;
  auc: number | null;
  f1: number | null;
}

type Plan = 'auto' | 'general' | 'wide walk' | 'tight walk';
const COUNT_CAP = 4;
const TUNINGS: Record<Plan, Partial<SearchTuning>> = {
  auto: { countCap: COUNT_CAP },
  general: { countCap: COUNT_CAP, plan: 'general' },
  // A walk that is never cut short (the test graph is far smaller), and one cut short almost always.
  'wide walk': { countCap: COUNT_CAP, plan: 'walk', minWalk: 1_000_000, maxWalk: 1_000_000 },
  'tight walk': { countCap: COUNT_CAP, plan: 'walk', minWalk: 1, maxWalk: 1 },
};
const LAST = 1.0e308;
const STAGES: Stage[] = ['DEVELOPMENT', 'STAGING', 'ARCHIVED'];
const VALUES = [0.25, 0.5, 0.75];
/** All test versions were created in 2020, a few milliseconds apart: many share a millisecond. */
const BASE_MS = Date.UTC(2020, 0, 1);
const ORDERINGS: VersionOrder[][] = [
  [],
  [{ field: 'VERSION', direction: 'ASC' }],
  [{ field: 'VERSION', direction: 'DESC' }],
  [{ field: 'CREATED_AT', direction: 'ASC' }],
  [{ field: 'CREATED_AT', direction: 'DESC' }],
  [{ field: 'METRIC', metricKey: 'auc', direction: 'ASC' }],
  [{ field: 'METRIC', metricKey: 'auc', direction: 'DESC' }],
  [{ field: 'METRIC', metricKey: 'f1', direction: 'DESC' }],
  [
    { field: 'METRIC', metricKey: 'auc', direction: 'DESC' },
    { field: 'VERSION', direction: 'ASC' },
  ],
  [
    { field: 'CREATED_AT', direction: 'DESC' },
    { field: 'METRIC', metricKey: 'f1', direction: 'ASC' },
  ],
];

const ops = {
  GT: (a: number, b: number) => a > b,
  GTE: (a: number, b: number) => a >= b,
  LT: (a: number, b: number) => a < b,
  LTE: (a: number, b: number) => a <= b,
  EQ: (a: number, b: number) => a === b,
};

function matches(v: Made, f: VersionFilter): boolean {
  if (f.modelName && v.modelName !== f.modelName) return false;
  if (f.stage && v.stage !== f.stage) return false;
  if (f.tag && v.grp !== f.tag.value) return false;
  if (f.metric) {
    const x = f.metric.key === 'auc' ? v.auc : v.f1;
    if (x === null || !ops[f.metric.op](x, f.metric.value)) return false;
  }
  if (f.createdAfter) {
    const a = Date.parse(f.createdAfter);
    if (!(v.ms > a || (v.ms === a && v.ns > 0))) return false;
  }
  if (f.createdBefore && !(v.ms < Date.parse(f.createdBefore))) return false;
  return true;
}

function keyOf(v: Made, orderBy: VersionOrder[]): [number, number, string, number] {
  const k = orderBy.map((o) => {
    const raw =
      o.field === 'VERSION' ? v.version : o.field === 'CREATED_AT' ? v.ms : o.metricKey === 'auc' ? v.auc : v.f1;
    return raw === null ? LAST : o.direction === 'DESC' ? -raw : raw;
  });
  while (k.length < 2) k.push(LAST);
  return [k[0]!, k[1]!, v.modelName, v.version];
}

function compare(a: readonly (number | string)[], b: readonly (number | string)[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return 0;
}

describe('searchModelVersions: every plan pages through exactly the matches, in order', () => {
  let t: TestServer;
  let driver: Driver;
  /** The statements each search call ran, with their parameters. */
  let calls: { name: string; params: Record<string, unknown> }[][] = [];
  const recording = (): Pick<Executor, 'read'> => ({
    read: (name, params) => {
      calls.at(-1)!.push({ name, params: params ?? {} });
      return t.app.executor.read(name, params);
    },
  });
  const search = (plan: Plan, ...args: Parameters<VersionSearch['search']>) => {
    calls.push([]);
    return new VersionSearch(recording(), TUNINGS[plan]).search(...args);
  };

  beforeAll(async () => {
    t = await startTestServer();
    driver = testDriver();
  });
  /**
   * Models this file made: deleted at the end (through the registry), so the run's later files plan on the graph they
   * expect.
   */
  const models: string[] = [];
  afterAll(async () => {
    for (const name of models)
      await t.app.services.registry.models.deleteModel({ name: 'search-test', role: Role.ADMIN }, name, {
        force: false,
      });
    await driver?.close();
    await t?.close();
  });

  /**
   * Creates the versions through the registry, then sets their creation times and stages directly (ties on purpose).
   */
  async function makeGraph(prefix: string, specs: Spec[]): Promise<Made[]> {
    const names = [...new Set(specs.map((s) => s.model))].map((m) => `${prefix}-m${m}`);
    for (const name of names) await t.app.services.registry.models.createModel({ name: 'search-test' }, { name });
    models.push(...names);
    const created = await t.app.services.registry.versions.createVersions(
      { name: 'search-test' },
      specs.map((s, i) => ({
        modelName: `${prefix}-m${s.model}`,
        source: `s3://${prefix}/${i}/model.bin`,
        checksum: sha('b'),
        tags: s.grp ? [{ key: 'grp', value: s.grp }] : [],
        metrics: [
          ...(s.auc === null ? [] : [{ key: 'auc', value: s.auc }]),
          // A segment's value never counts: it is the opposite of the overall one.
          ...(s.auc === null ? [] : [{ key: 'auc', value: 1 - s.auc, segment: 'eu' }]),
          ...(s.f1 === null ? [] : [{ key: 'f1', value: s.f1 }]),
        ],
      })),
    );
    const made = created.map((v, i) => ({ ...specs[i]!, id: v.id, modelName: v.modelName, version: v.version }));
    const s = driver.session();
    try {
      await s.run(
        'UNWIND $rows AS r MATCH (v:ModelVersion {id: r.id}) SET v.createdAt = datetime({epochMillis: toInteger(r.ms)}) + duration({nanoseconds: toInteger(r.ns)}), v.stage = r.stage',
        { rows: made.map((v) => ({ id: v.id, ms: v.ms, ns: v.ns, stage: v.stage })) },
      );
    } finally {
      await s.close();
    }
    return made;
  }

  /** Every page of one search under one plan: the versions in order, and each page's count. */
  async function pageThrough(
    plan: Plan,
    filter: VersionFilter,
    orderBy: VersionOrder[],
    first: number,
    withTotal: boolean,
  ) {
    const ids: string[] = [];
    const totals: [number | null, boolean][] = [];
    let after: unknown[] | null = null;
    for (let pages = 0; pages < 200; pages++) {
      const r = await search(plan, filter, orderBy, { first, after }, { withTotal });
      expect(r.page.length).toBeLessThanOrEqual(first + 1);
      totals.push([r.total, r.totalIsExact]);
      const rows = r.page.slice(0, first);
      ids.push(...rows.map((x) => x.version.id));
      if (r.page.length <= first) break;
      // Cursors survive the trip through JSON (the GraphQL cursor) unchanged.
      after = JSON.parse(JSON.stringify(rows.at(-1)!.key)) as unknown[];
    }
    return { ids, totals };
  }

  /** One query, paged through under its plan, against the oracle: every page's rows and count. */
  async function agrees(prefix: string, made: Made[], q: Query): Promise<void> {
    const filter: VersionFilter = {
      sourcePrefix: `s3://${prefix}/`, // only this graph's versions (the run's database holds others)
      modelName: q.model === null ? null : `${prefix}-m${q.model}`,
      stage: q.stage,
      tag: q.grp ? { key: 'grp', value: q.grp } : null,
      metric: q.metric,
      createdAfter: q.after === null ? null : new Date(BASE_MS + q.after).toISOString(),
      createdBefore: q.before === null ? null : new Date(BASE_MS + q.before).toISOString(),
    };
    const expected = made
      .filter((v) => matches(v, filter))
      .sort((a, b) => compare(keyOf(a, q.orderBy), keyOf(b, q.orderBy)))
      .map((v) => v.id);
    const got = await pageThrough(q.plan, filter, q.orderBy, q.first, q.withTotal);
    expect(got.ids, JSON.stringify(q)).toEqual(expected);
    const count = q.withTotal ? Math.min(expected.length, COUNT_CAP) : null;
    expect(new Set(got.totals.map((x) => JSON.stringify(x))), JSON.stringify(q)).toEqual(
      new Set([JSON.stringify([count, !q.withTotal || expected.length <= COUNT_CAP])]),
    );
  }

  const specArb = fc.record({
    model: fc.nat(3),
    stage: fc.constantFrom(...STAGES),
    ms: fc.integer({ min: 0, max: 6 }).map((d) => BASE_MS + d),
    ns: fc.constantFrom(0, 0, 1, 250_000, 500_000, 999_999),
    grp: fc.constantFrom('a', 'b', null),
    auc: fc.constantFrom(...VALUES, null),
    f1: fc.constantFrom(...VALUES, null),
  });
  type Query = {
    model: number | null;
    stage: Stage | null;
    grp: string | null;
    metric: VersionFilter['metric'];
    after: number | null;
    before: number | null;
    orderBy: VersionOrder[];
    first: number;
    plan: Plan;
    withTotal: boolean;
  };
  // Walks are what is under test: most queries walk, filters are rare enough that pages run on, and a
  // metric ordering mostly filters on its own metric (the walkable shape).
  const seldom = <T>(arb: fc.Arbitrary<T>) =>
    fc.oneof({ arbitrary: fc.constant(null), weight: 3 }, { arbitrary: arb, weight: 1 });
  const queryArb = fc
    .record({
      model: seldom(fc.nat(3)),
      stage: seldom(fc.constantFrom(...STAGES)),
      grp: seldom(fc.constantFrom('a', 'b')),
      metric: fc.option(
        fc.record({
          key: fc.constantFrom('auc', 'f1'),
          op: fc.constantFrom('GT', 'GTE', 'LT', 'LTE', 'EQ') as fc.Arbitrary<keyof typeof ops>,
          value: fc.constantFrom(...VALUES),
        }),
        { nil: null, freq: 2 },
      ),
      onOrderedMetric: fc.boolean(),
      after: seldom(fc.integer({ min: 0, max: 6 })),
      before: seldom(fc.integer({ min: 1, max: 7 })),
      orderBy: fc.constantFrom(...ORDERINGS),
      first: fc.integer({ min: 1, max: 4 }),
      plan: fc.constantFrom<Plan>('auto', 'general', 'wide walk', 'wide walk', 'tight walk', 'tight walk'),
      withTotal: fc.boolean(),
    })
    .map((q) => {
      const ordered = q.orderBy[0]?.field === 'METRIC' ? q.orderBy[0].metricKey! : null;
      return ordered && q.metric && q.onOrderedMetric ? { ...q, metric: { ...q.metric, key: ordered } } : q;
    });

  it('random graphs, filters, orderings and page sizes (property)', { timeout: 900_000 }, async () => {
    calls = [];
    await fc.assert(
      fc.asyncProperty(
        fc.array(specArb, { minLength: 10, maxLength: 30 }),
        fc.array(queryArb, { minLength: 12, maxLength: 12 }),
        async (specs, queries) => {
          const prefix = uniq('vs');
          const made = await makeGraph(prefix, specs);
          for (const q of queries) await agrees(prefix, made, q);
        },
      ),
      { numRuns: 8 },
    );
  });

  it(
    'every ordering under every plan, on one graph with ties everywhere (a sweep of each statement)',
    { timeout: 600_000 },
    async () => {
      const prefix = uniq('vs-sweep');
      // 24 versions over four models: three values, three stages, four milliseconds, two times within some of them.
      const made = await makeGraph(
        prefix,
        Array.from({ length: 24 }, (_, i) => ({
          model: i % 4,
          stage: STAGES[i % 3]!,
          ms: BASE_MS + 1000 + (i % 4),
          ns: i % 5 === 0 ? 500_000 : 0,
          grp: i % 2 ? 'a' : 'b',
          auc: i % 7 === 0 ? null : VALUES[i % 3]!,
          f1: i % 5 === 0 ? null : VALUES[(i + 1) % 3]!,
        })),
      );
      calls = [];
      const none = { model: null, stage: null, grp: null, metric: null, after: null, before: null, withTotal: true };
      for (const orderBy of ORDERINGS) {
        const ordered = orderBy[0]?.field === 'METRIC' ? orderBy[0].metricKey! : 'auc';
        for (const plan of Object.keys(TUNINGS) as Plan[]) {
          await agrees(prefix, made, { ...none, orderBy, plan, first: 3 });
          await agrees(prefix, made, {
            ...none,
            orderBy,
            plan,
            first: 2,
            metric: { key: ordered, op: 'GTE', value: 0.5 },
          });
          await agrees(prefix, made, { ...none, orderBy, plan, first: 4, grp: 'a', withTotal: false });
        }
      }
      const names = new Set(calls.flat().map((c) => c.name));
      for (const n of [
        'by-name',
        'by-version-asc',
        'by-version-desc',
        'by-created-asc',
        'by-created-desc',
        'by-metric-asc',
        'by-metric-desc',
        'count',
        'estimate',
      ]) {
        expect(names).toContain(`registry/search-versions-${n}`);
      }
    },
  );

  it(
    'a walk cut short by its budget hands over to the general statement, with the same answer',
    { timeout: 120_000 },
    async () => {
      const prefix = uniq('vs-cut');
      // One model with 30 versions: only the last three are archived, so a walk by version number meets them last.
      await makeGraph(
        prefix,
        Array.from({ length: 30 }, (_, i) => ({
          model: 0,
          stage: (i >= 27 ? 'ARCHIVED' : 'DEVELOPMENT') as Stage,
          ms: BASE_MS + i,
          ns: 0,
          grp: null,
          auc: null,
          f1: null,
        })),
      );
      const filter: VersionFilter = { sourcePrefix: `s3://${prefix}/`, stage: 'ARCHIVED' };
      const order: VersionOrder[] = [{ field: 'VERSION', direction: 'ASC' }];
      calls = [];
      const tight = await pageThrough('tight walk', filter, order, 2, false);
      const ran = calls.flat().map((c) => c.name);
      const general = await pageThrough('general', filter, order, 2, false);
      expect(tight.ids).toEqual(general.ids);
      expect(tight.ids).toHaveLength(3);
      // Walked, was cut short (budget 2 × 3 rows, 27 versions before the first match), then asked the general
      // statement.
      expect(ran).toContain('registry/search-versions-by-version-asc');
      expect(ran).toContain('registry/search-versions');
    },
  );

  it(
    "completes a CREATED_AT page's last millisecond when the walk had not reached all of it",
    { timeout: 120_000 },
    async () => {
      const prefix = uniq('vs-ms');
      // Three models' versions in one millisecond: by full-precision time c, b, a; the page orders a millisecond by
      // name.
      const [a, b, c] = await makeGraph(prefix, [
        { model: 0, stage: 'DEVELOPMENT', ms: BASE_MS + 100, ns: 100_000, grp: null, auc: null, f1: null },
        { model: 1, stage: 'DEVELOPMENT', ms: BASE_MS + 100, ns: 500_000, grp: null, auc: null, f1: null },
        { model: 2, stage: 'DEVELOPMENT', ms: BASE_MS + 100, ns: 900_000, grp: null, auc: null, f1: null },
      ]);
      calls = [];
      const r = await search(
        'wide walk',
        { sourcePrefix: `s3://${prefix}/` },
        [{ field: 'CREATED_AT', direction: 'DESC' }],
        { first: 1, after: null },
        { withTotal: false },
      );
      expect(r.page.map((x) => x.version.id)).toEqual([a!.id, b!.id]);
      const [walk, completion] = calls[0]!;
      expect(walk!.name).toBe('registry/search-versions-by-created-desc');
      expect(completion).toMatchObject({
        name: 'registry/search-versions',
        params: { start: 'CREATED', createdLo: BASE_MS + 100, createdHi: BASE_MS + 101 },
      });
      const all = await pageThrough(
        'wide walk',
        { sourcePrefix: `s3://${prefix}/` },
        [{ field: 'CREATED_AT', direction: 'DESC' }],
        1,
        false,
      );
      expect(all.ids).toEqual([a!.id, b!.id, c!.id]);
    },
  );

  it('counts only when asked, and never for MLflow', { timeout: 120_000 }, async () => {
    const prefix = uniq('vs-count');
    await makeGraph(
      prefix,
      [0, 1, 2].map((i) => ({
        model: 0,
        stage: 'DEVELOPMENT' as Stage,
        ms: BASE_MS + i,
        ns: 0,
        grp: 'a',
        auc: 0.5,
        f1: null,
      })),
    );
    calls = [];
    const without = await search(
      'auto',
      { sourcePrefix: `s3://${prefix}/` },
      [],
      { first: 10, after: null },
      { withTotal: false },
    );
    expect(without).toMatchObject({ total: null, totalIsExact: true });
    expect(calls[0]!.map((c) => c.name)).not.toContain('registry/search-versions-count');
    const withIt = await search(
      'auto',
      { sourcePrefix: `s3://${prefix}/` },
      [],
      { first: 10, after: null },
      { withTotal: true },
    );
    expect(withIt).toMatchObject({ total: 3, totalIsExact: true });
    expect(calls[1]!.map((c) => c.name)).toContain('registry/search-versions-count');

    // Through GraphQL: the count statement runs only for a query that selects totalCount (or totalCountIsExact).
    const spy = vi.spyOn(t.app.executor, 'read');
    try {
      const names = () => spy.mock.calls.map(([name]) => name as string);
      const filter = { tag: { key: 'grp', value: 'a' }, modelName: `${prefix}-m0` };
      const page = await gqlOk(
        t.url,
        'query($f: ModelVersionFilter) { searchModelVersions(filter: $f, first: 2) { edges { node { version } } pageInfo { hasNextPage } } }',
        { f: filter },
      );
      expect(page.searchModelVersions.edges.map((e: { node: { version: number } }) => e.node.version)).toEqual([1, 2]);
      expect(names().filter((n) => n.startsWith('registry/search-versions'))).not.toContain(
        'registry/search-versions-count',
      );
      spy.mockClear();
      const counted = await gqlOk(t.url, contractOp('SearchModelVersions'), { filter, first: 2 });
      expect(counted.searchModelVersions.totalCount).toBe(3);
      expect(names()).toContain('registry/search-versions-count');
      spy.mockClear();
      const exact = await gqlOk(
        t.url,
        'query($f: ModelVersionFilter) { searchModelVersions(filter: $f, first: 1) { totalCountIsExact } }',
        { f: filter },
      );
      expect(exact.searchModelVersions.totalCountIsExact).toBe(true);
      expect(names()).toContain('registry/search-versions-count');
      spy.mockClear();
      // MLflow's model-versions/search pages in memory and reports no count: none is made.
      const res = await fetch(
        t.url.replace(
          /graphql$/,
          `api/2.0/mlflow/model-versions/search?filter=${encodeURIComponent(`name = '${prefix}-m0'`)}`,
        ),
        {
          headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
        },
      );
      expect(res.status).toBe(200);
      expect(((await res.json()) as { model_versions: unknown[] }).model_versions).toHaveLength(3);
      expect(names()).toContain('registry/search-versions');
      expect(names()).not.toContain('registry/search-versions-count');
    } finally {
      spy.mockRestore();
    }
  });

  it('walks plan an index seek in the page order, with no sort of the walked versions', async () => {
    const statements = loadStatements();
    const s = driver.session();
    type Op = { operatorType: string; arguments: Record<string, unknown>; children: Op[] };
    const ops = (p: Op): string[] => [p.operatorType.replace(/@.*/, ''), ...p.children.flatMap(ops)];
    try {
      for (const name of [
        'by-name',
        'by-version-asc',
        'by-version-desc',
        'by-created-asc',
        'by-created-desc',
        'by-metric-asc',
        'by-metric-desc',
      ]) {
        const plan = (await s.run(`EXPLAIN ${statements.get(`registry/search-versions-${name}`)}`)).summary
          .plan as unknown as Op;
        const found = ops(plan);
        expect(
          found.filter((o) => o === 'Sort' || o === 'Top'),
          name,
        ).toEqual([]);
        expect(
          found.some((o) => /NodeIndexSeek|NodeUniqueIndexSeek/.test(o)),
          name,
        ).toBe(true);
      }
    } finally {
      await s.close();
    }
  });
});
