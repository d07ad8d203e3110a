/**
 * Probe: where one kind of GraphQL request spends the API process's CPU.
 * Generates the default graph, starts the app in-process, warms up, then
 * CPU-profiles N sequential requests and prints the mean latency, the
 * response size and the functions with the most self time.
 *   npx tsx bench/probes/request-profile.ts --op trace|alias|search [--n 500]
 * (trace: tracePrediction on random predictions; alias: modelVersionByAlias,
 * the hot read, on random models' champion; search: a first page of 100
 * versions with accuracy > 0.5, the bench's page query, no count.)
 */
import { Session } from 'node:inspector/promises';
import { benchAppSetup, startBenchDb } from '../db.js';
import { generate } from '../generate.js';
import { GET_BY_ALIAS, SEARCH_PAGE, TRACE } from '../ops.js';
import { createApp } from '../../src/app.js';

const arg = (name: string, def: string) =>
  process.argv.includes(`--${name}`) ? process.argv[process.argv.indexOf(`--${name}`) + 1]! : def;
const op = arg('op', 'trace');
const n = Number(arg('n', '500'));
const TOKEN = 'pdg_bench-admin-token-0123456789abcdefghijklmnopqrstuvwxyz';

const db = await startBenchDb({ heapMb: 1024, pagecacheMb: 512 });
try {
  await generate(db.driver, { nodes: 120000 });
  const s = db.driver.session();
  const samples =
    op === 'trace'
      ? (await s.run('MATCH (p:Prediction) RETURN p.id AS id LIMIT 200')).records.map((r) => ({
          query: TRACE,
          variables: { id: r.get('id') as string },
        }))
      : op === 'search'
        ? [
            {
              query: SEARCH_PAGE,
              variables: { filter: { metric: { key: 'accuracy', op: 'GT', value: 0.5 } }, first: 100 },
            },
          ]
        : (await s.run("MATCH (a:Alias {name: 'champion'}) RETURN a.modelName AS m LIMIT 200")).records.map((r) => ({
            query: GET_BY_ALIAS,
            variables: { modelName: r.get('m') as string, alias: 'champion' },
          }));
  await s.close();
  const { config, log, driver } = benchAppSetup(db, TOKEN);
  const app = await createApp(config, driver, log);
  const server = await app.listen(0, '127.0.0.1');
  const call = async (i: number) => {
    const r = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(samples[i % samples.length]),
    });
    return (await r.text()).length;
  };
  for (let i = 0; i < 100; i++) await call(i);
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  const t0 = performance.now();
  let bytes = 0;
  for (let i = 0; i < n; i++) bytes += await call(i);
  const ms = (performance.now() - t0) / n;
  const { profile } = await session.post('Profiler.stop');
  console.log(`${op}: ${ms.toFixed(2)} ms per request (profiler on), response ${Math.round(bytes / n)} bytes`);
  const self = new Map<string, number>();
  const dt = (profile.endTime - profile.startTime) / profile.samples!.length / 1000;
  const byId = new Map(profile.nodes.map((x) => [x.id, x]));
  for (const sid of profile.samples!) {
    const f = byId.get(sid)!.callFrame;
    const k = `${f.functionName || '(anon)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber}`;
    self.set(k, (self.get(k) ?? 0) + dt);
  }
  for (const [k, v] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 30))
    console.log(`${(v / n).toFixed(3).padStart(8)} ms/req  ${k}`);
  // The same self time by package (node_modules/<name>), Pedigree source file, or Node internals.
  const byModule = new Map<string, number>();
  for (const sid of profile.samples!) {
    const url = byId.get(sid)!.callFrame.url;
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    const k = m
      ? m[1]!
      : url.includes('/src/')
        ? `src/${url.split('/src/')[1]}`
        : url
          ? url.replace(/^.*\//, '')
          : '(native/gc/idle)';
    byModule.set(k, (byModule.get(k) ?? 0) + dt);
  }
  console.log('by module:');
  for (const [k, v] of [...byModule.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25))
    console.log(`${(v / n).toFixed(3).padStart(8)} ms/req  ${k}`);
  await server.close();
  await driver.close();
} finally {
  await db.stop();
}
