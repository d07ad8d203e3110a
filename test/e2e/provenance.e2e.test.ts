import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphDigest } from '../support/graph-digest.js';
import { code, gql, gqlOk, sha, uniq } from '../support/graphql.js';
import { countNodes, createModelVersionNode, pointAlias } from '../support/provenance-fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';

const REGISTER = `mutation RegisterDatasetVersion($input: RegisterDatasetVersionInput!) {
  registerDatasetVersion(input: $input) { id dataset { name } version hash uri }
}`;
const CREATE_RUN = `mutation CreateRun($input: CreateRunInput!) { createRun(input: $input) { id name status codeCommit } }`;
const FINISH_RUN = `mutation FinishRun($id: ID!, $status: RunStatus!, $metrics: [MetricInput!]) {
  finishRun(id: $id, status: $status, metrics: $metrics) { id status endedAt metrics { key value } }
}`;
const LOG = `mutation LogPredictions($input: LogPredictionsInput!) { logPredictions(input: $input) { count modelVersion { version } } }`;
const TRACE = `query TracePrediction($id: String!) {
  tracePrediction(id: $id) {
    prediction { id at }
    modelVersion { model { name } version }
    run { id codeCommit }
    datasets { id version hash }
    sources { uri }
    ancestors { model { name } version relation }
  }
}`;
const LINEAGE = `query Lineage($id: ID!, $direction: LineageDirection!, $depth: Int, $relations: [String!]) {
  lineage(id: $id, direction: $direction, depth: $depth, relations: $relations) {
    root { id kind label }
    nodes { id kind label }
    edges { from to relation }
    truncated
  }
}`;
const IMPACT = `query DatasetImpact($datasetVersionId: ID!) {
  datasetImpact(datasetVersionId: $datasetVersionId) { modelVersions { model { name } version stage aliases } }
}`;
const RELATE = `mutation($input: AddModelRelationInput!) { addModelRelation(input: $input) { created parentKind relation } }`;

describe('provenance: the fixture graph through HTTP', () => {
  let t: TestServer;
  const ids: Record<string, string> = {};
  const n = {
    s1: `s3://raw/${uniq('s1')}`,
    s2: `s3://raw/${uniq('s2')}`,
    dsA: uniq('ds-a'),
    dsB: uniq('ds-b'),
    dsC: uniq('ds-c'),
    dsD: uniq('ds-d'),
    base: uniq('base'),
    ft: uniq('ft'),
    teacher: uniq('teacher'),
    student: uniq('student'),
    pred: uniq('pred'),
  };
  const url = () => t.url;
  const dsv = async (dataset: string, derivedFrom: string[], sources: string[]) =>
    (
      await gqlOk(url(), REGISTER, {
        input: { dataset, version: '1', hash: sha(dataset.slice(-2)), uri: `s3://ds/${dataset}`, rowCount: 10, derivedFrom, sources, transform: 'clean' },
      })
    ).registerDatasetVersion.id as string;
  const run = async (name: string, inputs: [string, string][]) =>
    (
      await gqlOk(url(), CREATE_RUN, {
        input: {
          name,
          experiment: 'exp',
          codeRepo: 'git@x:y',
          codeCommit: `c-${name}`,
          environment: 'sha256:env',
          params: [{ key: 'lr', value: '0.1' }],
          seeds: [1, 2],
          inputs: inputs.map(([datasetVersionId, role]) => ({ datasetVersionId, role })),
        },
      })
    ).createRun.id as string;

  beforeAll(async () => {
    t = await startTestServer();
    ids.A = await dsv(n.dsA, [], [n.s1]);
    ids.B = await dsv(n.dsB, [], [n.s2]);
    ids.C = await dsv(n.dsC, [ids.A, ids.B], []);
    ids.D = await dsv(n.dsD, [ids.C], []);
    ids.run0 = await run('run0', [[ids.A, 'train']]);
    ids.run1 = await run('run1', [[ids.D, 'train']]);
    ids.run2 = await run('run2', [[ids.D, 'train'], [ids.C, 'validation']]);
    ids.runT = await run('runT', [[ids.B, 'train']]);
    ids.runS = await run('runS', [[ids.C, 'train']]);
    ids.provider = (
      await gqlOk(url(), `mutation { registerProviderModel(input: { provider: "huggingface", name: "llama", providerVersion: "rev1" }) { id } }`)
    ).registerProviderModel.id;
    ids.base = await createModelVersionNode({ modelName: n.base, version: 1, runId: ids.run0, fingerprint: 'sha256:fp-x' });
    ids.ft1 = await createModelVersionNode({ modelName: n.ft, version: 1, runId: ids.run1, fingerprint: 'sha256:fp-x' });
    ids.ft2 = await createModelVersionNode({ modelName: n.ft, version: 2, runId: ids.run2, stage: 'PRODUCTION' });
    ids.teacher = await createModelVersionNode({ modelName: n.teacher, version: 1, runId: ids.runT });
    ids.student = await createModelVersionNode({ modelName: n.student, version: 1, runId: ids.runS });
    ids.restudent = await createModelVersionNode({ modelName: n.student, version: 2 });
    await pointAlias(n.ft, 'production', 2);
    const add = async (model: string, version: number, relation: string, parent: { modelName: string; version: number } | null, providerId?: string) =>
      gqlOk(url(), RELATE, { input: { modelVersion: { modelName: model, version }, relation, parent, parentProviderModelId: providerId ?? null } });
    await add(n.base, 1, 'FINE_TUNED_FROM', null, ids.provider);
    await add(n.ft, 1, 'FINE_TUNED_FROM', { modelName: n.base, version: 1 });
    await add(n.ft, 2, 'FINE_TUNED_FROM', { modelName: n.ft, version: 1 });
    await add(n.student, 1, 'DISTILLED_FROM', { modelName: n.teacher, version: 1 });
    await add(n.student, 2, 'DISTILLED_FROM', { modelName: n.student, version: 1 });
    await gqlOk(url(), LOG, {
      input: { model: { modelName: n.ft, alias: 'production' }, deployment: uniq('dep'), predictions: [{ id: n.pred, at: '2026-01-02T03:04:05.000Z', inputRef: 'in-1' }] },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('traces a prediction back to the raw sources, every hop in order', async () => {
    const { tracePrediction: tr } = await gqlOk(url(), TRACE, { id: n.pred });
    expect(tr.prediction).toEqual({ id: n.pred, at: '2026-01-02T03:04:05.000Z' });
    expect(tr.modelVersion).toEqual({ model: { name: n.ft }, version: 2 });
    expect(tr.run).toEqual({ id: ids.run2, codeCommit: 'c-run2' });
    // D (used) and C (used) at 1 hop, then A and B two hops behind C, by dataset name.
    const byName = (a: string, b: string) => (a < b ? -1 : 1);
    const [first, second] = [n.dsC, n.dsD].sort(byName);
    const [third, fourth] = [n.dsA, n.dsB].sort(byName);
    const idOf: Record<string, string> = { [n.dsA]: ids.A!, [n.dsB]: ids.B!, [n.dsC]: ids.C!, [n.dsD]: ids.D! };
    expect(tr.datasets.map((d: { id: string }) => d.id)).toEqual([first, second, third, fourth].map((x) => idOf[x!]));
    expect(tr.sources.map((s: { uri: string }) => s.uri)).toEqual([n.s1, n.s2].sort(byName));
    expect(tr.ancestors).toEqual([
      { model: { name: n.ft }, version: 1, relation: 'FINE_TUNED_FROM' },
      { model: { name: n.base }, version: 1, relation: 'FINE_TUNED_FROM' },
      { model: { name: 'llama' }, version: null, relation: 'FINE_TUNED_FROM' },
    ]);
  });

  it('lineage upstream of ft2: nodes nearest first, edges among them, in order', async () => {
    const { lineage: g } = await gqlOk(url(), LINEAGE, { id: ids.ft2, direction: 'UPSTREAM', depth: 2 });
    expect(g.root).toEqual({ id: ids.ft2, kind: 'ModelVersion', label: `${n.ft}/2` });
    expect(g.truncated).toBe(false);
    const expected = [
      [1, 'ModelVersion', ids.ft1],
      [1, 'Run', ids.run2],
      [2, 'DatasetVersion', ids.C],
      [2, 'DatasetVersion', ids.D],
      [2, 'ModelVersion', ids.base],
      [2, 'Run', ids.run1],
    ].sort((a, b) => (a[0] as number) - (b[0] as number) || String(a[1]).localeCompare(String(b[1])) || (String(a[2]) < String(b[2]) ? -1 : 1));
    expect(g.nodes.map((x: { id: string }) => x.id)).toEqual(expected.map((e) => e[2]));
    const edges = new Set(g.edges.map((e: { from: string; to: string; relation: string }) => `${e.from}>${e.relation}>${e.to}`));
    expect(edges).toEqual(
      new Set([
        `${ids.ft2}>FINE_TUNED_FROM>${ids.ft1}`,
        `${ids.ft2}>PRODUCED_BY>${ids.run2}`,
        `${ids.ft1}>FINE_TUNED_FROM>${ids.base}`,
        `${ids.ft1}>PRODUCED_BY>${ids.run1}`,
        `${ids.run2}>USED>${ids.C}`,
        `${ids.run2}>USED>${ids.D}`,
        `${ids.run1}>USED>${ids.D}`,
        `${ids.D}>DERIVED_FROM>${ids.C}`,
      ]),
    );
    expect(g.edges[0].from).toBe(ids.ft2);
    expect(g.edges).toHaveLength(8);
  });

  it('lineage filtered by relations and downstream of a raw dataset', async () => {
    const { lineage: up } = await gqlOk(url(), LINEAGE, { id: ids.ft2, direction: 'UPSTREAM', relations: ['FINE_TUNED_FROM'] });
    expect(up.nodes.map((x: { id: string }) => x.id)).toEqual([ids.ft1, ids.base, ids.provider]);
    expect(up.nodes.map((x: { label: string }) => x.label)).toEqual([`${n.ft}/1`, `${n.base}/1`, 'huggingface:llama@rev1']);
    const { lineage: down } = await gqlOk(url(), LINEAGE, { id: ids.B, direction: 'DOWNSTREAM', depth: 20 });
    const got = new Set(down.nodes.map((x: { id: string }) => x.id));
    for (const k of ['C', 'D', 'runT', 'runS', 'run1', 'run2', 'teacher', 'student', 'restudent', 'ft1', 'ft2']) expect(got.has(ids[k]), k).toBe(true);
    expect(got.has(ids.base)).toBe(false);
    const bad = await gql(url(), LINEAGE, { id: ids.ft2, direction: 'UPSTREAM', depth: 21 });
    expect(code(bad)).toBe('BAD_USER_INPUT');
    expect(code(await gql(url(), LINEAGE, { id: 'nope', direction: 'BOTH' }))).toBe('NOT_FOUND');
  });

  it('datasetImpact: everything trained on a dataset or its derivatives, and their descendants', async () => {
    const names = async (id: string) =>
      (await gqlOk(url(), IMPACT, { datasetVersionId: id })).datasetImpact.modelVersions.map(
        (v: { model: { name: string }; version: number }) => `${v.model.name}/${v.version}`,
      );
    const sorted = (xs: string[]) => [...xs].sort();
    expect(await names(ids.A!)).toEqual(sorted([`${n.base}/1`, `${n.ft}/1`, `${n.ft}/2`, `${n.student}/1`, `${n.student}/2`]));
    expect(await names(ids.B!)).toEqual(sorted([`${n.ft}/1`, `${n.ft}/2`, `${n.teacher}/1`, `${n.student}/1`, `${n.student}/2`]));
    expect(await names(ids.D!)).toEqual(sorted([`${n.ft}/1`, `${n.ft}/2`]));
    const ft2 = (await gqlOk(url(), IMPACT, { datasetVersionId: ids.D })).datasetImpact.modelVersions.find((v: { version: number }) => v.version === 2);
    expect(ft2).toEqual({ model: { name: n.ft }, version: 2, stage: 'PRODUCTION', aliases: ['production'] });
  });

  it('refuses a cycle with CONFLICT and writes nothing', async () => {
    const before = await graphDigest();
    const r = await gql(url(), RELATE, { input: { modelVersion: { modelName: n.base, version: 1 }, relation: 'DISTILLED_FROM', parent: { modelName: n.ft, version: 2 } } });
    expect(code(r)).toBe('CONFLICT');
    const self = await gql(url(), RELATE, { input: { modelVersion: { modelName: n.ft, version: 1 }, relation: 'MERGED_FROM', parent: { modelName: n.ft, version: 1 } } });
    expect(code(self)).toBe('CONFLICT');
    expect(await graphDigest()).toEqual(before);
  });

  it('re-logging 10,000 prediction ids leaves the count unchanged', async () => {
    const predictions = Array.from({ length: 10_000 }, (_, i) => ({ id: `${n.pred}-${i}`, inputRef: `r${i}` }));
    const first = await gqlOk(url(), LOG, { input: { model: { modelName: n.ft, version: 1 }, predictions } });
    expect(first.logPredictions).toEqual({ count: 10_000, modelVersion: { version: 1 } });
    const count = await countNodes('Prediction');
    const events = await countNodes('Event');
    const again = await gqlOk(url(), `mutation($input: LogPredictionsInput!) { logPredictions(input: $input) { count created } }`, {
      input: { model: { modelName: n.ft, alias: 'latest' }, predictions },
    });
    expect(again.logPredictions).toEqual({ count: 10_000, created: 0 });
    expect(await countNodes('Prediction')).toBe(count);
    expect(await countNodes('Event')).toBe(events + 1);
    // the first logging wins: the prediction still points at version 1
    const tr = await gqlOk(url(), TRACE, { id: `${n.pred}-17` });
    expect(tr.tracePrediction.modelVersion.version).toBe(1);
  });

  it('resolves an alias at call time', async () => {
    await pointAlias(n.ft, 'production', 1);
    const r = await gqlOk(url(), LOG, { input: { model: { modelName: n.ft, alias: 'production' }, predictions: [{ id: uniq('p') }] } });
    expect(r.logPredictions.modelVersion.version).toBe(1);
    await pointAlias(n.ft, 'production', 2);
    expect(code(await gql(url(), LOG, { input: { model: { modelName: n.ft, alias: 'nope' }, predictions: [{ id: uniq('p') }] } }))).toBe('NOT_FOUND');
  });

  it('runs: finish once with metrics; a second finish is CONFLICT; bad inputs write nothing', async () => {
    const id = await run(uniq('r'), [[ids.A!, 'test']]);
    const done = await gqlOk(url(), FINISH_RUN, { id, status: 'FINISHED', metrics: [{ key: 'loss', value: 0.5 }, { key: 'acc', value: 0.9 }] });
    expect(done.finishRun).toMatchObject({ id, status: 'FINISHED', metrics: [{ key: 'acc', value: 0.9 }, { key: 'loss', value: 0.5 }] });
    expect(Date.parse(done.finishRun.endedAt)).toBeGreaterThan(0);
    const before = await graphDigest();
    expect(code(await gql(url(), FINISH_RUN, { id, status: 'KILLED' }))).toBe('CONFLICT');
    expect(code(await gql(url(), CREATE_RUN, { input: { inputs: [{ datasetVersionId: 'missing', role: 'train' }] } }))).toBe('NOT_FOUND');
    expect(code(await gql(url(), CREATE_RUN, { input: { inputs: [{ datasetVersionId: ids.A, role: 'bogus' }] } }))).toBe('BAD_USER_INPUT');
    expect(code(await gql(url(), REGISTER, { input: { dataset: uniq('x'), version: '1', derivedFrom: ['missing'] } }))).toBe('NOT_FOUND');
    expect(await graphDigest()).toEqual(before);
    const got = await gqlOk(url(), `query($id: ID!) { run(id: $id) { params { key value } seeds inputs { role datasetVersion { id } } metrics { key } } }`, { id });
    expect(got.run).toEqual({ params: [{ key: 'lr', value: '0.1' }], seeds: [1, 2], inputs: [{ role: 'test', datasetVersion: { id: ids.A } }], metrics: [{ key: 'acc' }, { key: 'loss' }] });
  });

  it('shares raw sources by URI and finds versions by fingerprint', async () => {
    const again = await dsv(uniq('ds-e'), [], [n.s1]);
    const { lineage: g } = await gqlOk(url(), LINEAGE, { id: again, direction: 'UPSTREAM' });
    const { lineage: g0 } = await gqlOk(url(), LINEAGE, { id: ids.A, direction: 'UPSTREAM' });
    expect(g.nodes[0].id).toBe(g0.nodes[0].id);
    const fp = await gqlOk(url(), `{ modelVersionsByFingerprint(fingerprint: "sha256:fp-x") { id } }`);
    expect(new Set(fp.modelVersionsByFingerprint.map((v: { id: string }) => v.id))).toEqual(new Set([ids.base, ids.ft1]));
  });
});
