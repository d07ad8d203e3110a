/**
 * Probe (issue 20, consistency tokens): how long a read carrying a token just
 * issued takes, on the replica that wrote and on another. Starts two replicas
 * as child processes on one Neo4j (bench/server.ts: each with its own event
 * tailer and alias view, default poll interval; the probe's client has its
 * own process), then, one request at a time on keep-alive
 * connections: moves an alias through replica A, takes the
 * `Pedigree-Sequence` of the answer, and reads the alias with
 * `Pedigree-Min-Sequence` from A and from B (in alternating order, so neither
 * always gets the other's time for free). Every answer is checked: it must
 * name the version just moved to. Medians and p99 in milliseconds; the alias
 * read of a model already in the view without a token is the floor.
 *
 *   npx tsx bench/probes/token-read.ts [--n 300]
 */
import { loadavg } from 'node:os';
import { startBenchDb } from '../db.js';
import { HttpClient } from '../load.js';
import { GET_BY_ALIAS, SET_ALIAS } from '../ops.js';
import { startServerChild } from '../server-child.js';

const arg = (name: string, def: string) =>
  process.argv.includes(`--${name}`) ? process.argv[process.argv.indexOf(`--${name}`) + 1]! : def;
const N = Number(arg('n', '300'));
const WARMUP = 30;
const TOKEN = 'pdg_bench-token-read-0123456789abcdefghijklmnopqrstuvwxyz01234';
const MODEL = 'probe-token';
const ALIAS = 'candidate';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const fmt = (xs: number[]) =>
  `p50 ${pct(xs, 50).toFixed(2)}  p99 ${pct(xs, 99).toFixed(2)}  max ${pct(xs, 100).toFixed(2)}`;

const db = await startBenchDb({ heapMb: 512, pagecacheMb: 256 });
try {
  const POLL_MS = 200;
  const start = async (name: string) => {
    const server = await startServerChild(db.uri, TOKEN, { ...db.env, PEDIGREE_EVENT_POLL_MS: String(POLL_MS) });
    return { name, server, client: new HttpClient(1) };
  };
  const a = await start('A (wrote)');
  const b = await start('B (another replica)');
  /** A gauge of the replica's /metrics. */
  const gauge = async (r: typeof a, name: string) => {
    const text = await (await fetch(new URL('/metrics', r.server.url))).text();
    const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
    return m ? Number(m[1]) : NaN;
  };
  const post = async (
    r: typeof a,
    query: string,
    variables: Record<string, unknown>,
    headers: Record<string, string> = {},
  ) => {
    const res = await r.client.send(
      'POST',
      r.server.url,
      { query, variables },
      { authorization: `Bearer ${TOKEN}`, ...headers },
    );
    const body = res.json as { data?: Record<string, unknown>; errors?: unknown[] } | null;
    if (res.status !== 200 || !body || body.errors) throw new Error(`${res.status}: ${res.text.slice(0, 300)}`);
    return { sequence: (res.headers['pedigree-sequence'] as string | undefined) ?? null, body };
  };

  await post(a, 'mutation($n: String!) { createRegisteredModel(input: { name: $n }) { name } }', { n: MODEL });
  for (let v = 1; v <= 4; v++)
    await post(a, 'mutation($i: CreateModelVersionInput!) { createModelVersion(input: $i) { version } }', {
      i: { modelName: MODEL, source: `s3://probe/${MODEL}/${v}`, checksum: `sha256:${'cd'.repeat(32)}` },
    });
  const { sequence: seeded } = await post(a, SET_ALIAS, { modelName: MODEL, alias: ALIAS, version: 1 });
  for (const r of [a, b]) {
    for (let i = 0; i < 600 && (await gauge(r, 'pedigree_alias_view_ready')) !== 1; i++)
      await new Promise((res) => setTimeout(res, 100));
    if ((await gauge(r, 'pedigree_alias_view_ready')) !== 1) throw new Error(`${r.name}: the alias view is not ready`);
    // The model is read once on each replica, as a serving system does, so the view holds its records.
    await post(r, GET_BY_ALIAS, { modelName: MODEL, alias: ALIAS }, { 'pedigree-min-sequence': seeded! });
  }

  const read = async (r: typeof a, token: string | null) => {
    const t = performance.now();
    const { body } = await post(
      r,
      GET_BY_ALIAS,
      { modelName: MODEL, alias: ALIAS },
      token ? { 'pedigree-min-sequence': token } : {},
    );
    const ms = performance.now() - t;
    return { ms, version: (body.data?.modelVersionByAlias as { version: number } | null)?.version ?? null };
  };
  const times = { write: [] as number[], a: [] as number[], b: [] as number[], floor: [] as number[] };
  let stale = 0;
  const viewHits = () => Promise.all([a, b].map((r) => gauge(r, 'pedigree_alias_view_lookups_total')));
  let hitsBefore = await viewHits();
  const loadBefore = loadavg()[0]!;
  for (let i = 0; i < WARMUP + N; i++) {
    const version = (i % 4) + 1;
    const t = performance.now();
    const { sequence } = await post(a, SET_ALIAS, { modelName: MODEL, alias: ALIAS, version });
    const write = performance.now() - t;
    if (!sequence) throw new Error('the write carried no Pedigree-Sequence');
    const order = i % 2 === 0 ? [a, b] : [b, a];
    const got = new Map<typeof a, Awaited<ReturnType<typeof read>>>();
    for (const r of order) got.set(r, await read(r, sequence));
    for (const g of got.values()) if (g.version !== version) stale++;
    // The floor: the same read again on A without a token (answered from the view).
    const floor = await read(a, null);
    if (i < WARMUP) {
      if (i === WARMUP - 1) hitsBefore = await viewHits();
      continue;
    }
    times.write.push(write);
    times.a.push(got.get(a)!.ms);
    times.b.push(got.get(b)!.ms);
    times.floor.push(floor.ms);
  }
  const hits = (await viewHits()).map((h, i) => h - hitsBefore[i]!);
  console.log(`alias move through A (its answer)     ${fmt(times.write)}`);
  console.log(`read with the token on A              ${fmt(times.a)}`);
  console.log(`read with the token on B              ${fmt(times.b)}`);
  console.log(`read without a token on A (the floor) ${fmt(times.floor)}`);
  console.log(`stale answers: ${stale} of ${(WARMUP + N) * 2}; view hits during the run: A ${hits[0]}, B ${hits[1]}`);
  console.log(`poll interval ${POLL_MS} ms; load average ${loadBefore.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}`);
  const summary = (xs: number[]) => ({ p50: pct(xs, 50), p99: pct(xs, 99), max: pct(xs, 100) });
  console.log(
    JSON.stringify({
      n: N,
      pollMs: POLL_MS,
      write: summary(times.write),
      tokenOnWriter: summary(times.a),
      tokenOnOther: summary(times.b),
      floor: summary(times.floor),
      stale,
      hits,
      loadavg: [loadBefore, loadavg()[0]],
    }),
  );
  for (const r of [a, b]) await r.server.stop();
} finally {
  await db.stop();
}
