/**
 * `npm run bench`: starts its own embedded Neo4j, generates a synthetic
 * registry, starts Pedigree as a child process (and MLflow's server), measures
 * the workload in issue 7, prints one table and writes the raw results to
 * bench/results/<date>-<name>.json.
 *
 *   npm run bench -- [--nodes 120000] [--reps 5] [--seconds 3] [--name default]
 *                    [--skip-mlflow] [--only hot,writes,lineage,search,roundtrips,subs]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { cpus, loadavg, totalmem } from 'node:os';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import neo4j from 'neo4j-driver';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { startBenchDb, type BenchDb } from './db.js';
import { benchCypher, generate, type Generated } from './generate.js';
import { HttpClient, median, runLoad, type Sample, type Watched } from './load.js';
import { ensureMlflow, mlflowApi, MLFLOW_VERSION, startMlflow, type MlflowServer } from './mlflow.js';
import * as OPS from './ops.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');

// ------------------------------------------------------------ arguments

const argv = process.argv.slice(2);
const arg = (name: string, def: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : def;
};
const flag = (name: string) => argv.includes(`--${name}`);
const cfg = {
  nodes: Number(arg('nodes', '120000')),
  reps: Number(arg('reps', '5')),
  seconds: Number(arg('seconds', '3')),
  name: arg('name', 'default'),
  mlflow: !flag('skip-mlflow'),
  only: new Set(arg('only', 'hot,writes,lineage,search,roundtrips,subs').split(',')),
  writesPerClient: Number(arg('writes-per-client', '10')),
};
/**
 * The alias the write and subscription figures move: not a protected one
 * (`champion` and `production` need two-person approval under governance).
 */
const MOVED_ALIAS = 'candidate';
const log = (s: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${s}\n`);

// ------------------------------------------------------------ results

interface Row {
  section: string;
  label: string;
  system: 'pedigree' | 'neo4j-driver' | 'bolt' | 'mlflow';
  clients: number;
  samples: Omit<Sample, never>[];
  opsPerSec: number;
  p50: number;
  p99: number;
  clientCpu: number;
  cpu: Record<string, number>;
  extra: Record<string, number>;
  checks: string[];
  target?: string;
  met?: boolean | null;
  pending?: string;
}
const rows: Row[] = [];
const series = new Map<
  string,
  { row: Omit<Row, 'opsPerSec' | 'p50' | 'p99' | 'clientCpu' | 'cpu' | 'extra'>; samples: Sample[] }
>();

function record(
  key: string,
  meta: Pick<Row, 'section' | 'label' | 'system' | 'clients'>,
  s: Sample & { latencies?: number[]; errorMessages?: string[] },
) {
  const { latencies: _l, ...sample } = s;
  let e = series.get(key);
  if (!e) {
    e = { row: { ...meta, samples: [], checks: [] }, samples: [] };
    series.set(key, e);
  }
  e.samples.push(sample);
  if (s.errors) log(`  ${key}: ${s.errors} errors ${JSON.stringify(s.errorMessages ?? [])}`);
}
function check(key: string, text: string) {
  series.get(key)?.row.checks.push(text);
}
function finish(): void {
  for (const [, { row, samples }] of series) {
    const cpuKeys = new Set(samples.flatMap((s) => Object.keys(s.cpu)));
    const extraKeys = new Set(samples.flatMap((s) => Object.keys(s.extra ?? {})));
    rows.push({
      ...row,
      samples,
      opsPerSec: median(samples.map((s) => s.opsPerSec)),
      p50: median(samples.map((s) => s.p50)),
      p99: median(samples.map((s) => s.p99)),
      clientCpu: median(samples.map((s) => s.clientCpu)),
      cpu: Object.fromEntries([...cpuKeys].map((k) => [k, median(samples.map((s) => s.cpu[k] ?? NaN))])),
      extra: Object.fromEntries([...extraKeys].map((k) => [k, median(samples.map((s) => s.extra?.[k] ?? NaN))])),
    });
  }
}

// ------------------------------------------------------------ processes

interface ServerChild {
  url: string;
  pid: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

async function startServer(
  neo4jEnv: BenchDb['env'],
  token: string,
  extraEnv: Record<string, string> = {},
): Promise<ServerChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'server.ts')], {
    cwd: root,
    // The nested-list query counts every list at its hard cap (tags of the
    // versions of 100 aliases per model...): far over the default cost limit,
    // which is not what the bench measures.
    env: {
      ...process.env,
      ...neo4jEnv,
      PEDIGREE_ADMIN_TOKEN: token,
      LOG_LEVEL: 'warn',
      PEDIGREE_MAX_COST: '5000000',
      ...extraEnv,
    },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((res, rej) => {
    let buf = '';
    const timer = setTimeout(() => rej(new Error('Pedigree server did not start within 180 s')), 180_000);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      const m = /BENCH_SERVER_READY (\S+)/.exec(buf);
      if (m) {
        clearTimeout(timer);
        res(m[1]!);
      }
      // After start-up, pass the server's warnings and errors through (pino JSON, level >= 40).
      for (const line of buf.split('\n').slice(0, -1)) {
        if (/"level":(4|5|6)0/.test(line)) log(`server: ${line.slice(0, 600)}`);
      }
      buf = buf.slice(buf.lastIndexOf('\n') + 1);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`Pedigree server exited with ${code}`));
    });
  });
  return {
    url,
    pid: child.pid!,
    child,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

// ------------------------------------------------------------ main

async function main(): Promise<void> {
  const started = new Date();
  const machine = {
    nproc: cpus().length,
    cpuModel: /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model,
    memGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    loadavgAtStart: loadavg(),
  };
  log(`machine: ${JSON.stringify(machine)}`);
  log(`config: ${JSON.stringify({ ...cfg, only: [...cfg.only] })}`);

  const cleanups: (() => Promise<void>)[] = [];
  const http = new HttpClient(1200);
  const token = randomBytes(16).toString('hex');
  const auth = { authorization: `Bearer ${token}` };
  let generated: Generated | undefined;
  let mlflow: MlflowServer | undefined;
  let subsStatus = 'not run';
  let roundTrips: Record<string, unknown> = {};
  let eventLog: Record<string, unknown> = {};

  try {
    if (cfg.mlflow) ensureMlflow(log);

    log('starting embedded Neo4j');
    const db = await startBenchDb();
    cleanups.unshift(() => db.stop());
    log(`generating a registry of ~${cfg.nodes} nodes`);
    generated = await generate(db.driver, { nodes: cfg.nodes, log });
    log(
      `generated ${generated.totalNodes} nodes (${generated.events} events) in ${(generated.loadMs / 1000).toFixed(1)} s`,
    );

    log('starting the Pedigree server (child process)');
    const server = await startServer(db.env, token);
    cleanups.unshift(() => server.stop());
    if (cfg.mlflow) {
      log(`starting mlflow server ${MLFLOW_VERSION} (SQLite)`);
      mlflow = await startMlflow(http);
      cleanups.unshift(() => mlflow!.stop());
    }
    const watch: Watched = {
      server: { pid: server.pid },
      neo4j: { pid: db.neo!.pid },
      ...(mlflow ? { mlflow: { pgid: mlflow.pgid } } : {}),
    };

    const gql = async (query: string, variables: Record<string, unknown> = {}, url = server.url) => {
      const r = await http.send('POST', url, { query, variables }, auth);
      if (r.json?.errors?.length) throw new Error(JSON.stringify(r.json.errors).slice(0, 300));
      return r.json.data;
    };
    const cypher = async (name: string, params: Record<string, unknown> = {}) => {
      const s = db.driver.session({ database: 'neo4j' });
      try {
        return (await s.run(benchCypher(name), params)).records.map((r) => r.toObject());
      } finally {
        await s.close();
      }
    };
    const sample = generated.sample;
    const pickModel = () => sample.modelNames[Math.floor(Math.random() * sample.modelNames.length)]!;
    const pickOf = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)]!;
    const dur = cfg.seconds * 1000;
    const checksum = (s: string) => `sha256:${createHash('sha256').update(s).digest('hex')}`;
    const uniq = (p: string) => `${p}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

    // MLflow seed: models with versions and a champion alias to read.
    const mlf = mlflow ? mlflowApi(http, mlflow.url) : undefined;
    const mlfModels: string[] = [];
    if (mlf) {
      log('seeding mlflow: 200 models x 3 versions + champion alias');
      await runLoad({ concurrency: 4, total: 200 }, async (_w, i) => {
        const name = `bench-model-${String(i).padStart(6, '0')}`;
        if (!(await mlf.createModel(name))) return false;
        for (let v = 1; v <= 3; v++)
          if (!(await mlf.createVersion(name, `s3://bench-artifacts/${name}/${v}/model.bin`))) return false;
        if (!(await mlf.setAlias(name, 'champion', 3))) return false;
        mlfModels.push(name);
        return true;
      });
    }

    // ---------------------------------------------------------- hot read
    if (cfg.only.has('hot')) {
      log('hot read: modelVersionByAlias over HTTP vs neo4j-driver vs RETURN 1 (interleaved with MLflow)');
      const resolveText = readFileSync(join(root, 'cypher/registry/resolve-version-refs.cypher'), 'utf8');
      const pingText = readFileSync(join(root, 'cypher/system/ping.cypher'), 'utf8');
      const drv = neo4j.driver(db.uri, neo4j.auth.basic(db.env.NEO4J_USER, db.env.NEO4J_PASSWORD), {
        maxConnectionPoolSize: 64,
      });
      cleanups.unshift(() => drv.close());
      const ours = async () => {
        const d = await gql(OPS.GET_BY_ALIAS, { modelName: pickModel(), alias: 'champion' });
        return d.modelVersionByAlias?.version > 0;
      };
      const direct = async () => {
        const s = drv.session({ database: 'neo4j', defaultAccessMode: neo4j.session.READ });
        try {
          // An auto-commit query, as Pedigree's single-statement reads are: the floor for one statement.
          const res = await s.run(resolveText, {
            refs: [{ modelName: pickModel(), version: null, alias: 'champion' }],
          });
          return (res.records[0]?.toObject().version as { version?: unknown } | null)?.version != null;
        } finally {
          await s.close();
        }
      };
      const bolt = async () => {
        const s = drv.session({ database: 'neo4j', defaultAccessMode: neo4j.session.READ });
        try {
          await s.run(pingText);
          return true;
        } finally {
          await s.close();
        }
      };
      const theirs = async () => (await mlf!.getByAlias(pickOf(mlfModels), 'champion')) === '3';
      // Warm-up: JIT and connection pools, as on any running server.
      for (const f of [ours, direct, bolt, ...(mlf ? [theirs] : [])])
        await runLoad({ concurrency: 8, durationMs: 1000 }, f);
      for (let rep = 0; rep < cfg.reps; rep++) {
        for (const c of [1, 32]) {
          record(
            `hot.graphql.${c}`,
            { section: 'hot read', label: 'modelVersionByAlias (GraphQL HTTP)', system: 'pedigree', clients: c },
            await runLoad({ concurrency: c, durationMs: dur, watch }, ours),
          );
          if (mlf)
            record(
              `hot.mlflow.${c}`,
              { section: 'hot read', label: 'get model version by alias (MLflow REST)', system: 'mlflow', clients: c },
              await runLoad({ concurrency: c, durationMs: dur, watch }, theirs),
            );
          record(
            `hot.driver.${c}`,
            {
              section: 'hot read',
              label: 'same lookup straight through neo4j-driver',
              system: 'neo4j-driver',
              clients: c,
            },
            await runLoad({ concurrency: c, durationMs: dur, watch }, direct),
          );
          record(
            `hot.bolt.${c}`,
            { section: 'hot read', label: 'RETURN 1 over Bolt', system: 'bolt', clients: c },
            await runLoad({ concurrency: c, durationMs: dur, watch }, bolt),
          );
        }
        log(`  hot read rep ${rep + 1}/${cfg.reps} done`);
      }
    }

    // ---------------------------------------------------------- writes
    if (cfg.only.has('writes')) {
      log(
        'writes: createModelVersion (one model, 32 models), setRegisteredModelAlias, createRegisteredModel (interleaved with MLflow)',
      );
      const C = 32;
      const total = C * cfg.writesPerClient;
      const newModel = async (name: string) => gql(OPS.CREATE_MODEL, { input: { name, owner: 'bench' } });
      const createVersion = async (name: string, i: number) => {
        const d = await gql(OPS.CREATE_VERSION, {
          input: {
            modelName: name,
            source: `s3://bench-artifacts/${name}/${i}/model.bin`,
            checksum: checksum(`${name}/${i}`),
          },
        });
        return d.createModelVersion.version as number;
      };
      const verifyOurs = async (key: string, name: string, returned: number[]) => {
        const nums = (await cypher('model-version-numbers', { modelName: name })).map((r) => Number(r.version));
        const distinct = new Set(nums).size;
        const max = nums.length ? Math.max(...nums) : 0;
        const dup = nums.length - distinct;
        const gaps = max - distinct;
        const returnedDup = returned.length - new Set(returned).size;
        const ok = dup === 0 && gaps === 0 && nums.length === returned.length && returnedDup === 0;
        check(
          key,
          `${name}: ${nums.length} versions, ${dup} duplicates, ${gaps} gaps, ${returned.length} successes${ok ? '' : ' — FAILED'}`,
        );
        return ok;
      };
      const verifyTheirs = async (key: string, name: string, successes: number) => {
        const nums = await mlf!.versionNumbers(name);
        const distinct = new Set(nums).size;
        const max = nums.length ? Math.max(...nums) : 0;
        check(
          key,
          `${name}: ${nums.length} versions, ${nums.length - distinct} duplicates, ${max - distinct} gaps, ${successes} successes`,
        );
        return { dup: nums.length - distinct, gaps: max - distinct };
      };
      for (let rep = 0; rep < cfg.reps; rep++) {
        // createModelVersion, 32 clients, one model
        {
          const name = uniq('bench-w1');
          await newModel(name);
          const returned: number[] = [];
          const s = await runLoad({ concurrency: C, total, watch }, async (_w, i) => {
            returned.push(await createVersion(name, i));
            return true;
          });
          record(
            'w.one.pedigree',
            { section: 'writes', label: 'createModelVersion, 32 clients on one model', system: 'pedigree', clients: C },
            s,
          );
          await verifyOurs('w.one.pedigree', name, returned);
        }
        if (mlf) {
          const name = uniq('bench-w1');
          await mlf.createModel(name);
          let ok = 0;
          const s = await runLoad({ concurrency: C, total, watch }, async (_w, i) => {
            const v = await mlf.createVersion(name, `s3://bench-artifacts/${name}/${i}/model.bin`);
            if (v) ok++;
            return v !== null;
          });
          record(
            'w.one.mlflow',
            { section: 'writes', label: 'create model version, 32 clients on one model', system: 'mlflow', clients: C },
            s,
          );
          const r = await verifyTheirs('w.one.mlflow', name, ok);
          (s.extra ??= {}).duplicates = r.dup;
          s.extra.gaps = r.gaps;
          s.extra.errors = s.errors;
        }
        // createModelVersion, 32 clients spread over 32 models
        {
          const names = Array.from({ length: C }, () => uniq('bench-w32'));
          for (const n of names) await newModel(n);
          const returned: number[][] = names.map(() => []);
          const s = await runLoad({ concurrency: C, total, watch }, async (w, i) => {
            returned[w]!.push(await createVersion(names[w]!, i));
            return true;
          });
          record(
            'w.spread.pedigree',
            {
              section: 'writes',
              label: 'createModelVersion, 32 clients over 32 models',
              system: 'pedigree',
              clients: C,
            },
            s,
          );
          let allOk = true;
          for (let k = 0; k < C; k++) {
            const nums = (await cypher('model-version-numbers', { modelName: names[k] })).map((r) => Number(r.version));
            const max = nums.length ? Math.max(...nums) : 0;
            if (new Set(nums).size !== nums.length || max !== nums.length || nums.length !== returned[k]!.length)
              allOk = false;
          }
          check('w.spread.pedigree', `32 models: ${allOk ? 'no duplicates, no gaps' : 'FAILED: duplicates or gaps'}`);
        }
        if (mlf) {
          const names = Array.from({ length: C }, () => uniq('bench-w32'));
          for (const n of names) await mlf.createModel(n);
          const s = await runLoad(
            { concurrency: C, total, watch },
            async (w, i) =>
              (await mlf.createVersion(names[w]!, `s3://bench-artifacts/${names[w]}/${i}/model.bin`)) !== null,
          );
          record(
            'w.spread.mlflow',
            {
              section: 'writes',
              label: 'create model version, 32 clients over 32 models',
              system: 'mlflow',
              clients: C,
            },
            s,
          );
          let dup = 0;
          let gaps = 0;
          for (const n of names) {
            const nums = await mlf.versionNumbers(n);
            dup += nums.length - new Set(nums).size;
            gaps += (nums.length ? Math.max(...nums) : 0) - new Set(nums).size;
          }
          (s.extra ??= {}).duplicates = dup;
          s.extra.gaps = gaps;
          s.extra.errors = s.errors;
          check('w.spread.mlflow', `32 models: ${dup} duplicates, ${gaps} gaps, ${s.errors} errors`);
        }
        // setRegisteredModelAlias, 32 clients moving one alias
        {
          const name = uniq('bench-alias');
          await newModel(name);
          for (let v = 1; v <= 10; v++) await createVersion(name, v);
          const s = await runLoad({ concurrency: C, total, watch }, async () => {
            const d = await gql(OPS.SET_ALIAS, {
              modelName: name,
              alias: MOVED_ALIAS,
              version: 1 + Math.floor(Math.random() * 10),
            });
            return d.setRegisteredModelAlias.version.version > 0;
          });
          record(
            'w.alias.pedigree',
            {
              section: 'writes',
              label: 'setRegisteredModelAlias, 32 clients on one alias',
              system: 'pedigree',
              clients: C,
            },
            s,
          );
          const moves = await cypher('alias-events', { modelName: name, alias: MOVED_ALIAS });
          let lost = 0;
          for (let k = 1; k < moves.length; k++) {
            const before = JSON.parse(String(moves[k]!.before ?? 'null'))?.version ?? null;
            const prevAfter = JSON.parse(String(moves[k - 1]!.after)).version;
            if (before !== prevAfter) lost++;
          }
          const target = Number((await cypher('alias-target', { modelName: name, alias: MOVED_ALIAS }))[0]?.version);
          const last = moves.length ? JSON.parse(String(moves[moves.length - 1]!.after)).version : null;
          const ok = lost === 0 && moves.length === s.ops && target === last;
          check(
            'w.alias.pedigree',
            `${name}: ${moves.length} moves for ${s.ops} successes, ${lost} lost updates, alias at the last move: ${target === last}${ok ? '' : ' — FAILED'}`,
          );
        }
        if (mlf) {
          const name = uniq('bench-alias');
          await mlf.createModel(name);
          for (let v = 1; v <= 10; v++) await mlf.createVersion(name, `s3://x/${name}/${v}`);
          const s = await runLoad({ concurrency: C, total, watch }, async () =>
            mlf.setAlias(name, MOVED_ALIAS, 1 + Math.floor(Math.random() * 10)),
          );
          record(
            'w.alias.mlflow',
            { section: 'writes', label: 'set alias, 32 clients on one alias', system: 'mlflow', clients: C },
            s,
          );
        }
        // createRegisteredModel, 32 clients
        {
          const s = await runLoad({ concurrency: C, total, watch }, async () => {
            const d = await gql(OPS.CREATE_MODEL, { input: { name: uniq('bench-cm'), owner: 'bench' } });
            return !!d.createRegisteredModel.id;
          });
          record(
            'w.model.pedigree',
            { section: 'writes', label: 'createRegisteredModel, 32 clients', system: 'pedigree', clients: C },
            s,
          );
        }
        if (mlf) {
          const s = await runLoad({ concurrency: C, total, watch }, async () => mlf.createModel(uniq('bench-cm')));
          record(
            'w.model.mlflow',
            { section: 'writes', label: 'create registered model, 32 clients', system: 'mlflow', clients: C },
            s,
          );
        }
        log(`  writes rep ${rep + 1}/${cfg.reps} done`);
      }
      const ev = (await cypher('event-log-check'))[0]!;
      eventLog = Object.fromEntries(Object.entries(ev).map(([k, v]) => [k, Number(v)]));
      const evOk =
        eventLog.counter === eventLog.events &&
        eventLog.events === eventLog.distinctSequences &&
        eventLog.first === 1 &&
        eventLog.last === eventLog.counter;
      log(`  event log after writes: ${JSON.stringify(eventLog)} ${evOk ? 'no duplicates, no gaps' : 'FAILED'}`);
      eventLog.ok = evOk ? 1 : 0;
    }

    // ---------------------------------------------------------- lineage
    if (cfg.only.has('lineage')) {
      log('lineage: tracePrediction, lineage depth 5 and 10, datasetImpact');
      const trace = async () => {
        const d = (await gql(OPS.TRACE, { id: pickOf(sample.predictionIds) })).tracePrediction;
        return { nodes: 3 + d.datasets.length + d.sources.length + d.ancestors.length };
      };
      const lineage = (depth: number) => async () => {
        const d = (await gql(OPS.LINEAGE, { id: pickOf(sample.deepVersionIds), direction: 'UPSTREAM', depth })).lineage;
        return { nodes: d.nodes.length + 1, edges: d.edges.length, truncated: d.truncated ? 1 : 0 };
      };
      const impact = async () => {
        const d = (await gql(OPS.IMPACT, { datasetVersionId: pickOf(sample.midDatasetVersionIds) })).datasetImpact;
        return { modelVersions: d.modelVersions.length };
      };
      const cases: [string, string, () => Promise<Record<string, number>>][] = [
        ['lin.trace', 'tracePrediction', trace],
        ['lin.d5', 'lineage UPSTREAM depth 5', lineage(5)],
        ['lin.d10', 'lineage UPSTREAM depth 10', lineage(10)],
        ['lin.impact', 'datasetImpact (mid-chain dataset version)', impact],
      ];
      for (const [, , f] of cases) await runLoad({ concurrency: 1, durationMs: 500 }, f);
      for (let rep = 0; rep < cfg.reps; rep++) {
        for (const [key, label, f] of cases)
          record(
            key,
            { section: 'lineage', label, system: 'pedigree', clients: 1 },
            await runLoad({ concurrency: 1, durationMs: dur, watch }, f),
          );
      }
    }

    // ---------------------------------------------------------- search
    if (cfg.only.has('search')) {
      log(`search over ${generated.plan.versions} versions, first page of 100`);
      const search =
        (filter: Record<string, unknown>, orderBy: Record<string, unknown>[] = []) =>
        async () => {
          const d = (await gql(OPS.SEARCH, { filter, orderBy, first: 100 })).searchModelVersions;
          return { totalCount: d.totalCount, returned: d.edges.length };
        };
      const page =
        (filter: Record<string, unknown>, orderBy: Record<string, unknown>[] = []) =>
        async () => {
          const d = (await gql(OPS.SEARCH_PAGE, { filter, orderBy, first: 100 })).searchModelVersions;
          return { returned: d.edges.length };
        };
      const tag = { tag: { key: 'team', value: sample.team } };
      const m99 = { metric: { key: 'accuracy', op: 'GT', value: 0.99 } };
      const m50 = { metric: { key: 'accuracy', op: 'GT', value: 0.5 } };
      const byAccuracy = [{ field: 'METRIC', metricKey: 'accuracy', direction: 'DESC' }];
      // The contract operation selects totalCount (counted up to 10,000); the page rows select no count.
      const cases: [string, string, () => Promise<Record<string, number>>][] = [
        ['search.tag', `by tag team=${sample.team} (1 in 20), totalCount`, search(tag)],
        ['search.metric99', 'by metric accuracy > 0.99 (1 in 100), totalCount', search(m99)],
        ['search.metric50', 'by metric accuracy > 0.5 (1 in 2), totalCount', search(m50)],
        ['search.page.tag', `page: by tag team=${sample.team} (1 in 20)`, page(tag)],
        ['search.page.metric99', 'page: by metric accuracy > 0.99 (1 in 100)', page(m99)],
        ['search.page.metric50', 'page: by metric accuracy > 0.5 (1 in 2)', page(m50)],
        ['search.page.all', 'page: no filter', page({})],
        ['search.page.newest', 'page: no filter, newest first', page({}, [{ field: 'CREATED_AT', direction: 'DESC' }])],
        ['search.page.dashboard', 'page: accuracy > 0.5, by accuracy DESC (dashboard)', page(m50, byAccuracy)],
      ];
      for (const [, , f] of cases) await runLoad({ concurrency: 1, total: 2 }, f);
      for (let rep = 0; rep < cfg.reps; rep++) {
        for (const [key, label, f] of cases)
          record(
            key,
            { section: 'search', label, system: 'pedigree', clients: 1 },
            await runLoad({ concurrency: 1, durationMs: dur, watch }, f),
          );
      }
    }

    // ---------------------------------------------------------- round trips
    if (cfg.only.has('roundtrips')) {
      log('round trips: nested list query, DataLoader on vs off (second server with batching off)');
      const off = await startServer(db.env, token, { BENCH_DATALOADER: 'off' });
      cleanups.unshift(() => off.stop());
      const statements = async (url: string) => {
        const r = await http.send('GET', url.replace(/\/graphql$/, '/metrics'));
        const m = /pedigree_cypher_statements_total(?:\{[^}]*\})?\s+(\d+)/.exec(r.text);
        return m ? Number(m[1]) : NaN;
      };
      const measure = async (url: string, key: string, label: string) => {
        const n = 3;
        await gql(OPS.NESTED_LIST, { first: 20 }, url);
        // Background statements (the event tailer's polls) while idle, subtracted below.
        const idle0 = await statements(url);
        const i0 = performance.now();
        await new Promise((r) => setTimeout(r, 3000));
        const idleRate = ((await statements(url)) - idle0) / (performance.now() - i0);
        const before = await statements(url);
        const w0 = performance.now();
        const s = await runLoad({ concurrency: 1, total: n }, async () => {
          const d = await gql(OPS.NESTED_LIST, { first: 20 }, url);
          return { models: d.registeredModels.edges.length };
        });
        const after = await statements(url);
        const background = idleRate * (performance.now() - w0);
        const per = Math.max(0, after - before - background) / n;
        s.extra = {
          ...s.extra,
          statementsPerRequest: Math.round(per * 10) / 10,
          backgroundPerSecond: Math.round(idleRate * 10000) / 10,
        };
        record(key, { section: 'round trips', label, system: 'pedigree', clients: 1 }, s);
        return per;
      };
      const onCount = await measure(server.url, 'rt.on', 'nested list of 20 models: DataLoader on');
      const offCount = await measure(
        off.url,
        'rt.off',
        'nested list of 20 models: DataLoader off (batch size 1, no cache)',
      );
      roundTrips = {
        query: OPS.NESTED_LIST,
        first: 20,
        statementsWithLoaders: onCount,
        statementsWithoutLoaders: offCount,
      };
      log(`  statements per request: ${onCount} with loaders, ${offCount} without`);
      await off.stop();
    }

    // ---------------------------------------------------------- subscriptions
    if (cfg.only.has('subs')) {
      const fields = ((await gql(OPS.SUBSCRIPTION_FIELDS)).__schema.subscriptionType?.fields ?? []).map(
        (f: { name: string }) => f.name,
      );
      if (!fields.includes('aliasChanged')) {
        subsStatus = 'pending: the aliasChanged subscription is not on this branch (it lives on branch `events`)';
        log(`subscriptions: ${subsStatus}`);
      } else {
        subsStatus = 'measured';
        for (const n of [100, 1000]) await measureSubscribers(n);
      }
    }

    async function measureSubscribers(n: number): Promise<void> {
      log(`subscriptions: ${n} graphql-ws subscribers on one alias`);
      const name = uniq('bench-subs');
      await gql(OPS.CREATE_MODEL, { input: { name, owner: 'bench' } });
      for (let v = 1; v <= 3; v++) {
        await gql(OPS.CREATE_VERSION, {
          input: {
            modelName: name,
            source: `s3://bench-artifacts/${name}/${v}/m.bin`,
            checksum: checksum(`${name}/${v}`),
          },
        });
      }
      const receipts = new Map<string, number[]>();
      const clients: Client[] = [];
      const wsUrl = server.url.replace(/^http/, 'ws');
      for (let i = 0; i < n; i++) {
        const c = createClient({
          url: wsUrl,
          webSocketImpl: WebSocket,
          connectionParams: auth,
          lazy: false,
          retryAttempts: 0,
        });
        clients.push(c);
        c.subscribe(
          { query: OPS.ALIAS_CHANGED, variables: { modelName: name, alias: MOVED_ALIAS } },
          {
            next: (m: any) => {
              const seq = m.data?.aliasChanged?.sequence;
              if (seq) (receipts.get(seq) ?? receipts.set(seq, []).get(seq)!).push(performance.now());
            },
            error: () => undefined,
            complete: () => undefined,
          },
        );
      }
      // `at` is when this process handled the mutation's response. The subscribers
      // share this process's event loop, so their messages can be handled before
      // the response even when the response arrived first: receipts are also
      // timed from `sent`, which no queueing in this process moves.
      const move = async (version: number) => {
        const sent = performance.now();
        const d = await gql(OPS.SET_ALIAS, { modelName: name, alias: MOVED_ALIAS, version });
        return { seq: d.setRegisteredModelAlias.sequence as string, sent, at: performance.now() };
      };
      const waitAll = async (seq: string, timeoutMs: number) => {
        const end = performance.now() + timeoutMs;
        while ((receipts.get(seq)?.length ?? 0) < n && performance.now() < end)
          await new Promise((r) => setTimeout(r, 1));
        return receipts.get(seq) ?? [];
      };
      // Until every subscriber has seen one move, they are not all live yet.
      for (let tries = 0; tries < 60; tries++) {
        const w = await move(1 + (tries % 3));
        if ((await waitAll(w.seq, 2000)).length >= n) break;
      }
      for (let rep = 0; rep < Math.max(cfg.reps, 10); rep++) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        const w = await move(1 + (rep % 3));
        const got = await waitAll(w.seq, 30_000);
        const lags = got.map((t) => t - w.at).sort((a, b) => a - b);
        const fromSent = got.map((t) => t - w.sent).sort((a, b) => a - b);
        const wall = (performance.now() - t0) / 1000;
        const c = process.cpuUsage(c0);
        record(
          `subs.${n}`,
          {
            section: 'subscriptions',
            label: `${n} subscribers on one alias: mutation response → last receipt`,
            system: 'pedigree',
            clients: n,
          },
          {
            ops: got.length,
            errors: n - got.length,
            wallMs: wall * 1000,
            opsPerSec: NaN,
            p50: lags[Math.floor(lags.length / 2)] ?? NaN,
            p99: lags[lags.length - 1] ?? NaN,
            max: lags[lags.length - 1] ?? NaN,
            clientCpu: (c.user + c.system) / 1e6 / wall,
            cpu: {},
            extra: {
              received: got.length,
              lastReceiptMs: lags[lags.length - 1] ?? NaN,
              responseMs: w.at - w.sent,
              sentToFirstReceiptMs: fromSent[0] ?? NaN,
              sentToLastReceiptMs: fromSent[fromSent.length - 1] ?? NaN,
            },
          },
        );
        await new Promise((r) => setTimeout(r, 100));
      }
      await Promise.all(clients.map((c) => c.dispose()));
    }

    finish();
  } finally {
    for (const c of cleanups) await c().catch((err) => log(`cleanup: ${(err as Error).message}`));
    http.close();
  }

  // ---------------------------------------------------------- targets, ratios, output
  const find = (section: string, system: string, clients: number, labelPart = '') =>
    rows.find(
      (r) => r.section === section && r.system === system && r.clients === clients && r.label.includes(labelPart),
    );
  const target = (r: Row | undefined, text: string, met: boolean | null) => {
    if (!r) return;
    r.target = r.target ? `${r.target}; ${text}` : text;
    r.met = r.met === false ? false : met;
  };
  const g1 = find('hot read', 'pedigree', 1);
  const g32 = find('hot read', 'pedigree', 32);
  const d1 = find('hot read', 'neo4j-driver', 1);
  const m32 = find('hot read', 'mlflow', 32);
  target(g1, 'p50 ≤ 1.5 ms, p99 ≤ 5 ms', g1 ? g1.p50 <= 1.5 && g1.p99 <= 5 : null);
  if (g1 && d1) target(g1, `p50 ≤ 1.5× driver (${(g1.p50 / d1.p50).toFixed(2)}×)`, g1.p50 <= 1.5 * d1.p50);
  target(g32, '≥ 1,500 req/s, p99 ≤ 20 ms', g32 ? g32.opsPerSec >= 1500 && g32.p99 <= 20 : null);
  if (g32 && m32)
    target(g32, `≥ 3× MLflow (${(g32.opsPerSec / m32.opsPerSec).toFixed(2)}×)`, g32.opsPerSec >= 3 * m32.opsPerSec);
  const w1 = find('writes', 'pedigree', 32, 'one model');
  target(
    w1,
    '≥ 200/s, no duplicates or gaps',
    w1 ? w1.opsPerSec >= 200 && w1.checks.every((c) => !c.includes('FAILED')) : null,
  );
  const w32 = find('writes', 'pedigree', 32, 'over 32 models');
  target(w32, '≥ 500/s', w32 ? w32.opsPerSec >= 500 && w32.checks.every((c) => !c.includes('FAILED')) : null);
  const sizeNote =
    generated && generated.totalNodes < 1_000_000
      ? ` (target is at 1,000,000 nodes; this run has ${generated.totalNodes})`
      : '';
  for (const part of ['tracePrediction', 'depth 10']) {
    const r = find('lineage', 'pedigree', 1, part);
    target(r, `p99 ≤ 50 ms${sizeNote}`, r ? r.p99 <= 50 : null);
  }
  for (const r of rows.filter((x) => x.section === 'search' && x.label.startsWith('page:'))) {
    target(r, `first page of 100, any selectivity: p99 ≤ 50 ms${sizeNote}`, r.p99 <= 50);
  }
  const s1000 = find('subscriptions', 'pedigree', 1000);
  target(s1000, 'p99 ≤ 50 ms after the response', s1000 ? s1000.p99 <= 50 : null);

  const ratios: { figure: string; ours: number; theirs: number; ratio: number; better: string }[] = [];
  const pair = (
    figure: string,
    section: string,
    clients: number,
    oursLabel: string,
    theirsLabel: string,
    metric: 'opsPerSec' | 'p50' | 'p99',
  ) => {
    const o = find(section, 'pedigree', clients, oursLabel);
    const t = find(section, 'mlflow', clients, theirsLabel);
    if (o && t)
      ratios.push({
        figure,
        ours: o[metric],
        theirs: t[metric],
        ratio: o[metric] / t[metric],
        better: metric === 'opsPerSec' ? 'higher' : 'lower',
      });
  };
  for (const c of [1, 32]) {
    pair(`get by alias, ${c} client(s): req/s`, 'hot read', c, '', '', 'opsPerSec');
    pair(`get by alias, ${c} client(s): p50`, 'hot read', c, '', '', 'p50');
    pair(`get by alias, ${c} client(s): p99`, 'hot read', c, '', '', 'p99');
  }
  pair('create version, 32 clients on one model: ops/s', 'writes', 32, 'one model', 'one model', 'opsPerSec');
  pair('create version, 32 clients on one model: p99', 'writes', 32, 'one model', 'one model', 'p99');
  pair(
    'create version, 32 clients over 32 models: ops/s',
    'writes',
    32,
    'over 32 models',
    'over 32 models',
    'opsPerSec',
  );
  pair('set alias, 32 clients: ops/s', 'writes', 32, 'Alias', 'set alias', 'opsPerSec');
  pair('set alias, 32 clients: p99', 'writes', 32, 'Alias', 'set alias', 'p99');
  pair(
    'create model, 32 clients: ops/s',
    'writes',
    32,
    'createRegisteredModel',
    'create registered model',
    'opsPerSec',
  );

  const results = {
    name: cfg.name,
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: { ...machine, loadavgAtEnd: loadavg() },
    config: {
      ...cfg,
      only: [...cfg.only],
      mlflowVersion: cfg.mlflow ? MLFLOW_VERSION : null,
      mlflowWorkers: mlflow?.workers ?? null,
    },
    generated: generated && {
      plan: generated.plan,
      totalNodes: generated.totalNodes,
      events: generated.events,
      loadMs: generated.loadMs,
      nodesByLabel: generated.nodesByLabel,
    },
    eventLog,
    roundTrips,
    subscriptions: subsStatus,
    rows,
    ratios,
  };
  const dir = join(here, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${started.toISOString().slice(0, 10)}-${cfg.name}.json`);
  writeFileSync(file, JSON.stringify(results, null, 2));
  const table = renderTable(results);
  process.stdout.write(table);
  writeFileSync(file.replace(/\.json$/, '.md'), table);
  log(`raw results: ${file}`);
}

// ------------------------------------------------------------ table

const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '–');
const pct = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? `${Math.round(x * 100)}%` : '–');

function renderTable(res: any): string {
  const out: string[] = [];
  const g = res.generated;
  out.push(`\n### Pedigree bench "${res.name}" — ${res.startedAt}`);
  out.push(
    `machine: ${res.machine.nproc} cores (${res.machine.cpuModel}), ${res.machine.memGiB} GiB, node ${res.machine.node}; load average at start ${res.machine.loadavgAtStart.map((x: number) => x.toFixed(2)).join(' ')}, at end ${res.machine.loadavgAtEnd.map((x: number) => x.toFixed(2)).join(' ')}`,
  );
  if (g)
    out.push(
      `graph: ${g.totalNodes} nodes (${g.plan.versions} model versions, ${g.plan.models} models, ${g.events} events), loaded in ${(g.loadMs / 1000).toFixed(1)} s`,
    );
  out.push(
    `every figure: median over ${res.config.reps} runs of ${res.config.seconds} s (writes: ${32 * res.config.writesPerClient} operations per run); CPU as share of one core\n`,
  );
  out.push(
    '| section | figure | system | clients | ops/s | p50 ms | p99 ms | returned | load client CPU | server CPU | neo4j CPU | mlflow CPU | target | met |',
  );
  out.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of res.rows as Row[]) {
    const ret = Object.entries(r.extra)
      .filter(([k]) => k !== 'errors')
      .map(([k, v]) => `${k} ${f(v, Number.isInteger(v) ? 0 : 1)}`)
      .join(', ');
    const errs = r.samples.reduce((a, s) => a + s.errors, 0);
    out.push(
      `| ${r.section} | ${r.label}${errs ? ` (${errs} errors in all runs)` : ''} | ${r.system} | ${r.clients} | ${r.section === 'subscriptions' || r.section === 'round trips' ? '–' : f(r.opsPerSec, 0)} | ${f(r.p50, 2)} | ${f(r.p99, 2)} | ${ret || '–'} | ${pct(r.clientCpu)} | ${pct(r.cpu.server)} | ${pct(r.cpu.neo4j)} | ${pct(r.cpu.mlflow)} | ${r.target ?? ''} | ${r.met === undefined || r.met === null ? '' : r.met ? 'yes' : '**no**'} |`,
    );
  }
  if (res.subscriptions !== 'measured')
    out.push(
      `| subscriptions | 100 and 1,000 subscribers on one alias | pedigree | – | – | – | – | – | – | – | – | – | p99 ≤ 50 ms | ${res.subscriptions} |`,
    );
  const checks = (res.rows as Row[]).filter((r) => r.checks.length);
  if (checks.length) {
    out.push('\nChecks after each write run:');
    for (const r of checks)
      out.push(
        `- ${r.system} / ${r.label}: ${[...new Set(r.checks.map((c) => c.replace(/bench-[a-z0-9]+-[a-z0-9]+-[0-9a-f]+/, 'model')))].join('; ')}`,
      );
    if (res.eventLog?.counter !== undefined)
      out.push(
        `- event log: ${res.eventLog.events} events, counter ${res.eventLog.counter}, sequences ${res.eventLog.first}..${res.eventLog.last}: ${res.eventLog.ok ? 'no duplicate, no gap' : 'FAILED'}`,
      );
  }
  if (res.roundTrips?.statementsWithLoaders !== undefined) {
    out.push(
      `\nRound trips (Cypher statements per request, nested list of ${res.roundTrips.first} models): ${f(res.roundTrips.statementsWithLoaders, 1)} with DataLoader, ${f(res.roundTrips.statementsWithoutLoaders, 1)} without.`,
    );
  }
  if (res.ratios?.length) {
    out.push('\n| MLflow comparison | Pedigree | MLflow | ours / theirs | better when |');
    out.push('|---|---|---|---|---|');
    for (const r of res.ratios)
      out.push(`| ${r.figure} | ${f(r.ours, 2)} | ${f(r.theirs, 2)} | ${f(r.ratio, 2)} | ${r.better} |`);
  }
  return out.join('\n') + '\n';
}

main().then(
  () => process.exit(0),
  (err) => {
    log(`failed: ${(err as Error).stack ?? err}`);
    process.exit(1);
  },
);
