/**
 * Soak: `npm run soak -- --minutes 20` runs Pedigree (the built server,
 * `node dist/src/main.js`, with its embedded Neo4j in a fresh data directory)
 * under a steady mixed load and checks, at the end, that nothing leaked or
 * went missing:
 *
 * - API and JVM memory flat: the median of the last 10 % of samples is less
 *   than 10 % above the median of the first 10 % after warm-up (RSS of both
 *   processes, the API's V8 heap, the JVM's live heap: old generation after a
 *   forced full GC);
 * - the event log 1..N with no gap or duplicate (read through auditLog);
 * - each of the 100 subscribers (graphql-ws `registryEvents`) received every
 *   event exactly once, in order;
 * - the local webhook receiver got every event exactly once per event id
 *   (`webhook-id`), none missing.
 *
 * Load per second (flags): --reads 20 (resolveModelUri of an alias), --registrations 3
 * (createModelVersion), --moves 2 (setRegisteredModelAlias), --lineage 1 (POST
 * /api/v1/lineage, an OpenLineage RunEvent: skipped with a note when the server
 * has no such endpoint). --subscribers 100, --warmup-minutes (default a fifth,
 * at most 2), --name (results file), --seconds (instead of --minutes, for the
 * smoke test), --no-memory-check (report memory, do not judge it), --no-results. Results:
 * bench/results/<date>-soak-<name>.json; exit 1 when a
 * check fails.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const nameArg = (() => {
  const i = process.argv.indexOf('--name');
  return i > 0 ? process.argv[i + 1]! : 'run';
})();
const seconds = process.argv.includes('--seconds') ? arg('seconds', 60) : arg('minutes', 20) * 60;
const warmup = arg('warmup-minutes', Math.min(2, seconds / 60 / 5)) * 60;
const rates = {
  reads: arg('reads', 20),
  registrations: arg('registrations', 3),
  moves: arg('moves', 2),
  lineage: arg('lineage', 1),
};
const SUBSCRIBERS = arg('subscribers', 100);
/** --no-memory-check: report memory without judging it (a smoke run is too short for a trend). */
const judgeMemory = !process.argv.includes('--no-memory-check');
const TOKEN = `pdg_soak-${randomBytes(24).toString('base64url')}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Sample {
  t: number;
  apiRss: number;
  apiHeap: number;
  jvmRss: number;
  jvmOld: number;
}

async function main(): Promise<number> {
  execFileSync(process.execPath, [join(root, 'scripts/build-if-stale.mjs')], { stdio: 'inherit' });
  const dataDir = mkdtempSync(join(tmpdir(), 'pedigree-soak-'));
  const receiver = await webhookReceiver();
  const server = spawn(process.execPath, ['dist/src/main.js'], {
    cwd: root,
    env: {
      ...process.env,
      NEO4J_URI: '',
      PORT: '0',
      HOST: '127.0.0.1',
      PEDIGREE_DATA_DIR: dataDir,
      PEDIGREE_ADMIN_TOKEN: TOKEN,
      PEDIGREE_WEBHOOK_ALLOW_PRIVATE: 'true',
      PEDIGREE_WEBHOOK_BACKOFF_BASE_MS: '200',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let jvmPid = 0;
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: server.stdout! }).on('line', (line) => {
      try {
        const l = JSON.parse(line) as { msg?: string; url?: string; pid?: number };
        if (l.msg === 'embedded Neo4j ready') jvmPid = l.pid ?? 0;
        if (l.msg?.startsWith('Pedigree is serving') && l.url) resolve(l.url);
      } catch {
        // not JSON
      }
    });
    server.once('exit', (code) => reject(new Error(`the server exited with ${code} before serving`)));
  });
  const base = url.replace(/\/graphql$/, '');
  const gql = async (query: string, variables: Record<string, unknown> = {}) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: any; errors?: { message: string }[] };
    if (body.errors) throw new Error(body.errors[0]!.message);
    return body.data;
  };

  const models = Array.from({ length: 10 }, (_, i) => `soak-${i}`);
  const checksum = () => `sha256:${createHash('sha256').update(randomBytes(16)).digest('hex')}`;
  for (const m of models) {
    await gql('mutation($n: String!) { createRegisteredModel(input: { name: $n, owner: "soak" }) { id } }', { n: m });
    const v = await gql(
      'mutation($m: String!, $c: String!) { createModelVersion(input: { modelName: $m, source: "s3://soak/m", checksum: $c }) { version } }',
      { m, c: checksum() },
    );
    await gql(
      'mutation($m: String!, $v: Int!) { setRegisteredModelAlias(modelName: $m, alias: "candidate", version: $v) { sequence } }',
      { m, v: v.createModelVersion.version },
    );
  }
  await gql(
    'mutation($u: String!) { registerWebhook(input: { url: $u, description: "soak receiver" }) { webhook { id } } }',
    { u: receiver.url },
  );
  const startSeq = Number((await gql('{ serverInfo { lastSequence } }')).serverInfo.lastSequence);

  // Subscribers, all from the same point: each must see startSeq+1 .. N, once each, in order.
  // Connected one after another, each acknowledged before the next (a busy
  // machine can miss graphql-ws's 3 s init window when 100 arrive at once); a
  // subscriber whose socket closes later is not reconnected: the check counts it.
  const subs: { seqs: number[]; client: Client; closed: boolean }[] = [];
  for (let i = 0; i < SUBSCRIBERS; i++) subs.push(await subscriber(url, startSeq));

  // OpenLineage: on main only once that branch lands; probe it.
  const lineageProbe = await fetch(`${base}/api/v1/lineage`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify(lineageEvent('probe')),
  });
  const lineage = lineageProbe.status < 300;
  const notes: string[] = [];
  if (!lineage)
    notes.push(
      `OpenLineage ingestion (POST /api/v1/lineage) answered HTTP ${lineageProbe.status}: not on this build, so the soak ran without OpenLineage events`,
    );

  const counts = { reads: 0, registrations: 0, moves: 0, lineage: 0, errors: 0 };
  const errors: string[] = [];
  const latest = new Map(models.map((m) => [m, 1]));
  const ops: Record<keyof typeof rates, () => Promise<void>> = {
    reads: async () => {
      await gql('query($u: String!) { resolveModelUri(uri: $u) { version } }', {
        u: `models:/${pick(models)}@candidate`,
      });
    },
    registrations: async () => {
      const m = pick(models);
      const v = await gql(
        'mutation($m: String!, $c: String!) { createModelVersion(input: { modelName: $m, source: "s3://soak/m", checksum: $c }) { version } }',
        { m, c: checksum() },
      );
      latest.set(m, Math.max(latest.get(m)!, v.createModelVersion.version));
    },
    moves: async () => {
      const m = pick(models);
      await gql(
        'mutation($m: String!, $v: Int!) { setRegisteredModelAlias(modelName: $m, alias: "candidate", version: $v) { sequence } }',
        { m, v: 1 + Math.floor(Math.random() * latest.get(m)!) },
      );
    },
    lineage: async () => {
      const res = await fetch(`${base}/api/v1/lineage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify(lineageEvent(randomBytes(8).toString('hex'))),
      });
      if (res.status >= 300) throw new Error(`lineage HTTP ${res.status}`);
    },
  };

  const samples: Sample[] = [];
  const t0 = Date.now();
  const end = t0 + seconds * 1000;
  const sampler = (async () => {
    while (Date.now() < end) {
      samples.push(await sample(base, server.pid!, jvmPid, t0));
      await sleep(Math.max(1000, Math.min(10_000, (seconds * 1000) / 60)));
    }
  })();
  // Open-loop at a steady rate: each kind fires on its own schedule, whatever the latency.
  const inflight = new Set<Promise<void>>();
  const loops = (Object.keys(rates) as (keyof typeof rates)[]).map(async (kind) => {
    if (kind === 'lineage' && !lineage) return;
    const every = 1000 / rates[kind];
    for (let next = Date.now(); next < end; next += every) {
      await sleep(Math.max(0, next - Date.now()));
      const p = ops[kind]()
        .then(() => void counts[kind]++)
        .catch((e: Error) => {
          counts.errors++;
          if (errors.length < 20) errors.push(`${kind}: ${e.message}`);
        })
        .finally(() => inflight.delete(p));
      inflight.add(p);
    }
  });
  await Promise.all(loops);
  await Promise.all(inflight);
  await sampler;
  samples.push(await sample(base, server.pid!, jvmPid, t0));

  // Drain: every subscriber and the webhook receiver up to the last sequence.
  const last = Number((await gql('{ serverInfo { lastSequence } }')).serverInfo.lastSequence);
  const drainUntil = Date.now() + 120_000;
  const hooked = () => [...receiver.ids.keys()].filter((id) => Number(id) > startSeq).length;
  while (
    Date.now() < drainUntil &&
    (subs.some((s) => (s.seqs.at(-1) ?? startSeq) < last) || hooked() < last - startSeq)
  )
    await sleep(250);

  // Checks.
  const checks: { name: string; ok: boolean; detail: string }[] = [];
  const log: number[] = [];
  for (let after: string | null = null; ;) {
    const page: any = await gql(
      'query($a: String) { auditLog(first: 500, after: $a) { edges { node { sequence } } pageInfo { hasNextPage endCursor } } }',
      { a: after },
    );
    log.push(...page.auditLog.edges.map((e: any) => Number(e.node.sequence)));
    if (!page.auditLog.pageInfo.hasNextPage) break;
    after = page.auditLog.pageInfo.endCursor;
  }
  const gapFree = log.length === last && log.every((s, i) => s === i + 1);
  checks.push({ name: 'event log gap-free', ok: gapFree, detail: `${log.length} events, last sequence ${last}` });
  const expected = last - startSeq;
  const badSubs = subs.filter((s) => s.seqs.length !== expected || s.seqs.some((q, i) => q !== startSeq + 1 + i));
  checks.push({
    name: 'every subscriber got every event once, in order',
    ok: badSubs.length === 0,
    detail: `${subs.length} subscribers × ${expected} events; ${badSubs.length} differ (${subs.filter((x) => x.closed).length} sockets closed)`,
  });
  const dup = [...receiver.ids.values()].filter((n) => n !== 1).length;
  const firstHook = startSeq + 1;
  const missing = Array.from({ length: last - firstHook + 1 }, (_, i) => firstHook + i).filter(
    (s) => !receiver.ids.has(String(s)),
  ).length;
  checks.push({
    name: 'every webhook delivered exactly once per event id',
    ok: dup === 0 && missing === 0,
    detail: `${receiver.ids.size} event ids from ${firstHook} to ${last}; ${dup} delivered more than once, ${missing} missing (${receiver.posts} POSTs)`,
  });
  const steady = samples.filter((s) => s.t >= warmup * 1000);
  for (const key of ['apiRss', 'apiHeap', 'jvmRss', 'jvmOld'] as const) {
    const w = Math.max(1, Math.floor(steady.length / 10));
    const first = median(steady.slice(0, w).map((s) => s[key]));
    const lastW = median(steady.slice(-w).map((s) => s[key]));
    const growth = first > 0 ? (lastW - first) / first : 0;
    checks.push({
      name: `${key} flat after warm-up (< 10 % growth)`,
      ok: !judgeMemory || growth < 0.1,
      detail: `${mb(first)} → ${mb(lastW)} MiB (${(growth * 100).toFixed(1)} %)`,
    });
  }
  checks.push({
    name: 'no request failed',
    ok: counts.errors === 0,
    detail: errors.slice(0, 5).join('; ') || '0 errors',
  });

  for (const s of subs) await s.client.dispose();
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  receiver.close();
  rmSync(dataDir, { recursive: true, force: true });

  const result = {
    at: new Date(t0).toISOString(),
    seconds,
    warmupSeconds: warmup,
    rates,
    subscribers: SUBSCRIBERS,
    counts,
    events: { first: startSeq + 1, last },
    machine: {
      nproc: Number(execFileSync('nproc').toString().trim()),
      loadavg: readFileSync('/proc/loadavg', 'utf8').trim(),
    },
    notes,
    checks,
    samples,
  };
  const out = process.argv.includes('--no-results')
    ? '(not written: --no-results)'
    : join(root, 'bench/results', `${new Date(t0).toISOString().slice(0, 10)}-soak-${nameArg}.json`);
  if (!process.argv.includes('--no-results')) {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  }
  console.log(
    `\nsoak: ${seconds / 60} min, ${counts.reads} reads, ${counts.registrations} registrations, ${counts.moves} alias moves, ${counts.lineage} OpenLineage events, events ${startSeq + 1}..${last}`,
  );
  for (const n of notes) console.log(`note: ${n}`);
  for (const c of checks) console.log(`${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}: ${c.detail}`);
  console.log(`results: ${out}`);
  return checks.every((c) => c.ok) ? 0 : 1;
}

/** One registryEvents subscriber from `after`, once its connection is acknowledged (up to 5 tries). */
async function subscriber(url: string, after: number): Promise<{ seqs: number[]; client: Client; closed: boolean }> {
  for (let attempt = 1; ; attempt++) {
    const client = createClient({
      url: url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${TOKEN}` },
      retryAttempts: 0,
      lazy: false,
      onNonLazyError: () => undefined,
    });
    const sub = { seqs: [] as number[], client, closed: false };
    const connected = await new Promise<boolean>((resolve) => {
      client.on('connected', () => resolve(true));
      client.on('closed', () => resolve(false));
    });
    if (!connected) {
      await client.dispose();
      if (attempt >= 5) throw new Error('a subscriber could not connect in 5 tries');
      continue;
    }
    client.on('closed', () => (sub.closed = true));
    client.subscribe<{ registryEvents: { sequence: string } }>(
      {
        query: 'subscription($a: String) { registryEvents(after: $a) { sequence type } }',
        variables: { a: String(after) },
      },
      {
        next: (m) => sub.seqs.push(Number(m.data!.registryEvents.sequence)),
        error: () => (sub.closed = true),
        complete: () => undefined,
      },
    );
    return sub;
  }
}

function pick<T>(xs: readonly T[]): T {
  return xs[Math.floor(Math.random() * xs.length)]!;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : 0;
}

const mb = (b: number) => (b / 1048576).toFixed(1);

/** Resident memory of a process (bytes), from /proc. */
function rss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/**
 * The JVM's live heap (bytes): a full GC first (jcmd GC.run), then the old
 * generation in use (jstat), so garbage waiting for the next collection is
 * not mistaken for growth. Both tools come with the JDK.
 */
function jvmOld(pid: number): number {
  try {
    execFileSync('jcmd', [String(pid), 'GC.run'], { stdio: 'ignore' });
    const [head, row] = execFileSync('jstat', ['-gc', String(pid)])
      .toString()
      .trim()
      .split('\n');
    const cols = head!.trim().split(/\s+/);
    const vals = row!.trim().split(/\s+/);
    return Number(vals[cols.indexOf('OU')]) * 1024;
  } catch {
    return 0;
  }
}

async function sample(base: string, apiPid: number, jvmPid: number, t0: number): Promise<Sample> {
  const metrics = await (await fetch(`${base}/metrics`)).text();
  const heap = Number(/^pedigree_process_heap_used_bytes (\S+)$/m.exec(metrics)?.[1] ?? 0);
  return {
    t: Date.now() - t0,
    apiRss: rss(apiPid),
    apiHeap: heap,
    jvmRss: jvmPid ? rss(jvmPid) : 0,
    jvmOld: jvmPid ? jvmOld(jvmPid) : 0,
  };
}

/** A local webhook receiver: counts deliveries per `webhook-id` (the event's sequence). */
async function webhookReceiver(): Promise<{ url: string; ids: Map<string, number>; posts: number; close(): void }> {
  const ids = new Map<string, number>();
  const state = { posts: 0 };
  const srv = createServer((req: IncomingMessage, res) => {
    req.resume();
    req.on('end', () => {
      state.posts++;
      const id = String(req.headers['webhook-id'] ?? '');
      ids.set(id, (ids.get(id) ?? 0) + 1);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    ids,
    get posts() {
      return state.posts;
    },
    close: () => srv.close(),
  };
}

/** A minimal OpenLineage RunEvent (COMPLETE) with one input and one output dataset. */
function lineageEvent(id: string): Record<string, unknown> {
  return {
    eventType: 'COMPLETE',
    eventTime: new Date().toISOString(),
    producer: 'https://example.com/pedigree-soak',
    schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/definitions/RunEvent',
    run: { runId: crypto.randomUUID() },
    job: { namespace: 'soak', name: `job-${id.slice(0, 4)}` },
    inputs: [{ namespace: 'soak', name: `raw-${id.slice(0, 2)}` }],
    outputs: [{ namespace: 'soak', name: `features-${id}` }],
  };
}

process.exitCode = await main().catch((err: unknown) => {
  console.error(err);
  return 1;
});
