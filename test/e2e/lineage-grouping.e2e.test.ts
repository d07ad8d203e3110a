import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractOp } from '../support/contract.js';
import { createModel, createVersion } from '../support/fixtures.js';
import { gqlOk, sha, uniq } from '../support/graphql.js';
import { startTestServer, type TestServer } from '../support/server.js';

// The grouped lineage explorer counts each level in the database and gets ids
// only for what it shows: these tests pin what it answers where that is easy
// to get wrong — a node reachable by two paths (counted once, at its nearest
// distance, under the smaller parent), a group over the threshold whose
// members are reached again deeper down, and, on random graphs, that opening
// every group gives back exactly the ungrouped lineage.

const LINEAGE = `query($id: ID!, $direction: LineageDirection!, $depth: Int, $grouping: LineageGroupingInput) {
  lineage(id: $id, direction: $direction, depth: $depth, grouping: $grouping) {
    nodes { id kind depth }
    edges { from to relation }
    groups { id kind relation count shown depth attachedTo upstream }
    truncated
  }
}`;

interface Answer {
  nodes: { id: string; kind: string; depth: number }[];
  edges: { from: string; to: string; relation: string }[];
  groups: {
    id: string;
    kind: string;
    relation: string;
    count: number;
    shown: number;
    depth: number;
    attachedTo: string;
    upstream: boolean;
  }[];
  truncated: boolean;
}

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t?.close();
});

const lineage = async (
  id: string,
  direction: string,
  grouping: { above: number; expand?: Map<string, number> } | null,
  depth = 20,
): Promise<Answer> =>
  (
    await gqlOk(t.url, LINEAGE, {
      id,
      direction,
      depth,
      grouping: grouping && {
        above: grouping.above,
        expand: [...(grouping.expand ?? new Map<string, number>())].map(([group, show]) => ({ group, show })),
      },
    })
  ).lineage;
const dataset = async (o: { derivedFrom?: string[]; sources?: string[] } = {}): Promise<string> =>
  (
    await gqlOk(t.url, contractOp('RegisterDatasetVersion'), {
      input: { dataset: uniq('ds'), version: '1', hash: sha('d'), ...o },
    })
  ).registerDatasetVersion.id;
const run = async (inputs: string[]): Promise<string> =>
  (
    await gqlOk(t.url, contractOp('CreateRun'), {
      input: { name: uniq('run'), inputs: inputs.map((datasetVersionId) => ({ datasetVersionId, role: 'train' })) },
    })
  ).createRun.id;
const byId = <T extends { id: string }>(xs: readonly T[]): T[] => [...xs].sort((a, b) => (a.id < b.id ? -1 : 1));
const edgeSet = (a: Answer) => new Set(a.edges.map((e) => `${e.from}>${e.relation}>${e.to}`));
const depths = (a: Answer) => new Map(a.nodes.map((n) => [n.id, n.depth]));

describe('grouped lineage: counts and diamonds', () => {
  it('counts a node reachable by two paths once, at its nearest distance, also when it is hidden in a group over the threshold', async () => {
    // V is trained by R on 11 datasets (a group over 8) and fine-tuned from B, whose run R2 used one of those 11
    // (shared: two levels from V through R, three through B) and one of its own.
    const shared = await dataset();
    const others = await Promise.all(Array.from({ length: 10 }, () => dataset()));
    const own = await dataset();
    const r = await run([shared, ...others]);
    const r2 = await run([shared, own]);
    const model = await createModel(t.url, uniq('diamond'));
    const b = (await createVersion(t.url, model, { runId: r2 })).id;
    const v = (await createVersion(t.url, model, { runId: r, baseModel: { modelName: model, version: 1 } })).id;

    const g = await lineage(v, 'UPSTREAM', { above: 8 });
    expect(byId(g.nodes)).toEqual(
      byId([
        { id: r, kind: 'Run', depth: 1 },
        { id: b, kind: 'ModelVersion', depth: 1 },
        { id: r2, kind: 'Run', depth: 2 },
        { id: own, kind: 'DatasetVersion', depth: 3 },
      ]),
    );
    // The shared dataset is one of the group's 11, not a node under R2 as well.
    const group = g.groups[0]!;
    expect(g.groups).toEqual([
      {
        id: expect.stringMatching(/^group:/),
        kind: 'DatasetVersion',
        relation: 'USED',
        count: 11,
        shown: 0,
        depth: 2,
        attachedTo: r,
        upstream: true,
      },
    ]);
    expect(edgeSet(g)).toEqual(
      new Set([
        `${v}>PRODUCED_BY>${r}`,
        `${v}>FINE_TUNED_FROM>${b}`,
        `${b}>PRODUCED_BY>${r2}`,
        `${r2}>USED>${own}`,
        `${r}>USED>${group.id}`,
      ]),
    );
    expect(g.truncated).toBe(false);

    // Shown and counted add up to the ungrouped lineage: nothing twice, nothing missed.
    const flat = await lineage(v, 'UPSTREAM', null);
    expect(flat.nodes).toHaveLength(15);
    expect(g.nodes.length + group.count).toBe(flat.nodes.length);

    // Opened a little: the first members by id, the rest still counted.
    const sorted = [shared, ...others].sort();
    const three = await lineage(v, 'UPSTREAM', { above: 8, expand: new Map([[group.id, 3]]) });
    expect(three.nodes.filter((n) => n.depth === 2 && n.kind === 'DatasetVersion').map((n) => n.id)).toEqual(
      sorted.slice(0, 3),
    );
    expect(three.groups).toEqual([{ ...group, count: 8, shown: 3 }]);
    expect(three.nodes.length + 8).toBe(flat.nodes.length);

    // Opened whole: exactly the ungrouped lineage, the shared dataset once, at depth 2.
    const all = await lineage(v, 'UPSTREAM', { above: 8, expand: new Map([[group.id, 11]]) });
    expect(all.groups).toEqual([]);
    expect(depths(all)).toEqual(depths(flat));
    expect(all.nodes.filter((n) => n.id === shared)).toEqual([{ id: shared, kind: 'DatasetVersion', depth: 2 }]);
    expect(edgeSet(all)).toEqual(edgeSet(flat));
    expect(edgeSet(all)).toContain(`${r2}>USED>${shared}`);
  });

  it('places a node reached from two members of a group once, under the group, or under the smaller member when that one is shown', async () => {
    // R3 used two datasets derived from one raw source: the source is reached twice at the same distance.
    const uri = `s3://raw/${uniq('src')}`;
    const [p, q] = [await dataset({ sources: [uri] }), await dataset({ sources: [uri] })].sort();
    const r3 = await run([p!, q!]);

    const g = await lineage(r3, 'UPSTREAM', { above: 1 });
    const datasets = g.groups.find((x) => x.kind === 'DatasetVersion')!;
    expect(datasets).toMatchObject({ relation: 'USED', count: 2, shown: 0, depth: 1, attachedTo: r3, upstream: true });
    expect(g.nodes).toEqual([{ id: expect.any(String), kind: 'DataSource', depth: 2 }]);
    const source = g.nodes[0]!.id;
    expect(g.groups).toHaveLength(1);
    expect(edgeSet(g)).toEqual(new Set([`${r3}>USED>${datasets.id}`, `${datasets.id}>DERIVED_FROM>${source}`]));

    // Showing one member (the smaller id) puts the source under it: its real edge, and none from the group.
    const one = await lineage(r3, 'UPSTREAM', { above: 1, expand: new Map([[datasets.id, 1]]) });
    expect(byId(one.nodes)).toEqual(
      byId([
        { id: p!, kind: 'DatasetVersion', depth: 1 },
        { id: source, kind: 'DataSource', depth: 2 },
      ]),
    );
    expect(one.groups).toEqual([{ ...datasets, count: 1, shown: 1 }]);
    expect(edgeSet(one)).toEqual(
      new Set([`${r3}>USED>${p}`, `${r3}>USED>${datasets.id}`, `${p}>DERIVED_FROM>${source}`]),
    );
  });
});

/**
 * A random provenance graph: datasets derived from earlier ones (some from a shared raw source), runs on them, versions
 * fine-tuned from earlier ones, predictions.
 */
const graphArb = fc
  .record({ datasets: fc.integer({ min: 2, max: 6 }), versions: fc.integer({ min: 1, max: 4 }) })
  .chain(({ datasets, versions }) =>
    fc.record({
      derived: fc.tuple(
        ...Array.from({ length: datasets }, (_, i) => fc.subarray(Array.from({ length: i }, (_, j) => j))),
      ),
      fromSource: fc.array(fc.boolean(), { minLength: datasets, maxLength: datasets }),
      used: fc.tuple(
        ...Array.from({ length: versions }, () =>
          fc.subarray(
            Array.from({ length: datasets }, (_, j) => j),
            { minLength: 1 },
          ),
        ),
      ),
      base: fc.tuple(
        ...Array.from({ length: versions }, (_, i) =>
          i ? fc.option(fc.integer({ min: 0, max: i - 1 })) : fc.constant(null),
        ),
      ),
      predictions: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: versions, maxLength: versions }),
      above: fc.integer({ min: 1, max: 2 }),
    }),
  );

describe('grouped lineage on random graphs', () => {
  it('shown and counted add up to the ungrouped lineage, and opening every group gives exactly its nodes, depths and edges', async () => {
    await fc.assert(
      fc.asyncProperty(graphArb, async ({ derived, fromSource, used, base, predictions, above }) => {
        const source = `s3://raw/${uniq('src')}`;
        const dv: string[] = [];
        for (const [i, parents] of derived.entries())
          dv.push(await dataset({ derivedFrom: parents.map((p) => dv[p]!), sources: fromSource[i] ? [source] : [] }));
        const model = await createModel(t.url, uniq('rg'));
        const mv: string[] = [];
        const preds: string[] = [];
        for (const [i, inputs] of used.entries()) {
          const b = base[i];
          mv.push(
            (
              await createVersion(t.url, model, {
                runId: await run(inputs.map((d) => dv[d]!)),
                ...(b != null ? { baseModel: { modelName: model, version: b + 1 } } : {}),
              })
            ).id,
          );
          const batch = Array.from({ length: predictions[i]! }, () => ({ id: uniq('pred') }));
          if (batch.length)
            await gqlOk(t.url, contractOp('LogPredictions'), {
              input: {
                model: { modelName: model, version: i + 1 },
                deployment: `${model}-endpoint`,
                predictions: batch,
              },
            });
          preds.push(...batch.map((x) => x.id));
        }
        for (const root of [...dv, ...mv, ...preds.slice(0, 1)]) {
          for (const direction of ['UPSTREAM', 'DOWNSTREAM', 'BOTH']) {
            const flat = await lineage(root, direction, null);
            const expand = new Map<string, number>();
            let g: Answer;
            for (let round = 0; ; round++) {
              g = await lineage(root, direction, { above, expand });
              expect(g.truncated).toBe(false);
              // Every shown node once, at its depth in the ungrouped answer; each node counted once.
              expect(new Set(g.nodes.map((n) => n.id)).size).toBe(g.nodes.length);
              for (const n of g.nodes) expect(depths(flat).get(n.id)).toBe(n.depth);
              expect(g.nodes.length + g.groups.reduce((s, x) => s + x.count, 0)).toBe(flat.nodes.length);
              if (!g.groups.length || round === 10) break;
              for (const x of g.groups) expand.set(x.id, x.shown + x.count);
            }
            expect(g.groups).toEqual([]);
            expect(depths(g)).toEqual(depths(flat));
            expect(edgeSet(g)).toEqual(edgeSet(flat));
          }
        }
      }),
      { numRuns: 8 },
    );
    // eight graphs, each built through the real mutations and asked ~100 questions, on a shared two-core machine
  }, 600_000);
});
