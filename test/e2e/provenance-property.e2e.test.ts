import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gqlOk, uniq } from '../support/graphql.js';
import { createModelVersionNode } from '../support/provenance-fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';

/** A random DAG: datasets derive from earlier datasets; each model's run uses some datasets; models depend on earlier models. */
const dagArb = fc
  .record({ datasets: fc.integer({ min: 1, max: 5 }), models: fc.integer({ min: 1, max: 5 }) })
  .chain(({ datasets, models }) =>
    fc.record({
      parents: fc.tuple(...Array.from({ length: datasets }, (_, i) => fc.subarray(Array.from({ length: i }, (_, j) => j)))),
      uses: fc.tuple(...Array.from({ length: models }, () => fc.subarray(Array.from({ length: datasets }, (_, j) => j)))),
      modelParents: fc.tuple(
        ...Array.from({ length: models }, (_, i) =>
          fc.subarray(Array.from({ length: i }, (_, j) => j)).chain((ps) =>
            fc.tuple(...ps.map((p) => fc.constantFrom('FINE_TUNED_FROM', 'DISTILLED_FROM', 'MERGED_FROM').map((r) => [p, r] as const))),
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

  it('lineage UPSTREAM = ancestors, datasetImpact = model descendants', async () => {
    await fc.assert(
      fc.asyncProperty(dagArb, async ({ parents, uses, modelParents }) => {
        const edges: [string, string, string][] = []; // from (dependent) → to
        const dv: string[] = [];
        for (const ps of parents) {
          const id = (
            await gqlOk(t.url, `mutation($i: RegisterDatasetVersionInput!) { registerDatasetVersion(input: $i) { id } }`, {
              i: { dataset: uniq('pd'), version: '1', derivedFrom: ps.map((p) => dv[p]) },
            })
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
          const id = await createModelVersionNode({ modelName, version: i + 1, runId });
          edges.push([id, runId, 'PRODUCED_BY']);
          for (const [p, relation] of modelParents[i]!) {
            await gqlOk(t.url, `mutation($i: AddModelRelationInput!) { addModelRelation(input: $i) { created } }`, {
              i: { modelVersion: { modelName, version: i + 1 }, relation, parent: { modelName, version: p + 1 } },
            });
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
          const { lineage } = await gqlOk(t.url, `query($id: ID!) { lineage(id: $id, direction: UPSTREAM, depth: 20) { nodes { id } edges { from to relation } truncated } }`, { id: root });
          const expected = reach(root, true);
          expect(new Set(lineage.nodes.map((n: { id: string }) => n.id))).toEqual(expected);
          const members = new Set([root, ...expected]);
          const expectedEdges = edges.filter(([a, b]) => members.has(a) && members.has(b)).map(([a, b, r]) => `${a}>${r}>${b}`);
          expect(lineage.edges.map((e: { from: string; to: string; relation: string }) => `${e.from}>${e.relation}>${e.to}`).sort()).toEqual(expectedEdges.sort());
        }
        for (const d of dv) {
          const { datasetImpact } = await gqlOk(t.url, `query($id: ID!) { datasetImpact(datasetVersionId: $id) { modelVersions { id } } }`, { id: d });
          const expected = new Set([...reach(d, false)].filter((x) => mv.includes(x)));
          expect(new Set(datasetImpact.modelVersions.map((v: { id: string }) => v.id))).toEqual(expected);
        }
      }),
      { numRuns: 12 },
    );
  });
});
