/**
 * Probe: memory and time of `searchModelVersions`' statements on a large
 * generated graph (BENCHMARKS.md, search at 1,000,000 nodes).
 *   npx tsx bench/probes/search-memory.ts [--nodes 1000000]
 * Runs with PROFILE, for an unfiltered search, a 1-in-2 metric filter and a
 * 1-in-20 tag filter: the statement before bounded searches
 * (bench/cypher/search-versions-before.cypher: count and page in one), the
 * capped count, the general statement and the walk of the default ordering,
 * printing the peak memory Neo4j reports and the time; SEARCH_VARIANTS=a.cypher,b.cypher
 * runs candidate rewrites of the general statement beside them.
 */
import { readFileSync } from 'node:fs';
import neo4j from 'neo4j-driver';
import { startBenchDb } from '../db.js';
import { benchCypher, generate } from '../generate.js';
import { loadStatements } from '../../src/graph/cypher.js';

const nodes = Number(process.argv[process.argv.indexOf('--nodes') + 1] || 1_000_000);
const db = await startBenchDb();
const st = loadStatements();
const base = {
  modelName: null,
  stage: null,
  tagKey: null,
  tagValue: null,
  metricKey: null,
  metricOp: null,
  metricValue: null,
  metricMin: -Number.MAX_VALUE,
  metricMax: Number.MAX_VALUE,
  createdAfter: null,
  createdBefore: null,
  createdLo: neo4j.int(-8.64e15),
  createdHi: neo4j.int(8.64e15),
  source: null,
  sourcePrefix: null,
  sourceStart: null,
  orderBy: [],
  cursor: null,
  limit: neo4j.int(101),
  start: 'ALL',
  cap: neo4j.int(10_001),
  from: '',
  to: '~',
  budget: neo4j.int(20_000),
};
const cases: [string, Record<string, unknown>][] = [
  [
    'metric accuracy > 0.5',
    { metricKey: 'accuracy', metricOp: 'GT', metricValue: 0.5, metricMin: 0.5, start: 'METRIC' },
  ],
  ['tag team=team-3', { tagKey: 'team', tagValue: 'team-3', start: 'TAG' }],
  ['no filter', {}],
  ['no filter, order by accuracy DESC', { orderBy: [{ field: 'METRIC', metricKey: 'accuracy', sign: -1 }] }],
];
try {
  await generate(db.driver, { nodes, log: (m: string) => console.log(m) });
  const s = db.driver.session();
  try {
    const variants: [string, string][] = [
      ['before (count + page)', benchCypher('search-versions-before')],
      ['count (capped)', st.get('registry/search-versions-count')!],
      ['general', st.get('registry/search-versions')!],
      ['walk by name', st.get('registry/search-versions-by-name')!],
    ];
    for (const file of (process.env.SEARCH_VARIANTS ?? '').split(',').filter(Boolean))
      variants.push([file, readFileSync(file, 'utf8')]);
    for (const [label, params] of cases) {
      for (const [variant, text] of variants)
        for (const mode of ['PROFILE', '']) {
          const t0 = performance.now();
          try {
            const r = await s.run(`${mode} ${text}`, { ...base, ...params });
            const ms = (performance.now() - t0).toFixed(1);
            const row = r.records[0]!;
            const plan = r.summary.profile as unknown as { arguments?: Record<string, unknown> } | false;
            const mem = plan && plan.arguments ? plan.arguments['GlobalMemory'] : undefined;
            const what = row.has('page') ? `page ${(row.get('page') as unknown[]).length}` : '';
            console.log(
              `${variant} ${label} ${mode || 'plain'}: ${ms} ms${row.has('total') ? `, total ${row.get('total')}` : ''} ${what}${mem !== undefined ? `, GlobalMemory ${Number(mem) / 1048576} MiB` : ''}`,
            );
          } catch (err) {
            console.log(
              `${variant} ${label} ${mode || 'plain'}: FAILED after ${(performance.now() - t0).toFixed(1)} ms: ${(err as Error).message.slice(0, 200)}`,
            );
          }
        }
    }
  } finally {
    await s.close();
  }
} finally {
  await db.stop();
}
