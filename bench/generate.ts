/**
 * Synthetic registry generator for the benchmarks: models with versions, runs,
 * dataset versions with derivation chains, raw sources, fine-tune and
 * distillation chains, aliases, logged predictions, and the Event outbox with
 * its Counter, all shaped exactly as the app's own statements write them
 * (docs/graph.md), so every app query sees a consistent graph.
 *
 * Loaded with batched UNWIND statements (bench/cypher/load-*.cypher) straight
 * through neo4j-driver, one write transaction per batch. Parents (derivation
 * sources, base models, teachers) are always loaded in an earlier batch.
 *
 * CLI: tsx bench/generate.ts --uri bolt://127.0.0.1:7687 [--nodes 100000] [--seed 1]
 * (the database must be empty and migrated; bench/run.ts does both).
 */
import { randomUUID, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config.js';
import neo4j, { type Driver } from 'neo4j-driver';
import { computeFingerprint } from '../src/registry/fingerprint.js';

const here = dirname(fileURLToPath(import.meta.url));

/** A bench statement by name: bench/cypher/<name>.cypher. */
export function benchCypher(name: string): string {
  return readFileSync(join(here, 'cypher', `${name}.cypher`), 'utf8');
}

/** Families of models chained by fine-tuning: position k is fine-tuned from position k-1. */
export const FAMILY_SIZE = 12;
/** Each dataset is a chain of this many versions, each derived from the previous. */
export const DATASET_CHAIN = 10;
export const TEAMS = 20;
export const TASKS = 10;
const PREDICTIONS_PER_LOG = 50;
const DEPLOYMENTS = 8;

export interface Plan {
  versions: number;
  models: number;
  versionsPerModel: number;
  families: number;
  providerModels: number;
  datasets: number;
  datasetVersions: number;
  sources: number;
  runs: number;
  predictions: number;
  deployments: number;
}

/** Nodes per model version, all kinds together (version, 2 tags, 2 metrics, its event, half a run, …). */
const NODES_PER_VERSION = 8.15;

export function plan(nodes: number): Plan {
  const versionsPerModel = nodes >= 50_000 ? 50 : 10;
  return planOf(Math.max(FAMILY_SIZE, Math.round(nodes / NODES_PER_VERSION / versionsPerModel)), versionsPerModel);
}

/** The plan for a given number of models and versions per model (everything else scales with them). */
export function planOf(models: number, versionsPerModel: number): Plan {
  const versions = models * versionsPerModel;
  const families = Math.ceil(models / FAMILY_SIZE);
  const datasets = Math.max(2, Math.ceil(versions / 100));
  return {
    versions,
    models,
    versionsPerModel,
    families,
    providerModels: families,
    datasets,
    datasetVersions: datasets * DATASET_CHAIN,
    sources: Math.max(2, Math.ceil(datasets / 2)),
    runs: Math.ceil(versions / 2),
    predictions: Math.ceil(versions / 2 / PREDICTIONS_PER_LOG) * PREDICTIONS_PER_LOG,
    deployments: DEPLOYMENTS,
  };
}

/** Deterministic PRNG (mulberry32), so a seed gives the same graph shape. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (s: string) => createHash('sha256').update(s).digest('hex');

interface EventRow {
  sequence: number;
  type: string;
  atMs: number;
  actor: string;
  modelName: string | null;
  version: number | null;
  alias: string | null;
  subjectId: string | null;
  before: string | null;
  after: string | null;
}

export interface Generated {
  plan: Plan;
  events: number;
  nodesByLabel: Record<string, number>;
  totalNodes: number;
  loadMs: number;
  /** Handles the benchmarks pick from. */
  sample: {
    modelNames: string[];
    /** Version ids at the deepest family position (longest fine-tune chains). */
    deepVersionIds: string[];
    predictionIds: string[];
    /** First versions of dataset chains (their impact reaches the most models). */
    rootDatasetVersionIds: string[];
    /** Dataset versions in the middle of chains. */
    midDatasetVersionIds: string[];
    team: string;
  };
}

export interface GenerateOptions {
  nodes: number;
  seed?: number;
  batch?: number;
  database?: string;
  log?: (msg: string) => void;
  /** Prefix of every generated name and external id (default "bench-"), so a run can share a database. */
  prefix?: string;
  /** Models and versions per model instead of a node count (e.g. many models with few versions, for the alias view). */
  shape?: { models: number; versionsPerModel: number };
}

export async function generate(driver: Driver, opts: GenerateOptions): Promise<Generated> {
  const p = opts.shape
    ? planOf(Math.max(FAMILY_SIZE, opts.shape.models), opts.shape.versionsPerModel)
    : plan(opts.nodes);
  const rand = rng(opts.seed ?? 1);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const int = (n: number) => Math.floor(rand() * n);
  const batchSize = opts.batch ?? 2000;
  const log = opts.log ?? (() => undefined);
  const actor = 'bench-generator';
  const pre = opts.prefix ?? 'bench-';
  const modelName = (m: number) => `${pre}model-${String(m).padStart(6, '0')}`;
  const predictionId = (k: number) => `${pre}pred-${k}`;

  // The event log continues from where it stands (the generator must be the only writer meanwhile).
  const counter = await readCounter(driver, opts.database);

  // Events: strictly increasing sequence and atMs, ending before now.
  const events: EventRow[] = [];
  const estEvents =
    p.versions * 1.1 + p.runs * 2 + p.datasetVersions + p.models * 5 + p.predictions / PREDICTIONS_PER_LOG + 1000;
  const t0 = Math.max(Date.now() - Math.ceil(estEvents) - 60_000, counter.lastAtMs);
  const event = (
    e: Omit<EventRow, 'sequence' | 'atMs' | 'actor' | 'before' | 'after' | 'modelName' | 'version' | 'alias'> &
      Partial<EventRow> & { beforeObj?: unknown; afterObj?: unknown },
  ): number => {
    const sequence = counter.value + events.length + 1;
    const atMs = t0 + events.length + 1;
    events.push({
      sequence,
      atMs,
      type: e.type,
      actor,
      modelName: e.modelName ?? null,
      version: e.version ?? null,
      alias: e.alias ?? null,
      subjectId: e.subjectId ?? null,
      before: e.beforeObj === undefined ? null : JSON.stringify(e.beforeObj),
      after: e.afterObj === undefined ? null : JSON.stringify(e.afterObj),
    });
    return atMs;
  };

  // ---- provider models, deployments, raw sources, datasets
  const providers = Array.from({ length: p.providerModels }, (_, i) => {
    const row = {
      id: randomUUID(),
      provider: 'hf',
      name: `${pre}base-${i}`,
      providerVersion: `rev-${hex(`p${i}`).slice(0, 12)}`,
      uri: `hf://${pre}base-${i}`,
      atMs: 0,
      actor,
    };
    row.atMs = event({
      type: 'PROVIDER_MODEL_REGISTERED',
      subjectId: row.id,
      afterObj: {
        provider: row.provider,
        name: row.name,
        providerVersion: row.providerVersion,
        uri: row.uri,
        created: true,
      },
    });
    return row;
  });
  const deployments = Array.from({ length: p.deployments }, (_, i) => ({
    id: randomUUID(),
    name: `${pre}deploy-${i}`,
    atMs: t0,
  }));
  const sources = Array.from({ length: p.sources }, (_, i) => ({
    id: randomUUID(),
    uri: `s3://bench-raw/${pre}source-${i}/`,
    atMs: t0,
  }));
  const datasets = Array.from({ length: p.datasets }, (_, i) => ({
    id: randomUUID(),
    name: `${pre}dataset-${i}`,
    atMs: t0,
  }));

  // ---- dataset versions: chain level by level (level j derives from level j-1)
  type DV = {
    id: string;
    dataset: string;
    version: string;
    hash: string;
    uri: string;
    rowCount: number;
    atMs: number;
    actor: string;
    parents: string[];
    sources: string[];
    transform: string;
  };
  const dvByLevel: DV[][] = [];
  const dvGrid: DV[][] = datasets.map(() => []);
  for (let level = 0; level < DATASET_CHAIN; level++) {
    const rows: DV[] = [];
    datasets.forEach((d, di) => {
      const parents: string[] = level === 0 ? [] : [dvGrid[di]![level - 1]!.id];
      // Occasionally a version also merges in the previous dataset's version at the same level.
      if (level > 0 && di > 0 && rand() < 0.1) parents.push(dvGrid[di - 1]![level - 1]!.id);
      const srcs = level === 0 ? [sources[di % sources.length]!.id, sources[(di + 1) % sources.length]!.id] : [];
      const hash = `sha256:${hex(`${d.name}/${level}`)}`;
      const row: DV = {
        id: randomUUID(),
        dataset: d.name,
        version: `v${level + 1}`,
        hash,
        uri: `s3://bench-data/${d.name}/v${level + 1}/`,
        rowCount: 1000 + int(1_000_000),
        atMs: 0,
        actor,
        parents,
        sources: srcs,
        transform: level === 0 ? 'ingest' : 'clean',
      };
      row.atMs = event({
        type: 'DATASET_VERSION_REGISTERED',
        subjectId: row.id,
        afterObj: {
          dataset: row.dataset,
          version: row.version,
          hash,
          uri: row.uri,
          derivedFrom: parents,
          sources: level === 0 ? srcs.map((s) => sources.find((x) => x.id === s)!.uri) : [],
          transform: row.transform,
        },
      });
      dvGrid[di]!.push(row);
      rows.push(row);
    });
    dvByLevel.push(rows);
  }

  // ---- runs: each trains on a late version of one dataset and validates on another
  type RunRow = {
    id: string;
    name: string;
    experiment: string;
    codeRepo: string;
    codeCommit: string;
    environment: string;
    params: string;
    seeds: number[];
    atMs: number;
    actor: string;
    inputs: { id: string; role: string }[];
    fingerprint: string;
  };
  const runs: RunRow[] = Array.from({ length: p.runs }, (_, i) => {
    const train = dvGrid[int(datasets.length)]![DATASET_CHAIN - 1 - int(3)]!;
    const validation = dvGrid[int(datasets.length)]![DATASET_CHAIN - 1 - int(3)]!;
    const params = { lr: String((1 + int(9)) / 1000), epochs: String(1 + int(20)), batch: String(2 ** (4 + int(5))) };
    const seeds = [int(1000)];
    const codeCommit = hex(`commit-${i % 997}`).slice(0, 40);
    const row: RunRow = {
      id: randomUUID(),
      name: `run-${i}`,
      experiment: `exp-${i % 200}`,
      codeRepo: 'https://git.example/bench/train',
      codeCommit,
      environment: `sha256:${hex(`env-${i % 31}`)}`,
      params: JSON.stringify(params),
      seeds,
      atMs: 0,
      actor,
      inputs: [
        { id: train.id, role: 'train' },
        { id: validation.id, role: 'validation' },
      ],
      fingerprint: computeFingerprint({ codeCommit, datasetHashes: [train.hash, validation.hash], params, seeds }),
    };
    row.atMs = event({
      type: 'RUN_CREATED',
      subjectId: row.id,
      afterObj: {
        name: row.name,
        experiment: row.experiment,
        codeCommit,
        inputs: row.inputs.map((x) => ({ datasetVersionId: x.id, role: x.role })),
      },
    });
    event({
      type: 'RUN_FINISHED',
      subjectId: row.id,
      beforeObj: { status: 'RUNNING' },
      afterObj: { status: 'FINISHED', metrics: [] },
    });
    return row;
  });

  // ---- models, then versions by family position (position k fine-tunes position k-1)
  const n = p.versionsPerModel;
  const aliasTargets = { champion: n, staging: Math.max(1, n - 1), production: Math.max(1, n - 2) };
  const models = Array.from({ length: p.models }, (_, m) => {
    const team = `team-${m % TEAMS}`;
    const row = {
      id: randomUUID(),
      name: modelName(m),
      description: `synthetic model ${m}`,
      owner: team,
      atMs: 0,
      versionCounter: n,
      major: 1,
      minor: n - 1,
      patch: 0,
      tags: [{ key: 'team', value: team }],
    };
    row.atMs = event({
      type: 'MODEL_CREATED',
      modelName: row.name,
      subjectId: row.id,
      afterObj: { name: row.name, description: row.description, owner: row.owner, tags: row.tags },
    });
    return row;
  });
  type VRow = {
    id: string;
    modelName: string;
    version: number;
    semver: string;
    major: number;
    minor: number;
    patch: number;
    stage: string;
    everProduction: boolean;
    source: string;
    checksum: string;
    fingerprint: string;
    framework: string;
    atMs: number;
    actor: string;
    tags: { key: string; value: string }[];
    metrics: { key: string; value: number; segment: string | null }[];
    runId: string;
    baseVersionIds: string[];
    baseProviderIds: string[];
    teacherVersionIds: string[];
  };
  const versionIds: string[][] = models.map(() => []);
  const vByLevel: VRow[][] = Array.from({ length: FAMILY_SIZE }, () => []);
  const stageEvents: { modelName: string; version: number; id: string }[] = [];
  let g = 0;
  for (let m = 0; m < p.models; m++) {
    const family = Math.floor(m / FAMILY_SIZE);
    const pos = m % FAMILY_SIZE;
    for (let j = 1; j <= n; j++, g++) {
      const run = runs[Math.floor(g / 2) % runs.length]!;
      const id = randomUUID();
      const teacherVersionIds: string[] = [];
      if (pos >= 2 && rand() < 0.1) {
        // A teacher from another family at a lower position: always loaded earlier, never a cycle.
        const otherFamily = int(p.families);
        const tm = otherFamily * FAMILY_SIZE + int(pos);
        if (tm < m - pos && versionIds[tm]?.length) teacherVersionIds.push(pick(versionIds[tm]!));
      }
      const production = j === aliasTargets.production;
      const row: VRow = {
        id,
        modelName: modelName(m),
        version: j,
        semver: `1.${j - 1}.0`,
        major: 1,
        minor: j - 1,
        patch: 0,
        stage: production ? 'PRODUCTION' : 'DEVELOPMENT',
        everProduction: production,
        source: `s3://bench-artifacts/${modelName(m)}/${j}/model.bin`,
        checksum: `sha256:${hex(`${m}/${j}`)}`,
        fingerprint: run.fingerprint,
        framework: pick(['pytorch', 'sklearn', 'xgboost', 'onnx']),
        atMs: 0,
        actor,
        tags: [
          { key: 'team', value: models[m]!.owner },
          { key: 'task', value: `task-${int(TASKS)}` },
        ],
        metrics: [
          { key: 'accuracy', value: Math.round(rand() * 1e6) / 1e6, segment: null },
          { key: 'f1', value: Math.round(rand() * 1e6) / 1e6, segment: null },
        ],
        runId: run.id,
        baseVersionIds: pos > 0 ? [versionIds[m - 1]![j - 1]!] : [],
        baseProviderIds: pos === 0 ? [providers[family]!.id] : [],
        teacherVersionIds,
      };
      row.atMs = event({
        type: 'VERSION_CREATED',
        modelName: row.modelName,
        version: j,
        subjectId: id,
        afterObj: {
          version: j,
          semver: row.semver,
          source: row.source,
          checksum: row.checksum,
          stage: 'DEVELOPMENT',
          runId: run.id,
          fingerprint: run.fingerprint,
        },
      });
      if (production) stageEvents.push({ modelName: row.modelName, version: j, id });
      versionIds[m]!.push(id);
      vByLevel[pos]!.push(row);
    }
  }
  for (const s of stageEvents) {
    event({
      type: 'STAGE_CHANGED',
      modelName: s.modelName,
      version: s.version,
      subjectId: s.id,
      beforeObj: { stage: 'DEVELOPMENT' },
      afterObj: { stage: 'PRODUCTION' },
    });
  }

  // ---- aliases
  const aliases = models.flatMap((mr, m) =>
    (Object.entries(aliasTargets) as [string, number][]).map(([alias, version]) => {
      const versionId = versionIds[m]![version - 1]!;
      const atMs = event({
        type: 'ALIAS_SET',
        modelName: mr.name,
        alias,
        version,
        subjectId: versionId,
        afterObj: { version },
      });
      return { modelName: mr.name, alias, versionId, atMs };
    }),
  );

  // ---- predictions, logged in calls of 50 against (mostly) production versions
  const predictions: { id: string; versionId: string; deploymentId: string; atMs: number; inputRef: string }[] = [];
  for (let k = 0; k < p.predictions / PREDICTIONS_PER_LOG; k++) {
    const m = int(p.models);
    const version = rand() < 0.7 ? aliasTargets.production : 1 + int(n);
    const versionId = versionIds[m]![version - 1]!;
    const dep = deployments[m % deployments.length]!;
    const atMs = event({
      type: 'PREDICTIONS_LOGGED',
      modelName: modelName(m),
      version,
      subjectId: versionId,
      afterObj: { count: PREDICTIONS_PER_LOG, created: PREDICTIONS_PER_LOG, deployment: dep.name },
    });
    for (let q = 0; q < PREDICTIONS_PER_LOG; q++) {
      const idx = predictions.length;
      predictions.push({
        id: predictionId(idx),
        versionId,
        deploymentId: dep.id,
        atMs,
        inputRef: `s3://bench-inputs/${idx}.json`,
      });
    }
  }

  // ---- load
  const started = Date.now();
  const session = () => driver.session({ database: opts.database ?? 'neo4j', defaultAccessMode: neo4j.session.WRITE });
  const load = async (name: string, rows: readonly object[]) => {
    const text = benchCypher(name);
    const s = session();
    try {
      for (let i = 0; i < rows.length; i += batchSize) {
        const chunk = rows.slice(i, i + batchSize);
        await s.executeWrite((tx) => tx.run(text, { rows: chunk }));
      }
    } finally {
      await s.close();
    }
  };
  const ints = <T extends object>(rows: T[], keys: (keyof T)[]) =>
    rows.map((r) => {
      const o = { ...r } as Record<string, unknown>;
      for (const k of keys)
        if (typeof o[k as string] === 'number') o[k as string] = neo4j.int(o[k as string] as number);
      return o;
    });
  const step = async (what: string, f: () => Promise<void>) => {
    const t = Date.now();
    await f();
    log(`  ${what} (${Date.now() - t} ms)`);
  };
  await step(
    `${providers.length} provider models, ${deployments.length} deployments, ${sources.length} sources, ${datasets.length} datasets`,
    async () => {
      await load('load-provider-models', ints(providers, ['atMs']));
      await load('load-deployments', ints(deployments, ['atMs']));
      await load('load-sources', ints(sources, ['atMs']));
      await load('load-datasets', ints(datasets, ['atMs']));
    },
  );
  await step(`${p.datasetVersions} dataset versions in ${DATASET_CHAIN} chain levels`, async () => {
    for (const level of dvByLevel) await load('load-dataset-versions', ints(level, ['atMs', 'rowCount']));
  });
  await step(`${runs.length} runs`, async () => {
    await load(
      'load-runs',
      ints(runs, ['atMs']).map((r) => ({ ...r, seeds: (r.seeds as number[]).map((x) => neo4j.int(x)) })),
    );
  });
  await step(`${models.length} models`, () =>
    load('load-models', ints(models, ['atMs', 'versionCounter', 'major', 'minor', 'patch'])),
  );
  await step(`${p.versions} versions in ${FAMILY_SIZE} fine-tune levels`, async () => {
    for (const level of vByLevel)
      await load('load-versions', ints(level, ['atMs', 'version', 'major', 'minor', 'patch']));
  });
  await step(`${aliases.length} aliases`, () => load('load-aliases', ints(aliases, ['atMs'])));
  await step(`${predictions.length} predictions`, () => load('load-predictions', ints(predictions, ['atMs'])));
  await step(`${events.length} events`, () => load('load-events', ints(events, ['sequence', 'atMs', 'version'])));
  {
    const s = session();
    try {
      const last = events[events.length - 1]!;
      await s.executeWrite((tx) =>
        tx.run(benchCypher('set-counter'), { value: neo4j.int(last.sequence), lastAtMs: neo4j.int(last.atMs) }),
      );
    } finally {
      await s.close();
    }
  }
  const loadMs = Date.now() - started;
  const nodesByLabel = await countNodes(driver, opts.database);
  const totalNodes = await countAllNodes(driver, opts.database);

  const deepModels = models
    .map((_, m) => m)
    .filter((m) => m % FAMILY_SIZE === FAMILY_SIZE - 1 || m === models.length - 1);
  return {
    plan: p,
    events: events.length,
    nodesByLabel,
    totalNodes,
    loadMs,
    sample: {
      modelNames: models.map((m) => m.name),
      deepVersionIds: deepModels.flatMap((m) => versionIds[m]!),
      predictionIds: predictions.filter((_, i) => i % 7 === 0).map((x) => x.id),
      rootDatasetVersionIds: dvByLevel[0]!.map((x) => x.id),
      midDatasetVersionIds: dvByLevel[Math.floor(DATASET_CHAIN / 2)]!.map((x) => x.id),
      team: 'team-3',
    },
  };
}

async function readCounter(driver: Driver, database = 'neo4j'): Promise<{ value: number; lastAtMs: number }> {
  const s = driver.session({ database, defaultAccessMode: neo4j.session.READ });
  try {
    const res = await s.executeRead((tx) => tx.run(benchCypher('read-counter')));
    const r = res.records[0];
    if (!r) throw new Error('the event Counter is missing: run the migrations first');
    return { value: Number(r.get('value')), lastAtMs: Number(r.get('lastAtMs')) };
  } finally {
    await s.close();
  }
}

export async function countNodes(driver: Driver, database = 'neo4j'): Promise<Record<string, number>> {
  const s = driver.session({ database, defaultAccessMode: neo4j.session.READ });
  try {
    const res = await s.executeRead((tx) => tx.run(benchCypher('count-nodes')));
    return Object.fromEntries(res.records.map((r) => [r.get('label') as string, Number(r.get('n'))]));
  } finally {
    await s.close();
  }
}

async function countAllNodes(driver: Driver, database = 'neo4j'): Promise<number> {
  const s = driver.session({ database, defaultAccessMode: neo4j.session.READ });
  try {
    const res = await s.executeRead((tx) => tx.run(benchCypher('count-all-nodes')));
    return Number(res.records[0]!.get('n'));
  } finally {
    await s.close();
  }
}

// ---- CLI
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (name: string, def?: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : def;
  };
  const uri = arg('uri');
  if (!uri) {
    console.error(
      'usage: [NEO4J_USER=… NEO4J_PASSWORD=…] tsx bench/generate.ts --uri bolt://HOST:PORT [--nodes N] [--seed S] (database empty and migrated)',
    );
    process.exit(2);
  }
  const { user, password } = loadConfig().neo4j;
  const driver = neo4j.driver(uri, neo4j.auth.basic(user, password));
  generate(driver, { nodes: Number(arg('nodes', '100000')), seed: Number(arg('seed', '1')), log: console.log })
    .then((r) =>
      console.log(
        JSON.stringify(
          { plan: r.plan, totalNodes: r.totalNodes, events: r.events, loadMs: r.loadMs, nodesByLabel: r.nodesByLabel },
          null,
          2,
        ),
      ),
    )
    .finally(() => driver.close());
}
