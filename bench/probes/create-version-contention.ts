import { createHash } from 'node:crypto';
/**
 * Probe: 32 concurrent createVersion calls (5 each) on one model, in-process
 * through the app's services, on a fresh model (0 prior versions) and on a
 * dense one (60). Statements per op above 3 (lock, create, append) are
 * transaction retries after DeadlockDetected.
 *   npx tsx bench/probes/create-version-contention.ts
 */
import { startBenchDb } from '../db.js';
import { Executor } from '../../src/graph/executor.js';
import { loadStatements } from '../../src/graph/cypher.js';
import { createServices } from '../../src/services.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';

const db = await startBenchDb({ heapMb: 1024, pagecacheMb: 256 });
const log = createLogger('silent');
const config = loadConfig({ NEO4J_URI: db.uri, LOG_LEVEL: 'silent' });
const variants: Record<string, (s: Map<string, string>) => void> = {
  asis: () => undefined,
};
try {
  for (const [name, patch] of Object.entries(variants)) {
    for (const prefill of [0, 60]) {
      const st = loadStatements();
      patch(st);
      const ex = new Executor(db.driver, 'neo4j', log, st);
      const svc = createServices(ex, config, log);
      const model = `dl-${name}-${prefill}-${Date.now()}`;
      await svc.registry.createModel({ name: model }, 'b');
      const cv = (i: number) => svc.registry.createVersion({ modelName: model, source: `s3://x/${model}/${i}`, checksum: `sha256:${createHash('sha256').update(`${model}${i}`).digest('hex')}` }, 'b');
      for (let i = 0; i < prefill; i++) await cv(i);
      const c0 = ex.statementCount;
      const t = Date.now();
      let errors = 0;
      const lat: number[] = [];
      await Promise.all(Array.from({ length: 32 }, async (_, w) => {
        for (let k = 0; k < 5; k++) {
          const s = Date.now();
          try { await cv(1000 + w * 10 + k); lat.push(Date.now() - s); } catch { errors++; }
        }
      }));
      lat.sort((a, b) => a - b);
      const stmts = ex.statementCount - c0;
      console.log(JSON.stringify({ variant: name, prefill, ops: lat.length, errors, statementsPerOp: +(stmts / 160).toFixed(2), opsPerSec: +(lat.length / ((Date.now() - t) / 1000)).toFixed(1), p50: lat[Math.floor(lat.length / 2)], p99: lat[Math.floor(lat.length * 0.99)] }));
    }
  }
} finally {
  await db.stop();
}
