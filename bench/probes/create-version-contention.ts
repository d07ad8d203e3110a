import { createHash } from 'node:crypto';
/**
 * Probe: 32 concurrent registrations in-process through the app's services
 * (no HTTP), all on one model and spread over 32 models, with group commit
 * (the executor's default) and without it (one transaction per write, with
 * registrations of one model queued in process as before group commit).
 * Alternates the variants over several rounds after a warm-up, and prints
 * ops/s, latency, and write transactions per commit.
 *   npx tsx bench/probes/create-version-contention.ts [--rounds 3] [--ops 320]
 */
import { startBenchDb } from '../db.js';
import { DEFAULT_WRITE_GROUP, Executor } from '../../src/graph/executor.js';
import { createServices } from '../../src/services.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';

const arg = (name: string, def: string) =>
  process.argv.includes(`--${name}`) ? process.argv[process.argv.indexOf(`--${name}`) + 1]! : def;
const rounds = Number(arg('rounds', '3'));
const ops = Number(arg('ops', '320'));
const db = await startBenchDb({ heapMb: 1024, pagecacheMb: 256 });
const log = createLogger('silent');
const config = loadConfig({ ...db.env, LOG_LEVEL: 'silent' });

function queuedPerModel<T>(queues: Map<string, Promise<unknown>>, model: string, work: () => Promise<T>): Promise<T> {
  const next = (queues.get(model) ?? Promise.resolve()).then(work, work);
  queues.set(
    model,
    next.catch(() => undefined),
  );
  return next;
}

const variants = [
  { name: 'group', writeGroup: DEFAULT_WRITE_GROUP, queue: false },
  { name: 'one-per-tx+queue', writeGroup: 1, queue: true },
];
const setups = variants.map((v) => {
  const ex = new Executor(db.driver, 'neo4j', log, undefined, { writeGroup: v.writeGroup });
  return { ...v, ex, svc: createServices(ex, config, log), queues: new Map<string, Promise<unknown>>() };
});
let seq = 0;
try {
  for (let round = 0; round <= rounds; round++) {
    for (const s of setups) {
      for (const spread of [1, 32]) {
        const models = Array.from({ length: spread }, () =>
          `p-${s.name}-${spread}-${seq++}`.replace(/[^a-z0-9-]/g, '-'),
        );
        for (const m of models) await s.svc.registry.models.createModel({ name: 'b' }, { name: m });
        const cv = (i: number) => {
          const model = models[i % spread]!;
          const run = () =>
            s.svc.registry.versions.createVersion(
              { name: 'b' },
              {
                modelName: model,
                source: `s3://x/${model}/${i}`,
                checksum: `sha256:${createHash('sha256').update(`${model}${i}`).digest('hex')}`,
              },
            );
          return s.queue ? queuedPerModel(s.queues, model, run) : run();
        };
        const c0 = { ...s.ex.commits };
        let next = 0;
        let errors = 0;
        const lat: number[] = [];
        const t = performance.now();
        await Promise.all(
          Array.from({ length: 32 }, async () => {
            while (next < ops) {
              const i = next++;
              const started = performance.now();
              try {
                await cv(i);
                lat.push(performance.now() - started);
              } catch {
                errors++;
              }
            }
          }),
        );
        const secs = (performance.now() - t) / 1000;
        lat.sort((a, b) => a - b);
        const txs = s.ex.commits.transactions - c0.transactions;
        const writes = s.ex.commits.writes - c0.writes;
        if (round > 0)
          console.log(
            JSON.stringify({
              round,
              variant: s.name,
              models: spread,
              opsPerSec: +(lat.length / secs).toFixed(1),
              errors,
              p50: +lat[Math.floor(lat.length / 2)]!.toFixed(1),
              p99: +lat[Math.floor(lat.length * 0.99)]!.toFixed(1),
              writesPerCommit: +(writes / txs).toFixed(1),
            }),
          );
      }
    }
  }
} finally {
  await db.stop();
}
