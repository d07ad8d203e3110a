/**
 * OpenLineage ingest throughput: 32 concurrent producers POST RunEvents to
 * /api/v1/lineage (keep-alive HTTP, a CONTRIBUTOR-strength admin token) on a
 * Pedigree child process (bench/server.ts) over its own embedded Neo4j.
 *
 * Each producer runs pipelines of two jobs, the way a scheduler reports them:
 * an ETL run (START, then COMPLETE: a raw landing file in, a clean table out
 * with a version facet) and a training run that reads that clean version
 * (START, COMPLETE with the model artifact out), each with a parent DAG run,
 * source code location and schema facets. So every run creates its run and
 * job, resolves inputs, creates an output version with its derivation, and
 * one of them reads the other's output. A warm-up round (plans cached, JIT warm) precedes
 * the measured ones; events/s is accepted events over wall time.
 *
 *   npx tsx bench/openlineage.ts [--seconds 20] [--reps 3] [--clients 32] [--warmup 30]
 *
 * Prints one JSON line per repetition and the median; with --record, adds the
 * figure to bench/results/<date>-openlineage.json.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBenchDb } from './db.js';
import { HttpClient, median, runLoad } from './load.js';
import { startServerChild } from './server-child.js';
import { pipeline } from './openlineage-events.js';

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const seconds = arg('seconds', 20);
const reps = arg('reps', 3);
const clients = arg('clients', 32);
const warmup = arg('warmup', 30);
const token = `pdg_bench-${randomUUID()}`;

const db = await startBenchDb({ heapMb: 1024, pagecacheMb: 512 });
const server = await startServerChild(db.uri, token);
const child = server.child;
const url = server.url;
const endpoint = url.replace(/\/graphql$/, '/api/v1/lineage');
const http = new HttpClient(clients * 2);
const counters = new Map<number, number>();
const results: { rep: number; eventsPerSec: number; p50: number; p99: number; errors: number; serverCpu: number }[] =
  [];
try {
  for (let rep = -1; rep < reps; rep++) {
    // Each operation is one event; each worker walks its own pipelines' events in order.
    const queue = new Map<number, Record<string, unknown>[]>();
    const sample = await runLoad(
      { concurrency: clients, durationMs: (rep < 0 ? warmup : seconds) * 1000, watch: { server: { pid: child.pid! } } },
      async (w) => {
        let q = queue.get(w);
        if (!q || q.length === 0) {
          const n = (counters.get(w) ?? 0) + 1;
          counters.set(w, n);
          q = pipeline(w, n);
          queue.set(w, q);
        }
        const r = await http.send('POST', endpoint, q.shift(), { authorization: `Bearer ${token}` });
        if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${r.text.slice(0, 200)}`);
        return true;
      },
    );
    if (rep < 0) continue; // warm-up
    const row = {
      rep,
      eventsPerSec: +sample.opsPerSec.toFixed(1),
      p50: +sample.p50.toFixed(1),
      p99: +sample.p99.toFixed(1),
      errors: sample.errors,
      serverCpu: +(sample.cpu.server ?? 0).toFixed(2),
    };
    results.push(row);
    console.log(JSON.stringify({ ...row, errorMessages: sample.errorMessages }));
  }
  const summary = {
    clients,
    seconds,
    reps,
    eventsPerSec: +median(results.map((r) => r.eventsPerSec)).toFixed(1),
    p50Ms: +median(results.map((r) => r.p50)).toFixed(1),
    p99Ms: +median(results.map((r) => r.p99)).toFixed(1),
    loadAverage: (await import('node:os')).loadavg().map((x) => +x.toFixed(1)),
  };
  console.log(JSON.stringify({ summary }));
  if (process.argv.includes('--record')) {
    mkdirSync(join(here, 'results'), { recursive: true });
    const file = join(here, 'results', `${new Date().toISOString().slice(0, 10)}-openlineage.json`);
    writeFileSync(file, `${JSON.stringify({ summary, results }, null, 2)}\n`);
    console.log(`wrote ${file}`);
  }
} finally {
  http.close();
  await server.stop();
  await db.stop();
}
