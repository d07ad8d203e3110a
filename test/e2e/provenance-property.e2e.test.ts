import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gqlOk, uniq } from '../support/graphql.js';
import { registerVersion, type ModelVersionRef } from '../support/provenance-fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * A random DAG: datasets derive from earlier datasets; each model's run uses some datasets; models depend on earlier
 * models.
 */
const dagArb = fc
  .record({ datasets: fc.integer({ min: 1, max: 5 }), models: fc.integer({ min: 1, max: 5 }) })
  .chain(({ datasets, models }) =>
    fc.record({
      parents: fc.tuple(
        ...Array.from({ length: datasets }, (_, i) => fc.subarray(Array.from({ length: i }, (_, j) => j))),
      ),
      uses: fc.tuple(
        ...Array.from({ length: models }, () => fc.subarray(Array.from({ length: datasets }, (_, j) => j))),
      ),
      modelParents: fc.tuple(
        ...Array.from({ length: models }, (_, i) =>
          fc
            .subarray(Array.from({ length: i }, (_, j) => j))
            .chain((ps) =>
              fc.tuple(
                ...ps.map((p) =>
                  fc.constantFrom('FINE_TUNED_FROM', 'DISTILLED_FROM', 'MERGED_FROM').map((r) => [p, r] as const),
                ),
              ),
            ),
        ),
      ),
    }),
  );

describe('provenance: lineage and impact equal brute force on random DAGs', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lineage UPSTREAM = ancestors, tracePrediction = upstream data and model ancestors, datasetImpact = model descendants', async () => {
    await fc.assert(
      fc.asyncProperty(dagArb, async ({ parents, uses, modelParents }) => {
        const edges: [string, string, string][] = []; // from (dependent) → to
        const dv: string[] = [];
        for (const ps of parents) {
          const id = (
            await gqlOk(
              t.url,
              `mutation($i: RegisterDatasetVersionInput!) { registerDatasetVersion(input: $i) { id } }`,
              {
                i: { dataset: uniq('pd'), version: '1', derivedFrom: ps.map((p) => dv[p]) },
              },
            )
          ).registerDatasetVersion.id as string;
          for (const p of ps) edges.push([id, dv[p]!, 'DERIVED_FROM']);
          dv.push(id);
        }
        const mv: string[] = [];
        const modelName = uniq('pm');
        for (const [i, used] of uses.entries()) {
          const runId = (
            await gqlOk(t.url, `mutation($i: CreateRunInput!) { createRun(input: $i) { id } }`, {
              i: { inputs: used.map((u) => ({ datasetVersionId: dv[u], role: 'train' })) },
            })
          ).createRun.id as string;
          for (const u of used) edges.push([runId, dv[u]!, 'USED']);
          // Model edges the registry writes at creation: the first fine-tune parent is
          // the base model, distillation parents are teachers; the rest (merges, a
          // second fine-tune parent) are added afterwards with addModelRelation.
          const parents = modelParents[i]!;
          const baseIdx = parents.findIndex(([, r]) => r === 'FINE_TUNED_FROM');
          const ref = (p: number): ModelVersionRef => ({ modelName, version: p + 1 });
          const created = await registerVersion(t.url, modelName, {
            createModel: i === 0,
            runId,
            ...(baseIdx >= 0 ? { baseModel: ref(parents[baseIdx]![0]) } : {}),
            teachers: parents.filter(([, r]) => r === 'DISTILLED_FROM').map(([p]) => ref(p)),
          });
          expect(created.version).toBe(i + 1);
          const id = created.id;
          edges.push([id, runId, 'PRODUCED_BY']);
          for (const [k, [p, relation]] of parents.entries()) {
            if (k !== baseIdx && relation !== 'DISTILLED_FROM') {
              await gqlOk(t.url, `mutation($i: AddModelRelationInput!) { addModelRelation(input: $i) { created } }`, {
                i: { modelVersion: ref(i), relation, parent: ref(p) },
              });
            }
            edges.push([id, mv[p]!, relation]);
          }
          mv.push(id);
        }
        const reach = (start: string, forward: boolean) => {
          const seen = new Set<string>();
          const stack = [start];
          while (stack.length) {
            const x = stack.pop()!;
            for (const [a, b] of edges) {
              const [from, to] = forward ? [a, b] : [b, a];
              if (from === x && !seen.has(to)) {
                seen.add(to);
                stack.push(to);
              }
            }
          }
          return seen;
        };
        for (const root of [...mv, ...dv]) {
          const { lineage } = await gqlOk(
            t.url,
            `query($id: ID!) { lineage(id: $id, direction: UPSTREAM, depth: 20) { nodes { id } edges { from to relation } truncated } }`,
            { id: root },
          );
          const expected = reach(root, true);
          expect(new Set(lineage.nodes.map((n: { id: string }) => n.id))).toEqual(expected);
          const members = new Set([root, ...expected]);
          const expectedEdges = edges
            .filter(([a, b]) => members.has(a) && members.has(b))
            .map(([a, b, r]) => `${a}>${r}>${b}`);
          expect(
            lineage.edges
              .map((e: { from: string; to: string; relation: string }) => `${e.from}>${e.relation}>${e.to}`)
              .sort(),
          ).toEqual(expectedEdges.sort());
        }
        // tracePrediction: a prediction of each version reaches exactly the dataset versions
        // upstream of it (its own run's and its model ancestors'), each attributed to the
        // nearest model whose run reaches it; its ancestors are exactly its model ancestors.
        const MODEL = new Set(['FINE_TUNED_FROM', 'DISTILLED_FROM', 'MERGED_FROM']);
        const runOf = new Map(edges.filter(([, , r]) => r === 'PRODUCED_BY').map(([m, r]) => [m, r]));
        for (const v of mv) {
          const pred = uniq('pp');
          await gqlOk(t.url, `mutation($i: LogPredictionsInput!) { logPredictions(input: $i) { count } }`, {
            i: { model: { modelName, version: mv.indexOf(v) + 1 }, predictions: [{ id: pred }] },
          });
          const { tracePrediction: tr } = await gqlOk(
            t.url,
            `query($id: String!) { tracePrediction(id: $id) { datasets { id modelDepth depth } ancestors { id depth } } }`,
            { id: pred },
          );
          // model distances from v over model edges (BFS), and the datasets each model's run reaches
          const dist = new Map<string, number>([[v, 0]]);
          for (let frontier = [v], d = 1; frontier.length; d++) {
            const next: string[] = [];
            for (const [a, b, r] of edges) {
              if (MODEL.has(r) && frontier.includes(a) && !dist.has(b)) {
                dist.set(b, d);
                next.push(b);
              }
            }
            frontier = next;
          }
          const expectedDepth = new Map<string, number>();
          for (const [m, dm] of dist) {
            for (const x of reach(runOf.get(m)!, true)) {
              if (dv.includes(x) && (expectedDepth.get(x) ?? Infinity) > dm) expectedDepth.set(x, dm);
            }
          }
          expect(new Map(tr.datasets.map((x: { id: string; modelDepth: number }) => [x.id, x.modelDepth]))).toEqual(
            expectedDepth,
          );
          expect(tr.datasets).toHaveLength(expectedDepth.size);
          const keys = tr.datasets.map((x: { modelDepth: number; depth: number }) => x.modelDepth * 100 + x.depth);
          expect(keys).toEqual([...keys].sort((a: number, b: number) => a - b));
          expect(new Map(tr.ancestors.map((a: { id: string; depth: number }) => [a.id, a.depth]))).toEqual(
            new Map([...dist].filter(([m]) => m !== v)),
          );
          expect(new Set(tr.datasets.map((x: { id: string }) => x.id))).toEqual(
            new Set([...reach(v, true)].filter((x) => dv.includes(x))),
          );
        }
        for (const d of dv) {
          const { datasetImpact } = await gqlOk(
            t.url,
            `query($id: ID!) { datasetImpact(datasetVersionId: $id) { modelVersions { id } } }`,
            { id: d },
          );
          const expected = new Set([...reach(d, false)].filter((x) => mv.includes(x)));
          expect(new Set(datasetImpact.modelVersions.map((v: { id: string }) => v.id))).toEqual(expected);
        }
      }),
      { numRuns: 12 },
    );
    // a dozen graphs, each built through the real mutations (~40 requests apiece) on a shared two-core machine
  }, 300_000);
});
