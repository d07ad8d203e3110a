/**
 * Probe: lineage around one model version with 20,000 logged predictions
 * (one deployment), at depth 1 and 2, DOWNSTREAM and BOTH: how long it takes
 * and how much it returns. The node budget (5,000) cuts every one of these
 * answers; what matters is whether the walk stops at the budget or reads
 * everything reachable first. Two variants, alternated run by run so both
 * see the same machine: `walk` is LineageService.lineage (hop by hop,
 * stopping at the budget); `collect` is the one-statement query it replaced
 * (cypher/provenance/lineage.cypher at d6eb82f, read from git), which
 * collected every reachable node before cutting to the budget. Prints the
 * median of several runs after a warm-up.
 *   npx tsx bench/probes/lineage-budget.ts [--predictions 20000] [--runs 7]
 */
import { execFileSync } from 'node:child_process';
import { startBenchDb } from '../db.js';
import { Executor } from '../../src/graph/executor.js';
import { createServices } from '../../src/services.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { LINEAGE_NODE_BUDGET, LINEAGE_RELATIONS } from '../../src/provenance/lineage.js';

const arg = (name: string, def: string) =>
  process.argv.includes(`--${name}`) ? process.argv[process.argv.indexOf(`--${name}`) + 1]! : def;
const predictions = Number(arg('predictions', '20000'));
const runs = Number(arg('runs', '7'));
const db = await startBenchDb({ heapMb: 1024, pagecacheMb: 256 });
const log = createLogger('silent');
const config = loadConfig({ NEO4J_URI: db.uri, LOG_LEVEL: 'silent' });
const svc = createServices(new Executor(db.driver, 'neo4j', log), config, log);
const actor = { name: 'probe', role: 'ADMIN' as const };
try {
  await svc.registry.models.createModel(actor, { name: 'lineage-probe' });
  const v = await svc.registry.versions.createVersion(actor, {
    modelName: 'lineage-probe',
    source: 's3://probe/model',
    checksum: `sha256:${'a'.repeat(64)}`,
  });
  for (let i = 0; i < predictions; i += 10_000) {
    const batch = Array.from({ length: Math.min(10_000, predictions - i) }, (_, j) => ({ id: `p-${i + j}` }));
    await svc.provenance.predictions.logPredictions(actor, {
      model: { modelName: 'lineage-probe', version: v.version },
      deployment: 'probe-endpoint',
      predictions: batch,
    });
  }
  console.log(`${predictions} predictions on lineage-probe/${v.version}`);
  const before = execFileSync('git', ['show', 'd6eb82f:cypher/provenance/lineage.cypher'], { encoding: 'utf8' });
  const variants = {
    walk: async (direction: 'DOWNSTREAM' | 'BOTH', depth: number) => {
      const g = await svc.provenance.lineage.lineage(v.id, direction, depth, null);
      return { nodes: g.nodes.length, edges: g.edges.length, truncated: g.truncated };
    },
    collect: async (direction: 'DOWNSTREAM' | 'BOTH', depth: number) => {
      const r = await db.driver.executeQuery(before, {
        id: v.id,
        depth,
        relations: [...LINEAGE_RELATIONS],
        upstream: direction !== 'DOWNSTREAM',
        downstream: true,
        budget: LINEAGE_NODE_BUDGET,
      });
      const row = r.records[0]!;
      return {
        nodes: (row.get('nodes') as unknown[]).length,
        edges: (row.get('edges') as unknown[]).length,
        truncated: row.get('truncated') as boolean,
      };
    },
  };
  for (const [direction, depth] of [
    ['DOWNSTREAM', 1],
    ['BOTH', 1],
    ['DOWNSTREAM', 2],
  ] as const) {
    const times: Record<string, number[]> = { walk: [], collect: [] };
    const last: Record<string, unknown> = {};
    for (let r = 0; r <= runs; r++) {
      for (const [name, run] of Object.entries(variants)) {
        const t0 = performance.now();
        last[name] = await run(direction, depth);
        const ms = performance.now() - t0;
        if (r > 0) times[name]!.push(ms); // the first run warms the plan cache
      }
    }
    for (const name of Object.keys(variants)) {
      const ts = times[name]!.sort((a, b) => a - b);
      console.log(
        `${direction} depth ${depth} ${name}: median ${ts[Math.floor(ts.length / 2)]!.toFixed(0)} ms (min ${ts[0]!.toFixed(0)}, max ${ts.at(-1)!.toFixed(0)}) ${JSON.stringify(last[name])}`,
      );
    }
  }
} finally {
  await db.driver.close();
  await db.stop();
}
