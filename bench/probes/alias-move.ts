/**
 * Probe (issue 16, one alias move at 1 client): where a `setRegisteredModelAlias`
 * over HTTP spends its time. Starts two apps in-process on one small graph,
 * one with the alias view and one without (`PEDIGREE_ALIAS_VIEW=false`), and
 * moves one alias back and forth through each in turn, one request at a time
 * on a keep-alive connection, so both are measured in the same minutes. For
 * every move it records:
 *
 *  - the HTTP round trip, as the client sees it;
 *  - the service call (`registry.aliases.setAlias`: the move's statements,
 *    the event append and the commit);
 *  - the settle (the write's answer waiting until the replica's reads show
 *    it), split into the service's return → the tailer handing the event out
 *    (reading the log) and → the settle's end (the view applying the event);
 *
 * and, between moves, a bare one-statement write transaction through the
 * driver (the floor). Medians and p99 in milliseconds.
 *
 *   npx tsx bench/probes/alias-move.ts [--n 400]
 */
import { loadavg } from 'node:os';
import { benchAppSetup, startBenchDb } from '../db.js';
import { HttpClient } from '../load.js';
import { SET_ALIAS } from '../ops.js';
import { createApp } from '../../src/app.js';

const arg = (name: string, def: string) =>
  process.argv.includes(`--${name}`) ? process.argv[process.argv.indexOf(`--${name}`) + 1]! : def;
const N = Number(arg('n', '400'));
const WARMUP = 40;
const TOKEN = 'pdg_bench-alias-move-0123456789abcdefghijklmnopqrstuvwxyz0123';
const MODEL = 'probe-move';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const fmt = (xs: number[]) => `p50 ${pct(xs, 50).toFixed(2)}  p99 ${pct(xs, 99).toFixed(2)}`;

const db = await startBenchDb({ heapMb: 512, pagecacheMb: 256 });
try {
  const { config, log, driver } = benchAppSetup(db, TOKEN);
  const variants = [
    { name: 'with the alias view', config },
    { name: 'without the view', config: { ...config, aliasView: { ...config.aliasView, enabled: false } } },
  ];
  const start = async (v: (typeof variants)[number]) => {
    const app = await createApp(v.config, driver, log);
    const server = await app.listen(0, '127.0.0.1');
    const client = new HttpClient(1);
    const timings = {
      http: [] as number[],
      service: [] as number[],
      settle: [] as number[],
      commitToTailer: [] as number[],
      tailerToSettled: [] as number[],
    };
    // When the tailer hands each event out (the settle waits for the view to apply it after that).
    const received = new Map<string, number>();
    app.services.events.tailer.subscribe((e) => {
      received.set(e.sequence, performance.now());
      if (received.size > 1000) received.delete(received.keys().next().value!);
    });
    // Time the two server-side steps of each move (one request at a time, so the last start is this request's).
    const aliases = app.services.registry.aliases;
    const setAlias = aliases.setAlias.bind(aliases);
    let serviceEnd = 0;
    aliases.setAlias = async (...a: Parameters<typeof setAlias>) => {
      const t = performance.now();
      try {
        return await setAlias(...a);
      } finally {
        serviceEnd = performance.now();
        timings.service.push(serviceEnd - t);
      }
    };
    const gate = app.services.consistency;
    const settle = gate.settle.bind(gate);
    gate.settle = async (sequence) => {
      const t = performance.now();
      try {
        await settle(sequence);
      } finally {
        const done = performance.now();
        timings.settle.push(done - t);
        const at = sequence === null ? undefined : received.get(sequence);
        if (at !== undefined) {
          timings.commitToTailer.push(at - serviceEnd);
          timings.tailerToSettled.push(done - at);
        }
      }
    };
    return { ...v, app, server, client, timings };
  };
  const apps = [await start(variants[0]!), await start(variants[1]!)];
  const post = async (a: (typeof apps)[number], query: string, variables: Record<string, unknown>) => {
    const r = await a.client.send('POST', a.server.url, { query, variables }, { authorization: `Bearer ${TOKEN}` });
    if (r.status !== 200 || r.json?.errors) throw new Error(`${r.status}: ${r.text.slice(0, 300)}`);
    return r;
  };

  const seed = apps[0]!;
  await post(seed, 'mutation($n: String!) { createRegisteredModel(input: { name: $n }) { name } }', { n: MODEL });
  for (let v = 1; v <= 4; v++)
    await post(seed, 'mutation($i: CreateModelVersionInput!) { createModelVersion(input: $i) { version } }', {
      i: { modelName: MODEL, source: `s3://probe/${MODEL}/${v}`, checksum: `sha256:${'ab'.repeat(32)}` },
    });
  for (let i = 0; i < 600 && seed.app.services.aliasView.status !== 'ready'; i++)
    await new Promise((r) => setTimeout(r, 100));
  if (seed.app.services.aliasView.status !== 'ready') throw new Error('the alias view did not become ready');

  const bare: number[] = [];
  const session = driver.session();
  const loadBefore = loadavg()[0]!;
  for (let i = 0; i < WARMUP + N; i++) {
    for (const a of apps) {
      const t = performance.now();
      await post(a, SET_ALIAS, { modelName: MODEL, alias: 'candidate', version: (i % 4) + 1 });
      a.timings.http.push(performance.now() - t);
    }
    const t = performance.now();
    await session.executeWrite((tx) => tx.run('CREATE (:Probe {at: datetime()})'));
    bare.push(performance.now() - t);
    if (i === WARMUP - 1) {
      for (const a of apps) for (const xs of Object.values(a.timings)) xs.length = 0;
      bare.length = 0;
    }
  }
  await session.close();
  const out: Record<string, unknown> = { n: N, loadavg: [loadBefore, loadavg()[0]] };
  for (const a of apps) {
    console.log(`${a.name}:`);
    console.log(`  HTTP round trip    ${fmt(a.timings.http)}`);
    console.log(`  service call       ${fmt(a.timings.service)}`);
    console.log(`  settle             ${fmt(a.timings.settle)}`);
    // Only the view's settle waits for the tailer (without the view a write's answer is not held).
    if (a.timings.commitToTailer.length >= a.timings.settle.length / 2) {
      console.log(`    commit → tailer  ${fmt(a.timings.commitToTailer)}`);
      console.log(`    tailer → settled ${fmt(a.timings.tailerToSettled)}`);
    }
    out[a.name] = Object.fromEntries(
      Object.entries(a.timings).map(([k, xs]) => [k, { p50: pct(xs, 50), p99: pct(xs, 99) }]),
    );
  }
  console.log(`bare write transaction ${fmt(bare)}`);
  out.bare = { p50: pct(bare, 50), p99: pct(bare, 99) };
  console.log(`load average ${loadBefore.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}`);
  console.log(JSON.stringify(out));
  for (const a of apps) await a.server.close();
  await driver.close();
} finally {
  await db.stop();
}
