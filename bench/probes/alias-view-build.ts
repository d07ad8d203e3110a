/**
 * Probe (issue 20, the view's size and build time): how long a replica takes
 * to build its alias view at start, and what the view holds, for a registry
 * with many aliases. Loads a graph of `--models` models with three versions
 * and three aliases each (champion, staging, production: bench/generate.ts,
 * shaped as the app writes it, events included), then starts the app
 * in-process `--runs` times on it and, each time, waits for the view to be
 * ready and reads the build's own timing and the view's figures (the ones
 * `/metrics` reports).
 *
 *   npx tsx bench/probes/alias-view-build.ts [--models 33334] [--runs 3]
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
    pagesMs: number;
    aliases: number;
    models: number;
    bytes: number;
    heldVersions: number;
  }[] = [];
  for (let r = 0; r < RUNS; r++) {
    const load = loadavg()[0]!;
    const app = await createApp(config, driver, log);
    const server = await app.listen(0, '127.0.0.1');
    const view = app.services.aliasView;
    for (let i = 0; i < 6000 && view.status !== 'ready'; i++) await new Promise((res) => setTimeout(res, 50));
    if (view.status !== 'ready') throw new Error(`the view did not become ready: ${view.status}`);
    const s = view.stats();
    const row = {
      buildMs: view.lastBuild!.ms,
      pagesMs: view.lastBuild!.pagesMs,
      aliases: s.aliases,
      models: s.models,
      bytes: s.bytes,
      heldVersions: s.heldVersions,
    };
    runs.push(row);
    console.log(
      `run ${r + 1}: build ${row.buildMs.toFixed(0)} ms (models' pages ${row.pagesMs} ms, then the held records), ${row.aliases} aliases over ${row.models} models, ` +
        `${row.heldVersions} version records held, ${row.bytes} bytes (${(row.bytes / row.aliases).toFixed(0)} per ` +
        `alias), load average ${load.toFixed(1)}`,
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
