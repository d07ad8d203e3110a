/**
 * Probe (issue 20, the view's size and build time): how long a replica takes
 * to build its alias view at start, and what the view holds, for a registry
 * with many aliases. Loads a graph of `--models` models with three versions
 * and three aliases each (champion, staging, production: bench/generate.ts,
 * shaped as the app writes it, events included), then starts the app
 * in-process `--runs` times on it and, each time, waits for the view to be
 * ready and reads the build's own timing and the view's figures (the ones
 * `/metrics` reports). Then it looks up `--lookups` models' `champion` in
 * process, twice: the first lookup of a model goes to Neo4j while the view
 * reads its records, the second is answered from memory.
 *
 *   npx tsx bench/probes/alias-view-build.ts [--models 33334] [--runs 3] [--lookups 2000]
 *
 * Prints one line per run and the median; JSON on the last line.
 */
import { loadavg } from 'node:os';
import { benchAppSetup, startBenchDb } from '../db.js';
import { generate } from '../generate.js';
import { createApp } from '../../src/app.js';

const arg = (name: string, def: string) =>
  process.argv.includes(`--${name}`) ? process.argv[process.argv.indexOf(`--${name}`) + 1]! : def;
const MODELS = Number(arg('models', '33334'));
const RUNS = Number(arg('runs', '3'));
const LOOKUPS = Number(arg('lookups', '2000'));
const TOKEN = 'pdg_bench-alias-view-build-0123456789abcdefghijklmnopqrstuvwxyz';

const db = await startBenchDb({ heapMb: 2048, pagecacheMb: 1024 });
try {
  const { config, log, driver } = benchAppSetup(db, TOKEN);

  // startBenchDb migrated the empty database; load the graph with no app running.
  const loadStart = performance.now();
  const g = await generate(driver, {
    nodes: 0,
    shape: { models: MODELS, versionsPerModel: 3 },
    log: (m) => console.error(m),
  });
  console.error(
    `loaded ${g.totalNodes} nodes (${g.plan.models} models, ${g.plan.versions} versions) in ` +
      `${((performance.now() - loadStart) / 1000).toFixed(1)} s`,
  );

  const runs: {
    buildMs: number;
    aliases: number;
    models: number;
    bytes: number;
    pointerBytes: number;
    firstLookup: { p50: number; p99: number };
    nextLookup: { p50: number; p99: number };
    bytesAfterLookups: number;
    cachedVersions: number;
  }[] = [];
  const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor((p / 100) * (xs.length - 1))]!;
  for (let r = 0; r < RUNS; r++) {
    const load = loadavg()[0]!;
    const app = await createApp(config, driver, log);
    const server = await app.listen(0, '127.0.0.1');
    const view = app.services.aliasView;
    for (let i = 0; i < 6000 && view.status !== 'ready'; i++) await new Promise((res) => setTimeout(res, 50));
    if (view.status !== 'ready') throw new Error(`the view did not become ready: ${view.status}`);
    const s = view.stats();
    // What a model's first lookup costs (its records are not in yet: Neo4j answers, the view reads them
    // behind it) and the next one, for LOOKUPS models spread over the registry, one at a time.
    const lookup = app.services.registry.lookup;
    const refs = Array.from({ length: LOOKUPS }, (_, i) => ({
      modelName: `bench-model-${String(Math.floor((i * g.plan.models) / LOOKUPS)).padStart(6, '0')}`,
      alias: 'champion',
    }));
    const timed = async () => {
      const ms: number[] = [];
      for (const ref of refs) {
        const t = performance.now();
        if (!(await lookup.findVersion(ref))) throw new Error(`no ${ref.modelName}@champion`);
        ms.push(performance.now() - t);
      }
      return { p50: pct(ms, 50), p99: pct(ms, 99) };
    };
    const firstLookup = await timed();
    for (let i = 0; i < 400 && view.reading; i++) await new Promise((res) => setTimeout(res, 50));
    const nextLookup = await timed();
    const after = view.stats();
    const row = {
      buildMs: view.lastBuild!.ms,
      aliases: s.aliases,
      models: s.models,
      bytes: s.bytes,
      pointerBytes: s.pointerBytes,
      firstLookup,
      nextLookup,
      bytesAfterLookups: after.bytes,
      cachedVersions: after.cachedVersions,
    };
    runs.push(row);
    console.log(
      `run ${r + 1}: build ${row.buildMs.toFixed(0)} ms, ${row.aliases} aliases over ${row.models} models, ` +
        `${row.bytes} bytes (${(row.bytes / row.aliases).toFixed(0)} per alias), load average ${load.toFixed(1)}; ` +
        `${LOOKUPS} lookups: first p50 ${firstLookup.p50.toFixed(2)} / p99 ${firstLookup.p99.toFixed(2)} ms, ` +
        `next p50 ${nextLookup.p50.toFixed(3)} / p99 ${nextLookup.p99.toFixed(3)} ms; then ${row.cachedVersions} ` +
        `records cached, ${row.bytesAfterLookups} bytes`,
    );
    await server.close();
  }
  const median = [...runs].sort((a, b) => a.buildMs - b.buildMs)[Math.floor(runs.length / 2)]!;
  console.log(
    `median build ${median.buildMs.toFixed(0)} ms; ${(median.bytes / median.aliases).toFixed(0)} bytes/alias`,
  );
  console.log(JSON.stringify({ models: MODELS, runs, loadavg: loadavg() }));
  await driver.close();
} finally {
  await db.stop();
}
