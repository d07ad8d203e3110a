/**
 * Probe (issue 20, item 4): searchModelVersions' first page before and after
 * bounded searches, in one run on one graph. `before` is the statement main
 * ran until then (bench/cypher/search-versions-before.cypher: count every
 * match, sort every match, on every query); `after` is the app's
 * VersionSearch (src/registry/version-search.ts) through the app's executor,
 * counting only where the case asks for totalCount. The two alternate, run by
 * run, for each case (closed loop, one client, in process: no HTTP or
 * GraphQL), so the machine's load hits both alike. Prints p50/p99/max per
 * case and variant, and writes them to bench/results/<date>-search-before-after.json.
 *   npx tsx bench/probes/search-before-after.ts [--nodes 1000000] [--reps 3] [--seconds 3]
 *   (--uri bolt://… --user neo4j --password … uses a running, generated bench database instead)
 */
import { execSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import neo4j from 'neo4j-driver';
import { startBenchDb } from '../db.js';
import { benchCypher, generate } from '../generate.js';
import { percentile } from '../load.js';
import { Executor } from '../../src/graph/executor.js';
import { createLogger } from '../../src/logger.js';
import { VersionSearch, type VersionFilter, type VersionOrder } from '../../src/registry/version-search.js';

const arg = (name: string, def: string) =>
  process.argv.includes(`--${name}`) ? process.argv[process.argv.indexOf(`--${name}`) + 1]! : def;
const reps = Number(arg('reps', '3'));
const seconds = Number(arg('seconds', '3'));
const uri = arg('uri', '');
const db = await startBenchDb(
  uri ? { uri, user: arg('user', 'neo4j'), password: arg('password', '') } : { heapMb: 2048, pagecacheMb: 2048 },
);
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const started = { at: new Date().toISOString(), load: load() };
try {
  if (!uri) await generate(db.driver, { nodes: Number(arg('nodes', '1000000')), log: (m: string) => console.log(m) });
  const s0 = db.driver.session();
  const versions = (await s0.run('MATCH (v:ModelVersion) RETURN count(v) AS n')).records[0]!.get('n').toNumber();
  await s0.close();
  const executor = new Executor(db.driver, 'neo4j', createLogger('silent'));
  const search = new VersionSearch(executor);
  const before = benchCypher('search-versions-before');

  const accuracy = (op: 'GT', value: number) => ({ metric: { key: 'accuracy', op, value } }) as VersionFilter;
  const byAccuracy: VersionOrder[] = [{ field: 'METRIC', metricKey: 'accuracy', direction: 'DESC' }];
  const newest: VersionOrder[] = [{ field: 'CREATED_AT', direction: 'DESC' }];
  const cases: { label: string; filter: VersionFilter; orderBy: VersionOrder[]; withTotal: boolean }[] = [
    {
      label: 'tag team-3 (1 in 20), totalCount',
      filter: { tag: { key: 'team', value: 'team-3' } },
      orderBy: [],
      withTotal: true,
    },
    { label: 'accuracy > 0.99 (1 in 100), totalCount', filter: accuracy('GT', 0.99), orderBy: [], withTotal: true },
    { label: 'accuracy > 0.5 (1 in 2), totalCount', filter: accuracy('GT', 0.5), orderBy: [], withTotal: true },
    { label: 'tag team-3 (1 in 20)', filter: { tag: { key: 'team', value: 'team-3' } }, orderBy: [], withTotal: false },
    { label: 'accuracy > 0.999 (1 in 1,000)', filter: accuracy('GT', 0.999), orderBy: [], withTotal: false },
    { label: 'accuracy > 0.99 (1 in 100)', filter: accuracy('GT', 0.99), orderBy: [], withTotal: false },
    { label: 'accuracy > 0.5 (1 in 2)', filter: accuracy('GT', 0.5), orderBy: [], withTotal: false },
    { label: 'no filter', filter: {}, orderBy: [], withTotal: false },
    { label: 'no filter, newest first', filter: {}, orderBy: newest, withTotal: false },
    {
      label: 'tag team-3, newest first',
      filter: { tag: { key: 'team', value: 'team-3' } },
      orderBy: newest,
      withTotal: false,
    },
    {
      label: 'no filter, by version DESC',
      filter: {},
      orderBy: [{ field: 'VERSION', direction: 'DESC' }],
      withTotal: false,
    },
    {
      label: 'accuracy > 0.5 by accuracy DESC (dashboard)',
      filter: accuracy('GT', 0.5),
      orderBy: byAccuracy,
      withTotal: false,
    },
    {
      label: 'accuracy > 0.5 by accuracy DESC (dashboard), totalCount',
      filter: accuracy('GT', 0.5),
      orderBy: byAccuracy,
      withTotal: true,
    },
    { label: 'accuracy > 0.99 by accuracy DESC', filter: accuracy('GT', 0.99), orderBy: byAccuracy, withTotal: false },
  ];
  const first = 100;
  const beforeParams = (c: (typeof cases)[number]) => {
    const m = c.filter.metric;
    return {
      modelName: null,
      stage: null,
      createdAfter: null,
      createdBefore: null,
      source: null,
      sourcePrefix: null,
      cursor: null,
      tagKey: c.filter.tag?.key ?? null,
      tagValue: c.filter.tag?.value ?? null,
      metricKey: m?.key ?? null,
      metricOp: m?.op ?? null,
      metricValue: m?.value ?? null,
      metricMin: m ? m.value : -Number.MAX_VALUE,
      metricMax: Number.MAX_VALUE,
      orderBy: c.orderBy.map((o) => ({
        field: o.field,
        metricKey: o.metricKey ?? null,
        sign: o.direction === 'DESC' ? -1 : 1,
      })),
      limit: neo4j.int(first + 1),
    };
  };
  const results: Record<string, unknown>[] = [];
  for (const c of cases) {
    const variants = {
      before: async () => {
        const s = db.driver.session({ defaultAccessMode: neo4j.session.READ });
        try {
          const r = await s.run(before, beforeParams(c));
          return (r.records[0]!.get('page') as unknown[]).length;
        } finally {
          await s.close();
        }
      },
      after: async () =>
        (await search.search(c.filter, c.orderBy, { first, after: null }, { withTotal: c.withTotal })).page.length,
    };
    // Same rows first: the new plans answer what the old statement did.
    const sameIds = async () => {
      const s = db.driver.session();
      try {
        const old = (
          (await s.run(before, beforeParams(c))).records[0]!.get('page') as { version: { id: string } }[]
        ).map((r) => r.version.id);
        const now = (await search.search(c.filter, c.orderBy, { first, after: null }, { withTotal: false })).page.map(
          (r) => r.version.id,
        );
        return JSON.stringify(old) === JSON.stringify(now);
      } finally {
        await s.close();
      }
    };
    const same = await sameIds();
    const samples: Record<string, number[]> = { before: [], after: [] };
    for (let rep = 0; rep < reps; rep++) {
      for (const [name, run] of Object.entries(variants)) {
        const until = performance.now() + seconds * 1000;
        let n = 0;
        while (performance.now() < until || n < 2) {
          const t0 = performance.now();
          await run();
          samples[name]!.push(performance.now() - t0);
          n++;
        }
      }
    }
    const row: Record<string, unknown> = { case: c.label, sameRows: same };
    for (const [name, xs] of Object.entries(samples)) {
      const sorted = [...xs].sort((a, b) => a - b);
      row[name] = {
        n: xs.length,
        p50: +percentile(sorted, 0.5).toFixed(1),
        p99: +percentile(sorted, 0.99).toFixed(1),
        max: +sorted.at(-1)!.toFixed(1),
      };
    }
    results.push(row);
    console.log(JSON.stringify(row));
  }
  const out = {
    started,
    ended: { at: new Date().toISOString(), load: load() },
    versions,
    nproc: execSync('nproc').toString().trim(),
    first,
    reps,
    seconds,
    results,
  };
  const file = join('bench', 'results', `${started.at.slice(0, 10)}-search-before-after.json`);
  writeFileSync(file, JSON.stringify(out, null, 2));
  console.log(`load average at start ${started.load}, at end ${out.ended.load}; ${versions} versions; written ${file}`);
} finally {
  await db.stop();
}
