import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractOp } from '../support/contract.js';
import { graphDigest } from '../support/graph-digest.js';
import { code, gql, gqlOk, sha, uniq } from '../support/graphql.js';
import { countNodes, promoteToProduction, registerVersion, setAlias } from '../support/provenance-fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { computeFingerprint } from '../../src/registry/fingerprint.js';

const REGISTER = contractOp('RegisterDatasetVersion');
const CREATE_RUN = contractOp('CreateRun');
const FINISH_RUN = contractOp('FinishRun');
const LOG = contractOp('LogPredictions');
const TRACE = contractOp('TracePrediction');
const TRACE_FULL = `query($id: String!) {
  tracePrediction(id: $id) {
    modelVersion { model { name } version }
    run { id }
    datasets { id depth modelDepth usedBy { id model { name } version } }
    sources { uri depth modelDepth usedBy { id } }
    ancestors { kind model { name } version relation depth childId run { id } }
  }
}`;
const LINEAGE = contractOp('Lineage');
const IMPACT = contractOp('DatasetImpact');
const RELATE = `mutation($input: AddModelRelationInput!) { addModelRelation(input: $input) { created parentKind relation } }`;

describe('provenance: the fixture graph through HTTP', () => {
  let t: TestServer;
  const ids: Record<string, string> = {};
  const n = {
    s1: `s3://raw/${uniq('s1')}`,
    s2: `s3://raw/${uniq('s2')}`,
    s3: `s3://raw/${uniq('s3')}`,
    dsA: uniq('ds-a'),
    dsB: uniq('ds-b'),
    dsC: uniq('ds-c'),
    dsD: uniq('ds-d'),
    dsE: uniq('ds-e'),
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
        input: {
          dataset,
          version: '1',
          hash: sha(dataset.slice(-2)),
          uri: `s3://ds/${dataset}`,
          rowCount: 10,
          derivedFrom,
          sources,
          transform: 'clean',
        },
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
    // Provenance is tested on its own; moving the protected 'production' alias is governance's (promotion.e2e).
    t = await startTestServer({}, { withoutPromotionGuard: true });
    ids.A = await dsv(n.dsA, [], [n.s1]);
    ids.B = await dsv(n.dsB, [], [n.s2]);
    ids.C = await dsv(n.dsC, [ids.A, ids.B], []);
    ids.D = await dsv(n.dsD, [ids.C], []);
    ids.E = await dsv(n.dsE, [], [n.s3]);
    ids.run0 = await run('run0', [[ids.A, 'train']]);
    ids.run1 = await run('run1', [[ids.D, 'train']]);
    ids.run2 = await run('run2', [
      [ids.D, 'train'],
      [ids.C, 'validation'],
    ]);
    ids.runT = await run('runT', [
      [ids.B, 'train'],
      [ids.E, 'validation'],
    ]);
    ids.runS = await run('runS', [[ids.C, 'train']]);
    ids.provider = (
      await gqlOk(
        url(),
        `mutation { registerProviderModel(input: { provider: "huggingface", name: "llama", providerVersion: "rev1" }) { id } }`,
      )
    ).registerProviderModel.id;
    // Every model and version through the registry's real mutations: the run,
    // base model (a version or a provider model) and teachers are edges written
    // by createModelVersion itself.
    const base = await registerVersion(url(), n.base, {
      createModel: true,
      runId: ids.run0,
      baseProviderModelId: ids.provider,
    });
    const ft1 = await registerVersion(url(), n.ft, {
      createModel: true,
      runId: ids.run1,
      baseModel: { modelName: n.base, version: 1 },
    });
    const ft2 = await registerVersion(url(), n.ft, {
      runId: ids.run2,
      baseModel: { modelName: n.ft, version: 1 },
      metrics: [{ key: 'auc', value: 0.9 }],
    });
    const teacher = await registerVersion(url(), n.teacher, { createModel: true, runId: ids.runT });
    const student = await registerVersion(url(), n.student, {
      createModel: true,
      runId: ids.runS,
      teachers: [{ modelName: n.teacher, version: 1 }],
    });
    const restudent = await registerVersion(url(), n.student, {
      teachers: [{ modelName: n.student, alias: 'latest' }],
    });
    Object.assign(ids, {
      base: base.id,
      ft1: ft1.id,
      ft2: ft2.id,
      teacher: teacher.id,
      student: student.id,
      restudent: restudent.id,
    });
    expect(ft2).toMatchObject({
      version: 2,
      run: { id: ids.run2 },
      baseModel: { model: { name: n.ft }, version: 1 },
      teachers: [],
    });
    expect(restudent).toMatchObject({
      version: 2,
      run: null,
      baseModel: null,
      teachers: [{ model: { name: n.student }, version: 1 }],
    });
    await promoteToProduction(url(), n.ft, 2);
    await setAlias(url(), n.ft, 'production', 2);
    await gqlOk(url(), LOG, {
      input: {
        model: { modelName: n.ft, alias: 'production' },
        deployment: uniq('dep'),
        predictions: [{ id: n.pred, at: '2026-01-02T03:04:05.000Z', inputRef: 'in-1' }],
      },
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

  it('trace details: every dataset and source of ft2 comes from its own run; ancestors carry their runs', async () => {
    const { tracePrediction: tr } = await gqlOk(url(), TRACE_FULL, { id: n.pred });
    expect(tr.datasets.map((d: { modelDepth: number; usedBy: { id: string } }) => [d.modelDepth, d.usedBy.id])).toEqual(
      Array(4).fill([0, ids.ft2]),
    );
    expect(tr.datasets.map((d: { depth: number }) => d.depth)).toEqual([1, 1, 2, 2]);
    expect(tr.sources.map((x: { depth: number; modelDepth: number }) => [x.depth, x.modelDepth])).toEqual([
      [3, 0],
      [3, 0],
    ]);
    expect(
      tr.ancestors.map((a: { kind: string; depth: number; childId: string; run: { id: string } | null }) => [
        a.kind,
        a.depth,
        a.childId,
        a.run?.id ?? null,
      ]),
    ).toEqual([
      ['ModelVersion', 1, ids.ft2, ids.run1],
      ['ModelVersion', 2, ids.ft1, ids.run0],
      ['ProviderModel', 3, ids.base, null],
    ]);
  });

  it('trace includes the training data of base models and teachers, attributed to the nearest model', async () => {
    // student/2 was distilled from student/1 (itself distilled from teacher/1) and has no run of its own.
    const pred = uniq('pred-restudent');
    await gqlOk(url(), LOG, { input: { model: { modelName: n.student, version: 2 }, predictions: [{ id: pred }] } });
    const { tracePrediction: tr } = await gqlOk(url(), TRACE_FULL, { id: pred });
    expect(tr.modelVersion).toEqual({ model: { name: n.student }, version: 2 });
    expect(tr.run).toBeNull();
    expect(
      tr.ancestors.map(
        (a: {
          model: { name: string };
          version: number;
          relation: string;
          depth: number;
          run: { id: string } | null;
        }) => [a.model.name, a.version, a.relation, a.depth, a.run?.id],
      ),
    ).toEqual([
      [n.student, 1, 'DISTILLED_FROM', 1, ids.runS],
      [n.teacher, 1, 'DISTILLED_FROM', 2, ids.runT],
    ]);
    // student/1's run used C (A and B behind it); teacher/1's run used B (already
    // attributed to student/1, the nearer model) and E, which only the teacher saw.
    const [a, b] = [n.dsA, n.dsB].sort();
    const idOf: Record<string, string> = { [n.dsA]: ids.A!, [n.dsB]: ids.B! };
    expect(
      tr.datasets.map(
        (d: {
          id: string;
          depth: number;
          modelDepth: number;
          usedBy: { model: { name: string }; version: number };
        }) => [d.id, d.modelDepth, d.depth, `${d.usedBy.model.name}/${d.usedBy.version}`],
      ),
    ).toEqual([
      [ids.C, 1, 1, `${n.student}/1`],
      [idOf[a!], 1, 2, `${n.student}/1`],
      [idOf[b!], 1, 2, `${n.student}/1`],
      [ids.E, 2, 1, `${n.teacher}/1`],
    ]);
    expect(
      tr.sources.map((x: { uri: string; depth: number; modelDepth: number }) => [x.uri, x.modelDepth, x.depth]),
    ).toEqual([...[n.s1, n.s2].sort().map((u) => [u, 1, 3]), [n.s3, 2, 2]]);
    // the trace is the inverse of datasetImpact: every traced dataset version counts student/2 as impacted
    for (const d of tr.datasets as { id: string }[]) {
      const impact = (await gqlOk(url(), IMPACT, { datasetVersionId: d.id })).datasetImpact.modelVersions;
      expect(impact.map((v: { model: { name: string }; version: number }) => `${v.model.name}/${v.version}`)).toContain(
        `${n.student}/2`,
      );
    }
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
    ].sort(
      (a, b) =>
        (a[0] as number) - (b[0] as number) ||
        String(a[1]).localeCompare(String(b[1])) ||
        (String(a[2]) < String(b[2]) ? -1 : 1),
    );
    expect(g.nodes.map((x: { id: string }) => x.id)).toEqual(expected.map((e) => e[2]));
    const edges = new Set(
      g.edges.map((e: { from: string; to: string; relation: string }) => `${e.from}>${e.relation}>${e.to}`),
    );
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
    const { lineage: up } = await gqlOk(url(), LINEAGE, {
      id: ids.ft2,
      direction: 'UPSTREAM',
      relations: ['FINE_TUNED_FROM'],
    });
    expect(up.nodes.map((x: { id: string }) => x.id)).toEqual([ids.ft1, ids.base, ids.provider]);
    expect(up.nodes.map((x: { label: string }) => x.label)).toEqual([
      `${n.ft}/1`,
      `${n.base}/1`,
      'huggingface:llama@rev1',
    ]);
    const { lineage: down } = await gqlOk(url(), LINEAGE, { id: ids.B, direction: 'DOWNSTREAM', depth: 20 });
    const got = new Set(down.nodes.map((x: { id: string }) => x.id));
    for (const k of ['C', 'D', 'runT', 'runS', 'run1', 'run2', 'teacher', 'student', 'restudent', 'ft1', 'ft2'])
      expect(got.has(ids[k]), k).toBe(true);
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
    expect(await names(ids.A!)).toEqual(
      sorted([`${n.base}/1`, `${n.ft}/1`, `${n.ft}/2`, `${n.student}/1`, `${n.student}/2`]),
    );
    expect(await names(ids.B!)).toEqual(
      sorted([`${n.ft}/1`, `${n.ft}/2`, `${n.teacher}/1`, `${n.student}/1`, `${n.student}/2`]),
    );
    expect(await names(ids.D!)).toEqual(sorted([`${n.ft}/1`, `${n.ft}/2`]));
    expect(await names(ids.E!)).toEqual(sorted([`${n.teacher}/1`, `${n.student}/1`, `${n.student}/2`]));
    const ft2 = (await gqlOk(url(), IMPACT, { datasetVersionId: ids.D })).datasetImpact.modelVersions.find(
      (v: { version: number }) => v.version === 2,
    );
    expect(ft2).toEqual({ model: { name: n.ft }, version: 2, stage: 'PRODUCTION', aliases: ['production'] });
  });

  it('refuses a cycle with CONFLICT and writes nothing', async () => {
    const before = await graphDigest();
    const r = await gql(url(), RELATE, {
      input: {
        modelVersion: { modelName: n.base, version: 1 },
        relation: 'DISTILLED_FROM',
        parent: { modelName: n.ft, version: 2 },
      },
    });
    expect(code(r)).toBe('CONFLICT');
    const self = await gql(url(), RELATE, {
      input: {
        modelVersion: { modelName: n.ft, version: 1 },
        relation: 'MERGED_FROM',
        parent: { modelName: n.ft, version: 1 },
      },
    });
    expect(code(self)).toBe('CONFLICT');
    expect(await graphDigest()).toEqual(before);
  });

  it('re-logging 10,000 prediction ids leaves the count unchanged', async () => {
    const predictions = Array.from({ length: 10_000 }, (_, i) => ({ id: `${n.pred}-${i}`, inputRef: `r${i}` }));
    const first = await gqlOk(url(), LOG, { input: { model: { modelName: n.ft, version: 1 }, predictions } });
    expect(first.logPredictions).toEqual({ count: 10_000, modelVersion: { version: 1 } });
    const count = await countNodes('Prediction');
    const events = await countNodes('Event');
    const again = await gqlOk(
      url(),
      `mutation($input: LogPredictionsInput!) { logPredictions(input: $input) { count created } }`,
      {
        input: { model: { modelName: n.ft, alias: 'latest' }, predictions },
      },
    );
    expect(again.logPredictions).toEqual({ count: 10_000, created: 0 });
    expect(await countNodes('Prediction')).toBe(count);
    expect(await countNodes('Event')).toBe(events + 1);
    // the first logging wins: the prediction still points at version 1
    const tr = await gqlOk(url(), TRACE, { id: `${n.pred}-17` });
    expect(tr.tracePrediction.modelVersion.version).toBe(1);
  });

  it('resolves an alias at call time', async () => {
    await setAlias(url(), n.ft, 'production', 1);
    const r = await gqlOk(url(), LOG, {
      input: { model: { modelName: n.ft, alias: 'production' }, predictions: [{ id: uniq('p') }] },
    });
    expect(r.logPredictions.modelVersion.version).toBe(1);
    await setAlias(url(), n.ft, 'production', 2);
    expect(
      code(
        await gql(url(), LOG, {
          input: { model: { modelName: n.ft, alias: 'nope' }, predictions: [{ id: uniq('p') }] },
        }),
      ),
    ).toBe('NOT_FOUND');
  });

  it('runs: finish once with metrics; a second finish is CONFLICT; bad inputs write nothing', async () => {
    const id = await run(uniq('r'), [[ids.A!, 'test']]);
    const done = await gqlOk(url(), FINISH_RUN, {
      id,
      status: 'FINISHED',
      metrics: [
        { key: 'loss', value: 0.5 },
        { key: 'acc', value: 0.9 },
      ],
    });
    expect(done.finishRun).toMatchObject({
      id,
      status: 'FINISHED',
      metrics: [
        { key: 'acc', value: 0.9 },
        { key: 'loss', value: 0.5 },
      ],
    });
    expect(Date.parse(done.finishRun.endedAt)).toBeGreaterThan(0);
    const before = await graphDigest();
    expect(code(await gql(url(), FINISH_RUN, { id, status: 'KILLED' }))).toBe('CONFLICT');
    expect(
      code(await gql(url(), CREATE_RUN, { input: { inputs: [{ datasetVersionId: 'missing', role: 'train' }] } })),
    ).toBe('NOT_FOUND');
    expect(
      code(await gql(url(), CREATE_RUN, { input: { inputs: [{ datasetVersionId: ids.A, role: 'bogus' }] } })),
    ).toBe('BAD_USER_INPUT');
    expect(
      code(await gql(url(), REGISTER, { input: { dataset: uniq('x'), version: '1', derivedFrom: ['missing'] } })),
    ).toBe('NOT_FOUND');
    expect(await graphDigest()).toEqual(before);
    const got = await gqlOk(
      url(),
      `query($id: ID!) { run(id: $id) { params { key value } seeds inputs { role datasetVersion { id } } metrics { key } } }`,
      { id },
    );
    expect(got.run).toEqual({
      params: [{ key: 'lr', value: '0.1' }],
      seeds: [1, 2],
      inputs: [{ role: 'test', datasetVersion: { id: ids.A } }],
      metrics: [{ key: 'acc' }, { key: 'loss' }],
    });
  });

  it('shares raw sources by URI', async () => {
    const again = await dsv(uniq('ds-e'), [], [n.s1]);
    const { lineage: g } = await gqlOk(url(), LINEAGE, { id: again, direction: 'UPSTREAM' });
    const { lineage: g0 } = await gqlOk(url(), LINEAGE, { id: ids.A, direction: 'UPSTREAM' });
    expect(g.nodes[0].id).toBe(g0.nodes[0].id);
  });

  it('fingerprints: same commit, dataset hashes, params and seeds give the same fingerprint; another seed does not', async () => {
    const commit = uniq('commit');
    const x = await dsv(uniq('fp-x'), [], []);
    const y = await dsv(uniq('fp-y'), [], []);
    const hashOf = async (id: string) =>
      (await gqlOk(url(), `query($id: ID!) { datasetVersion(id: $id) { hash } }`, { id })).datasetVersion
        .hash as string;
    const fpRun = async (inputs: [string, string][], params: [string, string][], seeds: number[]) =>
      (
        await gqlOk(url(), CREATE_RUN, {
          input: {
            codeCommit: commit,
            params: params.map(([key, value]) => ({ key, value })),
            seeds,
            inputs: inputs.map(([datasetVersionId, role]) => ({ datasetVersionId, role })),
          },
        })
      ).createRun.id as string;
    // the same identity written differently: inputs and roles in another order, params in another order
    const r1 = await fpRun(
      [
        [x, 'train'],
        [y, 'validation'],
      ],
      [
        ['lr', '0.1'],
        ['bs', '32'],
      ],
      [7, 8],
    );
    const r2 = await fpRun(
      [
        [y, 'train'],
        [x, 'test'],
      ],
      [
        ['bs', '32'],
        ['lr', '0.1'],
      ],
      [7, 8],
    );
    const r3 = await fpRun(
      [
        [x, 'train'],
        [y, 'validation'],
      ],
      [
        ['lr', '0.1'],
        ['bs', '32'],
      ],
      [7, 9],
    );
    const [ma, mb] = [uniq('fp-a'), uniq('fp-b')];
    const a1 = await registerVersion(url(), ma, { createModel: true, runId: r1 });
    const b1 = await registerVersion(url(), mb, { createModel: true, runId: r2 });
    const a2 = await registerVersion(url(), ma, { runId: r3 });
    const expected = computeFingerprint({
      codeCommit: commit,
      datasetHashes: [await hashOf(x), await hashOf(y)],
      params: { lr: '0.1', bs: '32' },
      seeds: [7, 8],
    });
    expect(a1.fingerprint).toBe(expected);
    expect(b1.fingerprint).toBe(expected);
    expect(a2.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(a2.fingerprint).not.toBe(expected);
    const byFp = async (fp: string) =>
      (
        await gqlOk(
          url(),
          `query($fp: String!) { modelVersionsByFingerprint(fingerprint: $fp) { id model { name } version fingerprint } }`,
          { fp },
        )
      ).modelVersionsByFingerprint;
    expect(await byFp(expected)).toEqual([
      { id: a1.id, model: { name: ma }, version: 1, fingerprint: expected },
      { id: b1.id, model: { name: mb }, version: 1, fingerprint: expected },
    ]);
    expect((await byFp(a2.fingerprint!)).map((v: { id: string }) => v.id)).toEqual([a2.id]);
    // shown on the version through the contract's GetModelVersion too
    const got = await gqlOk(url(), contractOp('GetModelVersion'), { modelName: mb, version: 1 });
    expect(got.modelVersion.fingerprint).toBe(expected);
  });

  it('re-registering an identical dataset version returns it and writes nothing; different contents are CONFLICT', async () => {
    const dataset = uniq('idem');
    const input = {
      dataset,
      version: '1',
      hash: sha('1'),
      uri: `s3://ds/${dataset}`,
      rowCount: 5,
      derivedFrom: [ids.A],
      sources: [n.s2],
      transform: 'clean',
    };
    const first = (await gqlOk(url(), REGISTER, { input })).registerDatasetVersion;
    const before = await graphDigest();
    const again = await gqlOk(url(), REGISTER, { input: { ...input, sources: [n.s2, n.s2] } });
    expect(again.registerDatasetVersion).toEqual(first);
    expect(await graphDigest()).toEqual(before);
    const other = await gql(url(), REGISTER, { input: { ...input, hash: sha('2') } });
    expect(code(other)).toBe('CONFLICT');
    expect(other.errors![0]!.message).toContain(
      `dataset "${dataset}" version "1" is already registered with different contents`,
    );
    expect(other.errors![0]!.message).toContain(`hash: registered "${sha('1')}", this request "${sha('2')}"`);
    const moved = await gql(url(), REGISTER, { input: { ...input, uri: 's3://elsewhere', derivedFrom: [] } });
    expect(code(moved)).toBe('CONFLICT');
    expect(moved.errors![0]!.message).toMatch(/uri: registered .*; derivedFrom: registered/);
    expect(await graphDigest()).toEqual(before);
    // a new version string is the way to record new contents
    expect(
      (await gqlOk(url(), REGISTER, { input: { ...input, version: '2', hash: sha('2') } })).registerDatasetVersion
        .version,
    ).toBe('2');
  });

  it('registerProviderModel for an existing pin returns it without writing or auditing', async () => {
    const pin = { provider: 'huggingface', name: uniq('mistral'), providerVersion: 'rev7', uri: 'hf://x' };
    const m = `mutation($input: RegisterProviderModelInput!) { registerProviderModel(input: $input) { id provider name providerVersion uri createdAt } }`;
    const first = (await gqlOk(url(), m, { input: pin })).registerProviderModel;
    const before = await graphDigest();
    const events = await countNodes('Event');
    expect((await gqlOk(url(), m, { input: pin })).registerProviderModel).toEqual(first);
    expect((await gqlOk(url(), m, { input: { ...pin, uri: null } })).registerProviderModel).toEqual(first);
    expect(await graphDigest()).toEqual(before);
    expect(await countNodes('Event')).toBe(events);
  });
});
