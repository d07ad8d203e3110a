/**
 * Probe (issue 21): the grouped lineage explorer's query (`lineage` with
 * `grouping`, what the dashboard's lineage page asks first) before and after
 * counting each level in Cypher, in one run on one database. Builds a
 * version with 20,000 predictions (trained by a run on a dataset, so BOTH
 * has an upstream too) and a dataset feeding 1,600 versions (1,600 runs, 40
 * models, 5 predictions per version), then asks each question through
 * the lineage service's `lineage` in two variants, alternated (and their order
 * swapped) run by run so both see the same machine: `before` is the code at
 * --before (src/ and cypher/ read from git into .cache/, imported from
 * there), `after` is this tree. Checks that both answer exactly the same,
 * and prints per question and variant the median and p99 of the runs after
 * a warm-up (with fewer than 100 runs p99 is the slowest run), the level
 * statements of one more run (at debug level, untimed otherwise) with their
 * times, and the machine's load average, one JSON line each.
 *   npx tsx bench/probes/grouped-lineage.ts [--runs 21] [--before 5d7299e] [--predictions 20000] [--fed 1600]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { pino } from 'pino';
import { startBenchDb } from '../db.js';
import { cypherTimes } from './cypher-times.js';
import { loadConfig } from '../../src/config.js';
import { Executor } from '../../src/graph/executor.js';
import { createServices } from '../../src/services.js';
import { parseGrouping } from '../../src/provenance/lineage-groups.js';
import type { LineageDirection } from '../../src/provenance/lineage.js';
import type { LineageService } from '../../src/provenance/lineage.service.js';

const arg = (name: string, def: string) =>
  process.argv.includes(`--${name}`) ? process.argv[process.argv.indexOf(`--${name}`) + 1]! : def;
const runs = Number(arg('runs', '21'));
const before = arg('before', '5d7299e');
const predictions = Number(arg('predictions', '20000'));
const fed = Number(arg('fed', '1600'));
const PER_MODEL = 40;
const PER_VERSION = 5;

// The code before, as it was: its own src/ and cypher/ (the statement loader finds cypher/ beside src/).
const beforeDir = resolve('.cache', `lineage-before-${before}`);
if (!existsSync(join(beforeDir, 'src'))) {
  mkdirSync(beforeDir, { recursive: true });
  execFileSync('tar', ['-x', '-C', beforeDir], {
    input: execFileSync('git', ['archive', '--format=tar', before, 'src', 'cypher'], { maxBuffer: 1 << 28 }),
  });
}
const from = (path: string) => pathToFileURL(join(beforeDir, path)).href;
const old = {
  ...((await import(from('src/services.ts'))) as typeof import('../../src/services.js')),
  ...((await import(from('src/graph/executor.ts'))) as typeof import('../../src/graph/executor.js')),
  ...((await import(
    from('src/provenance/lineage-groups.ts')
  )) as typeof import('../../src/provenance/lineage-groups.js')),
};

const db = await startBenchDb({ heapMb: 1024, pagecacheMb: 256 });
const config = loadConfig({ ...db.env, LOG_LEVEL: 'silent' });
const actor = { name: 'probe', role: 'ADMIN' as const };
// Each executor's log is silent while timing (at debug it would serialise every statement's parameters,
// 20,000 element ids among them before); one more run at debug level counts the statements and times them.
const timed = { before: cypherTimes(), after: cypherTimes() };
const logs = {
  before: pino({ level: 'silent' }, timed.before.sink),
  after: pino({ level: 'silent' }, timed.after.sink),
};
const oldSvc = old.createServices(new old.Executor(db.driver, 'neo4j', logs.before), config, pino({ level: 'silent' }));
const svc = createServices(new Executor(db.driver, 'neo4j', logs.after), config, pino({ level: 'silent' }));
const variants = {
  // Code from before provenance was split by aggregate had one ProvenanceService, whose `lineage` is the same method.
  before: { lineage: oldSvc.provenance as unknown as LineageService, parse: old.parseGrouping },
  after: { lineage: svc.provenance.lineage, parse: parseGrouping },
};
const { provenance, registry } = svc;
const checksum = `sha256:${'a'.repeat(64)}`;

try {
  // A version with 20,000 predictions, its run trained on a dataset.
  const t0 = performance.now();
  const train = await provenance.datasets.registerDatasetVersion(actor, {
    dataset: 'probe-train',
    version: '1',
    hash: 'sha256:train',
    uri: 's3://probe/train',
  });
  const run = await provenance.runs.createRun(actor, {
    name: 'probe-train',
    inputs: [{ datasetVersionId: train.id, role: 'train' }],
  });
  await registry.models.createModel(actor, { name: 'probe-wide' });
  const wide = await registry.versions.createVersion(actor, {
    modelName: 'probe-wide',
    source: 's3://probe/wide',
    checksum,
    runId: run.id,
  });
  for (let i = 0; i < predictions; i += 10_000) {
    const batch = Array.from({ length: Math.min(10_000, predictions - i) }, (_, j) => ({
      id: `probe-p-${String(i + j).padStart(6, '0')}`,
    }));
    await provenance.predictions.logPredictions(actor, {
      model: { modelName: 'probe-wide', version: wide.version },
      deployment: 'probe-endpoint',
      predictions: batch,
    });
  }
  // A dataset feeding 1,600 versions: one run each, 40 versions per model, 5 predictions per version.
  const feed = await provenance.datasets.registerDatasetVersion(actor, {
    dataset: 'probe-feed',
    version: '1',
    hash: 'sha256:feed',
    uri: 's3://probe/feed',
  });
  for (let m = 0; m * PER_MODEL < fed; m++) {
    const model = `probe-fed-${m}`;
    await registry.models.createModel(actor, { name: model });
    const runs: string[] = [];
    for (let k = 0; k < Math.min(PER_MODEL, fed - m * PER_MODEL); k++)
      runs.push(
        (
          await provenance.runs.createRun(actor, {
            name: `${model}-${k}`,
            inputs: [{ datasetVersionId: feed.id, role: 'train' }],
          })
        ).id,
      );
    const versions = await registry.versions.createVersions(
      actor,
      runs.map((runId) => ({ modelName: model, source: `s3://probe/${model}`, checksum, runId })),
    );
    for (const v of versions) {
      const batch = Array.from({ length: PER_VERSION }, (_, j) => ({ id: `probe-fp-${v.id}-${j}` }));
      await provenance.predictions.logPredictions(actor, {
        model: { modelName: model, version: v.version },
        deployment: 'probe-fed-endpoint',
        predictions: batch,
      });
    }
  }
  console.log(
    JSON.stringify({
      built: { predictions, fed, predictionsPerFedVersion: PER_VERSION },
      seconds: Math.round((performance.now() - t0) / 1000),
    }),
  );

  type Question = {
    name: string;
    id: string;
    direction: LineageDirection;
    expand?: (groups: { id: string; kind: string }[]) => { group: string; show: number }[];
  };
  const open25 = (kind: string) => (groups: { id: string; kind: string }[]) => [
    { group: groups.find((g) => g.kind === kind)!.id, show: 25 },
  ];
  const questions: Question[] = [
    { name: '20,000 predictions: first paint (DOWNSTREAM)', id: wide.id, direction: 'DOWNSTREAM' },
    { name: '20,000 predictions: 25 opened', id: wide.id, direction: 'DOWNSTREAM', expand: open25('Prediction') },
    { name: '20,000 predictions: BOTH', id: wide.id, direction: 'BOTH' },
    { name: '1,600 versions: first paint (DOWNSTREAM)', id: feed.id, direction: 'DOWNSTREAM' },
    { name: '1,600 versions: 25 runs opened', id: feed.id, direction: 'DOWNSTREAM', expand: open25('Run') },
  ];
  const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.max(0, Math.ceil(p * xs.length) - 1)]!;
  for (const question of questions) {
    const first = await provenance.lineage.lineage(
      question.id,
      question.direction,
      5,
      null,
      parseGrouping({ above: 8 }),
    );
    const grouping = { above: 8, expand: question.expand?.(first.groups) ?? [] };
    const ask = (v: keyof typeof variants) =>
      variants[v].lineage.lineage(question.id, question.direction, 5, null, variants[v].parse(grouping));
    const load = [loadavg()[0]!];
    const ms: Record<keyof typeof variants, number[]> = { before: [], after: [] };
    let same = true;
    let answer: Awaited<ReturnType<typeof ask>> | null = null;
    for (let r = 0; r <= runs; r++) {
      const order = r % 2 ? (['after', 'before'] as const) : (['before', 'after'] as const);
      const got: Partial<Record<keyof typeof variants, unknown>> = {};
      for (const v of order) {
        const t = performance.now();
        got[v] = await ask(v);
        if (r > 0) ms[v].push(performance.now() - t); // the first run warms the plan cache
      }
      same &&= isDeepStrictEqual(got.before, got.after);
      answer = got.after as typeof answer;
    }
    load.push(loadavg()[0]!);
    for (const v of ['before', 'after'] as const) {
      timed[v].times.clear();
      logs[v].level = 'debug';
      await ask(v);
      logs[v].level = 'silent';
    }
    const level = (v: keyof typeof variants) => timed[v].times.get('provenance/lineage-level') ?? [];
    for (const v of ['before', 'after'] as const) {
      console.log(
        JSON.stringify({
          question: question.name,
          variant: v,
          runs,
          medianMs: Math.round(q(ms[v], 0.5)),
          p99Ms: Math.round(q(ms[v], 0.99)),
          minMs: Math.round(q(ms[v], 0)),
          levelStatementsMs: level(v).map(Math.round),
          sameAnswer: same,
          answer: {
            nodes: answer!.nodes.length,
            groups: answer!.groups.map((g) => `${g.kind} x${g.count}`),
            truncated: answer!.truncated,
          },
          load1m: load.map((x) => +x.toFixed(1)),
        }),
      );
    }
  }
} finally {
  await db.stop();
}
