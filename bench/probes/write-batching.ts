import { createHash } from 'node:crypto';
/**
 * Probe (issue 16): createModelVersion throughput before and after batched
 * groups, in one run on one database. 32 closed-loop clients register
 * versions in-process through the app's services (no HTTP), all on one model
 * and spread over 32 models, under three executors on the same driver:
 * `serial` (one transaction per write), `group` (group commit, each write
 * running its own statements: before) and `batched` (group commit with
 * same-kind writes as one batch: after). Variants alternate over rounds after
 * a warm-up round. Per variant it prints ops/s, latency p50/p99, writes per
 * commit, and the sequence point: how long each committing transaction held
 * the global event counter (its first append to its commit) and that time's
 * share of the transaction's. Then one createModelVersions call of 1,000
 * versions, timed.
 *   npx tsx bench/probes/write-batching.ts [--rounds 3] [--ops 640]
 */
import { startBenchDb } from '../db.js';
import { DEFAULT_WRITE_GROUP, Executor, type WriteObserver } from '../../src/graph/executor.js';
import { createServices } from '../../src/services.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';

const arg = (name: string, def: string) =>
  process.argv.includes(`--${name}`) ? process.argv[process.argv.indexOf(`--${name}`) + 1]! : def;
const rounds = Number(arg('rounds', '3'));
const ops = Number(arg('ops', '640'));
const clients = 32;
const db = await startBenchDb({ heapMb: 1024, pagecacheMb: 256 });
const log = createLogger('silent');
const config = loadConfig({ ...db.env, LOG_LEVEL: 'silent' });

/** What the executor reports per commit, collected for one measurement. */
class Recorder implements WriteObserver {
  tx: number[] = [];
  held: number[] = [];
  waits: number[] = [];
  groupWait(s: number): void {
    this.waits.push(s * 1000);
  }
  committed(c: { seconds: number; counterHeldSeconds: number | null }): void {
    this.tx.push(c.seconds * 1000);
    if (c.counterHeldSeconds !== null) this.held.push(c.counterHeldSeconds * 1000);
  }
  reset(): void {
    this.tx = [];
    this.held = [];
    this.waits = [];
  }
}

const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? +s[Math.min(s.length - 1, Math.floor(s.length * p))]!.toFixed(1) : null;
};
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

const variants = [
  { name: 'serial', writeGroup: 1, batching: false },
  { name: 'group', writeGroup: DEFAULT_WRITE_GROUP, batching: false },
  { name: 'batched', writeGroup: DEFAULT_WRITE_GROUP, batching: true },
];
const setups = variants.map((v) => {
  const rec = new Recorder();
  const ex = new Executor(db.driver, 'neo4j', log, undefined, {
    writeGroup: v.writeGroup,
    batching: v.batching,
    observer: rec,
  });
  return { ...v, rec, ex, svc: createServices(ex, config, log) };
});
const checksum = (s: string) => `sha256:${createHash('sha256').update(s).digest('hex')}`;
let seq = 0;
const results: Record<string, unknown>[] = [];
try {
  for (let round = 0; round <= rounds; round++) {
    for (const spread of [1, 32]) {
      for (const s of setups) {
        const models = Array.from({ length: spread }, () => `wb-${s.name}-${spread}-${seq++}`);
        for (const m of models) await s.svc.registry.models.createModel({ name: 'bench' }, { name: m });
        const c0 = { ...s.ex.commits };
        s.rec.reset();
        let next = 0;
        let errors = 0;
        const lat: number[] = [];
        const t = performance.now();
        await Promise.all(
          Array.from({ length: clients }, async () => {
            while (next < ops) {
              const i = next++;
              const model = models[i % spread]!;
              const started = performance.now();
              try {
                await s.svc.registry.versions.createVersion(
                  { name: 'bench' },
                  { modelName: model, source: `s3://wb/${model}/${i}`, checksum: checksum(`${model}${i}`) },
                );
                lat.push(performance.now() - started);
              } catch {
                errors++;
              }
            }
          }),
        );
        const secs = (performance.now() - t) / 1000;
        const txs = s.ex.commits.transactions - c0.transactions;
        const writes = s.ex.commits.writes - c0.writes;
        const r = {
          round,
          variant: s.name,
          models: spread,
          opsPerSec: +(lat.length / secs).toFixed(1),
          errors,
          p50: q(lat, 0.5),
          p99: q(lat, 0.99),
          writesPerCommit: +(writes / txs).toFixed(1),
          groupWaitP99: q(s.rec.waits, 0.99),
          txP50: q(s.rec.tx, 0.5),
          counterHeldP50: q(s.rec.held, 0.5),
          counterHeldP99: q(s.rec.held, 0.99),
          counterHeldShare: +(sum(s.rec.held) / sum(s.rec.tx)).toFixed(2),
          counterHeldPerWriteMs: +(sum(s.rec.held) / writes).toFixed(2),
        };
        if (round > 0) {
          results.push(r);
          console.log(JSON.stringify(r));
        }
      }
    }
  }
  // One bulk call of 1,000 versions (batched executor; the call runs alone).
  const bulk = setups.find((s) => s.name === 'batched')!;
  for (let i = 0; i < 3; i++) {
    const model = `wb-bulk-${seq++}`;
    await bulk.svc.registry.models.createModel({ name: 'bench' }, { name: model });
    const inputs = Array.from({ length: 1000 }, (_, k) => ({
      modelName: model,
      source: `s3://wb/${model}/${k}`,
      checksum: checksum(`${model}${k}`),
    }));
    const t = performance.now();
    const made = await bulk.svc.registry.versions.createVersions({ name: 'bench' }, inputs);
    console.log(
      JSON.stringify({ bulk: 'createModelVersions', versions: made.length, ms: +(performance.now() - t).toFixed(0) }),
    );
  }
  // Gap check: the event log is gap-free after the run.
  const s = db.driver.session();
  try {
    const r = await s.run(
      "MATCH (c:Counter {name: 'events'}) MATCH (e:Event) RETURN c.value AS head, count(e) AS n, min(e.sequence) AS lo, max(e.sequence) AS hi",
    );
    console.log(
      JSON.stringify({ eventLog: r.records[0]!.toObject() }, (_, v) =>
        typeof v === 'bigint' ? Number(v) : v && typeof v === 'object' && 'low' in v ? Number(v.low) : v,
      ),
    );
  } finally {
    await s.close();
  }
} finally {
  await db.stop();
}
