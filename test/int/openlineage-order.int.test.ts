import { testDriver } from '../support/neo4j.js';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { Driver } from 'neo4j-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniq } from '../support/graphql.js';
import { facet, runEvent, type DatasetSpec } from '../support/openlineage.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * At-least-once, out-of-order delivery: for random pipelines (runs reading
 * and writing datasets, versioned or not, a parent DAG run, column lineage,
 * facets changing from event to event, runs that fail), delivering the
 * events in a random order with random repetitions leaves exactly the graph
 * one in-order delivery leaves. The two deliveries use the same run ids and
 * names, so the whole OpenLineage part of the graph is compared (ids and
 * creation times that Pedigree generates aside); the first is removed before
 * the second.
 */

interface RunPlan {
  reads: { dataset: number; versioned: boolean }[];
  writes: { dataset: number; versioned: boolean }[];
  fails: boolean;
  running: boolean;
  child: boolean;
  columnLineage: boolean;
  startOffset: number;
}

const runPlan = (i: number) =>
  fc.record({
    reads: fc.uniqueArray(fc.record({ dataset: fc.integer({ min: 0, max: 4 }), versioned: fc.boolean() }), {
      selector: (r) => r.dataset,
      maxLength: 3,
    }),
    writes: fc.uniqueArray(fc.record({ dataset: fc.integer({ min: 1, max: 4 }), versioned: fc.boolean() }), {
      selector: (r) => r.dataset,
      minLength: 1,
      maxLength: 2,
    }),
    fails: fc.integer({ min: 0, max: 4 }).map((x) => x === 0),
    running: fc.boolean(),
    child: fc.boolean(),
    columnLineage: fc.boolean(),
    // Runs overlap in time in any way: a consumer may end before or after a producer of what it reads.
    startOffset: fc.integer({ min: 0, max: 40 }).map((m) => m * 60_000 + i),
  });

const pipeline = fc
  .integer({ min: 2, max: 4 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => runPlan(i))));

function events(plans: RunPlan[], p: { ns: string; jobs: string; runIds: string[]; dag: string; dagReports: boolean }) {
  const base = Date.parse('2025-01-01T00:00:00Z');
  const at = (ms: number) => new Date(base + ms).toISOString();
  const ds = (d: number, version?: string): DatasetSpec => ({
    namespace: p.ns,
    name: `d${d}`,
    ...(version !== undefined ? { version } : {}),
  });
  // A versioned read names the version the run that writes that dataset (the first such run) records.
  const writerVersion = (d: number) => {
    const w = plans.findIndex((r) => r.writes.some((x) => x.dataset === d));
    if (w < 0) return `ext-${d}`;
    const out = plans[w]!.writes.find((x) => x.dataset === d)!;
    return out.versioned ? `v${w}` : p.runIds[w]!;
  };
  const out: Record<string, unknown>[] = [];
  if (p.dagReports) {
    out.push(
      runEvent({ runId: p.dag, job: { namespace: p.jobs, name: 'dag' }, eventType: 'START', eventTime: at(-1) }),
    );
    out.push(
      runEvent({
        runId: p.dag,
        job: { namespace: p.jobs, name: 'dag' },
        eventType: 'COMPLETE',
        eventTime: at(5 * 3_600_000),
      }),
    );
  }
  plans.forEach((r, i) => {
    const job = {
      namespace: p.jobs,
      name: `job${i}`,
      facets: { sourceCodeLocation: facet({ type: 'git', url: `https://git.example.com/r/${i}`, version: `c${i}` }) },
    };
    const inputs = r.reads.map((x) => (x.versioned ? ds(x.dataset, writerVersion(x.dataset)) : ds(x.dataset)));
    const outputs = r.writes.map((x) => {
      const spec = ds(x.dataset, x.versioned ? `v${i}` : undefined);
      if (r.columnLineage && r.reads.length) {
        spec.facets = {
          columnLineage: facet({
            fields: {
              c: {
                inputFields: [
                  { namespace: p.ns, name: `d${r.reads[0]!.dataset}`, field: 'c' },
                  { namespace: p.ns, name: 'seed', field: 's' },
                ],
              },
            },
          }),
        };
      }
      return spec;
    });
    const runFacets = (k: number) => ({
      progress: facet({ step: k }),
      ...(r.child ? { parent: facet({ run: { runId: p.dag }, job: { namespace: p.jobs, name: 'dag' } }) } : {}),
    });
    const start = r.startOffset;
    out.push(
      runEvent({ runId: p.runIds[i]!, job, eventType: 'START', eventTime: at(start), inputs, runFacets: runFacets(0) }),
    );
    if (r.running)
      out.push(
        runEvent({
          runId: p.runIds[i]!,
          job,
          eventType: 'RUNNING',
          eventTime: at(start + 1000),
          inputs: inputs.slice(0, 1),
          runFacets: runFacets(1),
        }),
      );
    out.push(
      runEvent({
        runId: p.runIds[i]!,
        job,
        eventType: r.fails ? 'FAIL' : 'COMPLETE',
        eventTime: at(start + 300_000),
        inputs,
        outputs,
        runFacets: {
          ...runFacets(2),
          ...(r.fails ? { errorMessage: facet({ message: `boom ${i}`, programmingLanguage: 'PYTHON' }) } : {}),
        },
      }),
    );
  });
  return out.sort((a, b) => String(a.eventTime).localeCompare(String(b.eventTime)));
}

describe('OpenLineage: out-of-order and repeated delivery (property)', () => {
  let t: TestServer;
  let driver: Driver;
  beforeAll(async () => {
    t = await startTestServer();
    driver = testDriver();
  });
  afterAll(async () => {
    await driver?.close();
    await t?.close();
  });

  /** The OpenLineage-made part of the graph for one namespace pair, without generated ids and creation times. */
  async function snapshot(ns: string, jobs: string): Promise<string> {
    const session = driver.session();
    const omit = new Set(['id', 'createdAt', 'olRev', 'updatedAt']);
    const props = (o: Record<string, unknown>) =>
      Object.keys(o)
        .filter((k) => !omit.has(k))
        .sort()
        .map((k) => [k, String(o[k])]);
    try {
      const r = await session.run(
        `MATCH (n) WHERE (n:Run AND n.jobNamespace = $jobs) OR (n:Job AND n.namespace = $jobs)
            OR (n:DatasetVersion AND n.datasetName STARTS WITH $ns) OR (n:Dataset AND n.name STARTS WITH $ns) OR (n:DataSource AND n.uri STARTS WITH $ns)
         WITH n, CASE WHEN n:Run THEN 'run:' + n.id WHEN n:Job THEN 'job:' + n.name WHEN n:DatasetVersion THEN 'dv:' + n.datasetName + '@' + n.version
                      WHEN n:Dataset THEN 'dataset:' + n.name ELSE 'source:' + n.uri END AS key
         OPTIONAL MATCH (n)-[e]->(m)
         WITH n, key, e, m, CASE WHEN m IS NULL THEN null WHEN m:Run THEN 'run:' + m.id WHEN m:Job THEN 'job:' + m.name WHEN m:DatasetVersion THEN 'dv:' + m.datasetName + '@' + m.version
                      WHEN m:Dataset THEN 'dataset:' + m.name ELSE 'source:' + m.uri END AS to
         RETURN key, labels(n) AS labels, properties(n) AS props, collect(CASE WHEN e IS NULL THEN null ELSE [type(e), to, properties(e)] END) AS edges`,
        { ns, jobs },
      );
      const rows = r.records.map((rec) => ({
        key: rec.get('key') as string,
        labels: rec.get('labels') as string[],
        props: props(rec.get('props')),
        edges: (rec.get('edges') as [string, string, Record<string, unknown>][])
          .map(([type, to, p]) => JSON.stringify([type, to, props(p)]))
          .sort(),
      }));
      return JSON.stringify(
        rows.sort((a, b) => (a.key < b.key ? -1 : 1)),
        null,
        1,
      );
    } finally {
      await session.close();
    }
  }

  async function remove(ns: string, jobs: string): Promise<void> {
    const session = driver.session();
    try {
      await session.run(
        `MATCH (n) WHERE (n:Run AND n.jobNamespace = $jobs) OR (n:Job AND n.namespace = $jobs)
            OR (n:DatasetVersion AND n.datasetName STARTS WITH $ns) OR (n:Dataset AND n.name STARTS WITH $ns) OR (n:DataSource AND n.uri STARTS WITH $ns)
         DETACH DELETE n`,
        { ns, jobs },
      );
    } finally {
      await session.close();
    }
  }

  it('delivers random pipelines in order, then shuffled with repeats: the same graph', async () => {
    const actor = { name: 'pipeline' };
    await fc.assert(
      fc.asyncProperty(
        pipeline,
        fc.boolean(),
        fc.infiniteStream(fc.integer({ min: 0, max: 1_000_000 })),
        async (plans, dagReports, randomness) => {
          const prefix = uniq('ord');
          const p = {
            ns: `s3://${prefix}`,
            jobs: `${prefix}-jobs`,
            runIds: plans.map(() => randomUUID()),
            dag: randomUUID(),
            dagReports,
          };
          const inOrder = events(plans, p);
          // The reference: one in-order delivery (as one batch: the same rules, applied event by event).
          await t.app.services.openLineage.ingestBatch(actor, inOrder);
          const expected = await snapshot(p.ns, p.jobs);
          await remove(p.ns, p.jobs);

          const rnd = randomness[Symbol.iterator]();
          const next = () => rnd.next().value as number;
          const shuffled = [...inOrder, ...inOrder.filter(() => next() % 3 === 0)]
            .map((e) => ({ e, k: next() }))
            .sort((a, b) => a.k - b.k)
            .map((x) => x.e);
          for (const e of shuffled) await t.app.services.openLineage.ingest(actor, e);
          const actual = await snapshot(p.ns, p.jobs);
          await remove(p.ns, p.jobs);
          expect(actual).toEqual(expected);
        },
      ),
      { numRuns: 12 },
    );
  }, 600_000);
});
