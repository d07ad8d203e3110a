/**
 * The alias read, before and after the alias view (issue 20): modelVersionByAlias
 * over GraphQL HTTP at 1 and 32 closed-loop clients, against two Pedigree
 * servers on one fresh embedded Neo4j — one with PEDIGREE_ALIAS_VIEW=false
 * (every lookup a Cypher statement), one with the view — and each figure at
 * 1 client cross-checked by two other clients: curl (--write-out, one
 * keep-alive connection) and a Python `requests` session loop.
 *
 *   npx tsx bench/alias-read.ts [--models 500] [--seconds 10] [--out bench/results/alias-read.json]
 *                               [--baseline DIR]
 *
 * With `--baseline DIR` (another checkout, e.g. `git archive <commit>` with
 * node_modules linked in) the comparison is that tree's server against this
 * one's, both with the alias view, plus this one asked by APQ hash only: the
 * before/after of a change to the request pipeline, in one run on one graph.
 *
 * Prints a markdown table and writes the figures as JSON.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { startBenchDb } from './db.js';
import { HttpClient, runLoad, type Sample } from './load.js';
import { startServerChild, type ServerChild } from './server-child.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const MODELS = Number(arg('models', '500'));
const SECONDS = Number(arg('seconds', '10'));
const OUT = arg('out', `bench/results/${new Date().toISOString().slice(0, 10)}-alias-read.json`);
const TOKEN = 'pdg_bench-alias-read-0123456789abcdefghijklmnopqrstuvwxyz';
const QUERY =
  'query($modelName: String!, $alias: String!) { modelVersionByAlias(modelName: $modelName, alias: $alias) { version source checksum stage } }';
const BASELINE = process.argv.includes('--baseline') ? arg('baseline', '') : null;
const APQ = { persistedQuery: { version: 1, sha256Hash: createHash('sha256').update(QUERY).digest('hex') } };
/** The request body: the full text, or (hash-only) the APQ hash of a text registered before measuring. */
const bodyFor = (variables: Record<string, unknown>, hashOnly: boolean) =>
  hashOnly ? { variables, extensions: APQ } : { query: QUERY, variables };
const auth = { authorization: `Bearer ${TOKEN}` };
const log = (m: string) => process.stderr.write(`[alias-read] ${m}\n`);

async function seed(http: HttpClient, url: string): Promise<void> {
  const gql = async (query: string, variables: Record<string, unknown>) => {
    const r = await http.send('POST', url, { query, variables }, auth);
    if (r.status !== 200 || r.json?.errors) throw new Error(`seed: ${r.text.slice(0, 300)}`);
  };
  const one = async (i: number) => {
    const name = `bench-alias-${i}`;
    await gql('mutation($n: String!) { createRegisteredModel(input: { name: $n }) { name } }', { n: name });
    for (let v = 0; v < 2; v++) {
      await gql('mutation($i: CreateModelVersionInput!) { createModelVersion(input: $i) { version } }', {
        i: {
          modelName: name,
          source: `s3://bench/${name}/${v}`,
          checksum: `sha256:${'ab'.repeat(32)}`,
          tags: [{ key: 'team', value: 'bench' }],
        },
      });
    }
    await gql(
      'mutation($n: String!) { setRegisteredModelAlias(modelName: $n, alias: "serving", version: 1) { sequence } }',
      { n: name },
    );
  };
  for (let i = 0; i < MODELS; i += 16)
    await Promise.all(Array.from({ length: Math.min(16, MODELS - i) }, (_, k) => one(i + k)));
}

async function measure(http: HttpClient, server: ServerChild, concurrency: number, hashOnly: boolean): Promise<Sample> {
  if (hashOnly)
    await http.send(
      'POST',
      server.url,
      { query: QUERY, variables: { modelName: 'bench-alias-0', alias: 'serving' }, extensions: APQ },
      auth,
    );
  const op = async (_w: number, i: number) => {
    const r = await http.send(
      'POST',
      server.url,
      bodyFor({ modelName: `bench-alias-${i % MODELS}`, alias: 'serving' }, hashOnly),
      auth,
    );
    return r.status === 200 && r.json?.data?.modelVersionByAlias?.version === 1;
  };
  await runLoad({ concurrency, durationMs: 2_000 }, op); // warm-up
  const s = await runLoad(
    { concurrency, durationMs: SECONDS * 1000, watch: { server: { pid: server.child.pid! } } },
    op,
  );
  if (s.errors) log(`${s.errors} errors: ${s.errorMessages.join(' | ')}`);
  return s;
}

/** Sequential requests on one keep-alive connection, timed by the other client: [p50, p99] in ms. */
function crossCheck(url: string, n: number, hashOnly: boolean): { curl: [number, number]; python: [number, number] } {
  const body = JSON.stringify(bodyFor({ modelName: 'bench-alias-1', alias: 'serving' }, hashOnly));
  const urls = Array.from({ length: n }, () => url);
  const curlOut = execFileSync(
    'curl',
    [
      '-s',
      '-H',
      'content-type: application/json',
      '-H',
      `authorization: Bearer ${TOKEN}`,
      '-d',
      body,
      '-w',
      '\nT %{time_total}\n',
      ...urls,
    ],
    { encoding: 'utf8', maxBuffer: 64 << 20 },
  );
  const curlMs = curlOut
    .split('\n')
    .filter((l) => l.startsWith('T '))
    .map((l) => Number(l.slice(2)) * 1000);
  const py = `
import json, sys, time, requests
url, token, body, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
s = requests.Session()
h = {"content-type": "application/json", "authorization": "Bearer " + token}
out = []
for i in range(n + 50):
    t = time.perf_counter()
    r = s.post(url, data=body, headers=h)
    assert r.status_code == 200 and (r.json().get("data") or {}).get("modelVersionByAlias", {}).get("version") == 1, (r.status_code, r.text[:300])
    if i >= 50: out.append((time.perf_counter() - t) * 1000)
print(json.dumps(out))
`;
  const pyMs = JSON.parse(
    execFileSync('python3', ['-c', py, url, TOKEN, body, String(n)], { encoding: 'utf8' }),
  ) as number[];
  const pct = (xs: number[]): [number, number] => {
    const s = [...xs].sort((a, b) => a - b);
    return [s[Math.floor(s.length * 0.5)]!, s[Math.min(s.length - 1, Math.ceil(s.length * 0.99) - 1)]!];
  };
  return { curl: pct(curlMs.slice(50)), python: pct(pyMs) };
}

async function main(): Promise<void> {
  const started = new Date().toISOString();
  const loadBefore = loadavg();
  const db = await startBenchDb({ heapMb: 1024, pagecacheMb: 512 });
  const env = {
    NEO4J_USER: db.env.NEO4J_USER,
    NEO4J_PASSWORD: db.env.NEO4J_PASSWORD,
    PEDIGREE_ALIAS_VIEW: BASELINE ? 'true' : 'false',
  };
  const before = await startServerChild(db.uri, TOKEN, env, BASELINE ?? undefined);
  const http = new HttpClient(64);
  const results: Record<string, unknown>[] = [];
  try {
    log(`seeding ${MODELS} models (2 versions, an alias each)`);
    await seed(http, before.url);
    const after = await startServerChild(db.uri, TOKEN, { ...env, PEDIGREE_ALIAS_VIEW: 'true' });
    try {
      // The view builds beside the server: wait for it (on both, with a baseline) before measuring.
      for (const server of BASELINE ? [before, after] : [after]) {
        for (let i = 0; i < 600; i++) {
          const m = await http.send('GET', new URL('/metrics', server.url).toString());
          if (/^pedigree_alias_view_ready 1$/m.test(m.text)) break;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      const paths: [string, ServerChild, boolean][] = BASELINE
        ? [
            [`before (${BASELINE})`, before, false],
            ['after, full text', after, false],
            ['after, APQ hash only', after, true],
          ]
        : [
            ['Neo4j (view off)', before, false],
            ['alias view', after, false],
          ];
      for (const [label, server, hashOnly] of paths) {
        for (const c of [1, 32]) {
          log(`${label}, ${c} client(s)`);
          const s = await measure(http, server, c, hashOnly);
          let cross: ReturnType<typeof crossCheck> | { error: string } | null = null;
          try {
            if (c === 1) cross = crossCheck(server.url, 1000, hashOnly);
          } catch (err) {
            // A failed cross-check is reported beside the figures, not a lost run.
            cross = { error: String(err).slice(0, 500) };
            log(`cross-check failed: ${cross.error}`);
          }
          results.push({
            path: label,
            clients: c,
            reqPerSec: s.opsPerSec,
            p50: s.p50,
            p99: s.p99,
            errors: s.errors,
            serverCpu: s.cpu.server,
            clientCpu: s.clientCpu,
            cross,
          });
        }
      }
      const m = await http.send('GET', new URL('/metrics', after.url).toString());
      const gauge = (n: string) => Number(new RegExp(`^${n} (\\S+)$`, 'm').exec(m.text)?.[1]);
      results.push({
        view: {
          bytes: gauge('pedigree_alias_view_bytes'),
          aliases: gauge('pedigree_alias_view_aliases'),
          models: gauge('pedigree_alias_view_models'),
          buildSeconds: gauge('pedigree_alias_view_build_seconds'),
        },
      });
    } finally {
      await after.stop();
    }
  } finally {
    http.close();
    await before.stop();
    await db.stop();
  }
  const machine = {
    cpus: cpus().length,
    model: cpus()[0]?.model,
    loadavgBefore: loadBefore,
    loadavgAfter: loadavg(),
    node: process.version,
  };
  writeFileSync(OUT, `${JSON.stringify({ started, machine, models: MODELS, seconds: SECONDS, results }, null, 2)}\n`);
  const f = (x: number) => x.toFixed(2);
  console.log('| path | clients | req/s | p50 ms | p99 ms | server CPU | curl p50 / p99 | python p50 / p99 |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of results) {
    if (!('path' in r)) continue;
    const x = r as {
      path: string;
      clients: number;
      reqPerSec: number;
      p50: number;
      p99: number;
      serverCpu: number;
      cross: { curl?: number[]; python?: number[] } | null;
    };
    const cross = (k: 'curl' | 'python') =>
      x.cross?.[k] ? `${f(x.cross[k][0]!)} / ${f(x.cross[k][1]!)}` : x.cross ? 'failed' : '–';
    console.log(
      `| ${x.path} | ${x.clients} | ${Math.round(x.reqPerSec)} | ${f(x.p50)} | ${f(x.p99)} | ${Math.round(x.serverCpu * 100)}% | ${cross('curl')} | ${cross('python')} |`,
    );
  }
  console.log(
    JSON.stringify(results.at(-1)),
    `load average before ${loadBefore.map(f).join(' ')}, after ${loadavg().map(f).join(' ')}`,
  );
}

await main();
