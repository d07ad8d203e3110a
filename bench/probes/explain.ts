/**
 * Probe: the plans (seeks, scans, expands) of the statements behind the
 * findings in BENCHMARKS.md.   npx tsx bench/probes/explain.ts
 */
import { startBenchDb } from '../db.js';
import { loadStatements } from '../../src/graph/cypher.js';
const db = await startBenchDb({ heapMb: 512, pagecacheMb: 128 });
const st = loadStatements();
const s = db.driver.session();
const ops = (p: any): string[] => [
  p.operatorType + (p.arguments?.Details ? ` [${String(p.arguments.Details).slice(0, 90)}]` : ''),
  ...(p.children ?? []).flatMap(ops),
];
try {
  for (const name of [
    'registry/create-versions',
    'events/append-events',
    'registry/search-versions',
    'registry/search-versions-by-metric-desc',
  ]) {
    const params: any = {
      models: [{ name: 'x', items: [] }],
      events: [{ type: 't', actor: 'a' }],
      modelName: 'x',
      version: 1,
      bump: 'MINOR',
      source: 's',
      checksum: 'c',
      fingerprint: null,
      framework: null,
      description: null,
      actor: 'a',
      tags: [],
      metrics: [],
      runId: null,
      baseVersionIds: [],
      baseProviderIds: [],
      teacherVersionIds: [],
      teacherProviderIds: [],
      type: 't',
      alias: null,
      subjectId: null,
      before: null,
      after: null,
      tagKey: null,
      tagValue: null,
      metricKey: 'accuracy',
      metricOp: 'GT',
      metricValue: 0.99,
      stage: null,
      createdAfter: null,
      createdBefore: null,
      orderBy: [],
      cursor: null,
      limit: 101,
      start: 'METRIC',
      lo: 0.99,
      hi: 1.0e308,
      budget: 20000,
    };
    const r = await s.run(`EXPLAIN ${st.get(name)}`, params);
    console.log('==', name);
    console.log(
      ops(r.summary.plan)
        .filter((o) => /Seek|Scan|Lock|Expand|Filter/.test(o))
        .join('\n'),
    );
  }
} finally {
  await s.close();
  await db.stop();
}
