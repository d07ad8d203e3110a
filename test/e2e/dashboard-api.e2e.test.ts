import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractOp } from '../support/contract.js';
import { createModel, createVersion, logManyPredictions } from '../support/fixtures.js';
import { graphDigest } from '../support/graph-digest.js';
import { as, code, gql, gqlOk, sha, uniq } from '../support/graphql.js';
import { makePeople, promote, type People, type Who } from '../support/governed.js';
import { baseOf, newRunId, postLineage } from '../support/openlineage.js';
import { startTestServer, type TestServer } from '../support/server.js';

// What the dashboard asks the API for beyond the contract: what a principal
// may call, the promotions inbox (with each request's rights for the caller,
// the version its target points to now and the gate it will meet), what runs
// where, and the grouped lineage explorer.

const VIEWER = 'query { viewer { name role allowedFields } }';
const REQUESTS = `query($filter: PromotionRequestFilter, $first: Int, $after: String) {
  promotionRequests(filter: $filter, first: $first, after: $after) {
    edges { cursor node {
      id status rule version modelName requestedBy owners target { stage alias }
      viewerCan { approve approveRefusal approvalCarriesOut reject rejectRefusal }
      modelVersion { version metrics { key value } }
      currentTarget { version metrics { key value } }
      gate { stage refusal checks { check passed detail } }
    } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const EVIDENCE =
  'mutation($ref: ModelVersionRefInput!, $e: EvidenceInput!) { addModelVersionEvidence(ref: $ref, evidence: $e) { kind } }';
const LINEAGE = `query($id: ID!, $direction: LineageDirection!, $depth: Int, $grouping: LineageGroupingInput) {
  lineage(id: $id, direction: $direction, depth: $depth, grouping: $grouping) {
    root { id kind label job }
    nodes { id kind label depth job }
    edges { from to relation }
    groups { id kind relation count shown depth attachedTo upstream }
    truncated
  }
}`;

let t: TestServer;
let p: People;

beforeAll(async () => {
  t = await startTestServer();
  p = await makePeople(t.url);
}, 180_000);
afterAll(async () => {
  await t?.close();
});

describe('viewer.allowedFields', () => {
  it('lists the root fields each role may call, from the policy table', async () => {
    const fields = async (who: Who) =>
      (await gqlOk(t.url, VIEWER, {}, as(p.tokens[who]))).viewer.allowedFields as string[];
    const viewer = await fields('viewer');
    expect(viewer).toContain('Query.promotionRequests');
    expect(viewer.filter((f) => f.startsWith('Mutation.'))).toEqual([]);
    const contributor = await fields('contributor');
    expect(contributor).toEqual(
      expect.arrayContaining([
        'Mutation.requestPromotion',
        'Mutation.setModelVersionTag',
        'Mutation.transitionModelVersionStage',
      ]),
    );
    expect(contributor).not.toContain('Mutation.rollback');
    const reviewer = await fields('reviewer');
    expect(reviewer).toContain('Mutation.rollback');
    expect(reviewer).not.toContain('Mutation.registerWebhook');
    expect(await fields('admin')).toContain('Mutation.registerWebhook');
    // What the list promises is what the server does: a field missing from it is refused.
    const r = await gql(
      t.url,
      'mutation { rollback(modelName: "x", alias: "a", version: 1, reason: "r") { sequence } }',
      {},
      as(p.tokens.contributor),
    );
    expect(code(r)).toBe('FORBIDDEN');
  });
});

describe('promotionRequests: the promotions inbox', () => {
  let model: string;
  let toAlias: string;
  let toCanary: string;
  const list = (who: Who, filter: Record<string, unknown>, first = 50, after: string | null = null) =>
    gql(t.url, REQUESTS, { filter, first, after }, as(p.tokens[who]));
  const inbox = async (who: Who) =>
    (
      (await list(who, { modelName: model, approvableByViewer: true })).data!.promotionRequests.edges as { node: any }[]
    ).map((e) => e.node.id as string);

  beforeAll(async () => {
    model = await createModel(t.url, uniq('inbox'));
    await gqlOk(t.url, contractOp('SetModelOwners'), { modelName: model, owners: [p.names.owner] });
    for (const auc of [0.8, 0.86, 0.9]) await createVersion(t.url, model, { metrics: [{ key: 'auc', value: auc }] });
    await gqlOk(
      t.url,
      contractOp('TransitionStage'),
      { ref: { modelName: model, version: 1 }, stage: 'STAGING' },
      as(p.tokens.contributor),
    );
    await promote(t.url, p, { modelName: model, version: 1 }, { alias: 'production' });
    // Two pending requests: v2 to the protected alias (two-person), then v3 to CANARY (one reviewer).
    toAlias = (
      await gqlOk(
        t.url,
        contractOp('RequestPromotion'),
        {
          ref: { modelName: model, version: 2 },
          target: { alias: 'production' },
          evidence: [{ kind: 'HUMAN_REVIEW', uri: 'https://ci.example.com/eval/2', summary: 'offline eval' }],
        },
        as(p.tokens.requester),
      )
    ).requestPromotion.id;
    await gqlOk(
      t.url,
      contractOp('TransitionStage'),
      { ref: { modelName: model, version: 3 }, stage: 'STAGING' },
      as(p.tokens.contributor),
    );
    toCanary = (
      await gqlOk(
        t.url,
        contractOp('RequestPromotion'),
        { ref: { modelName: model, version: 3 }, target: { stage: 'CANARY' }, evidence: null },
        as(p.tokens.requester),
      )
    ).requestPromotion.id;
  }, 120_000);

  it('lists for each principal exactly the pending requests it may approve, oldest first', async () => {
    expect(await inbox('reviewer')).toEqual([toAlias, toCanary]);
    expect(await inbox('admin')).toEqual([toAlias, toCanary]);
    // The owner is a CONTRIBUTOR: it may approve the two-person request as the owner, not the one-reviewer one.
    expect(await inbox('owner')).toEqual([toAlias]);
    expect(await inbox('requester')).toEqual([]);
    expect(await inbox('contributor')).toEqual([]);
    expect(await inbox('viewer')).toEqual([]);
    // Unfiltered by model, the inbox holds every pending request the reviewer may approve, in order.
    const all: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 100; i++) {
      const page: any = (await list('reviewer', { approvableByViewer: true }, 25, after)).data!.promotionRequests;
      all.push(...page.edges.map((e: any) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(new Set(all).size).toBe(all.length);
    expect(all.indexOf(toAlias)).toBeGreaterThanOrEqual(0);
    expect(all.indexOf(toAlias)).toBeLessThan(all.indexOf(toCanary));
  });

  it('says what each principal may do, as approvePromotion then decides it', async () => {
    const rights = async (who: Who, id: string) =>
      (
        (await list(who, { modelName: model, status: 'PENDING' })).data!.promotionRequests.edges as { node: any }[]
      ).find((e) => e.node.id === id)!.node.viewerCan;
    // Refusals carry the very message the mutation answers with, and the refusal changes nothing.
    for (const [who, id] of [
      ['owner', toCanary],
      ['requester', toAlias],
      ['viewer', toAlias],
      ['contributor', toAlias],
    ] as const) {
      const can = await rights(who, id);
      expect(can.approve, `${who} on ${id}`).toBe(false);
      const before = await graphDigest();
      const r = await gql(t.url, contractOp('ApprovePromotion'), { id, comment: null }, as(p.tokens[who]));
      expect(r.errors?.[0]?.message, who).toBe(can.approveRefusal);
      expect(await graphDigest()).toEqual(before);
    }
    expect(await rights('requester', toAlias)).toMatchObject({ reject: true, rejectRefusal: null });
    expect((await rights('contributor', toAlias)).reject).toBe(false);
    // The owner's approval is accepted and does not yet carry the promotion out; the reviewer's would.
    const owner = await rights('owner', toAlias);
    expect(owner).toMatchObject({ approve: true, approveRefusal: null, approvalCarriesOut: false });
    expect(
      (await gqlOk(t.url, contractOp('ApprovePromotion'), { id: toAlias, comment: 'owner ok' }, as(p.tokens.owner)))
        .approvePromotion.status,
    ).toBe('PENDING');
    expect(await inbox('owner')).toEqual([]);
    expect(await rights('reviewer', toAlias)).toMatchObject({ approve: true, approvalCarriesOut: true });
  });

  it('shows the candidate against what its target points to now, and the gate its approval will meet', async () => {
    const nodes = (
      (await list('reviewer', { modelName: model, status: 'PENDING' })).data!.promotionRequests.edges as { node: any }[]
    ).map((e) => e.node);
    const alias = nodes.find((n) => n.id === toAlias)!;
    expect(alias).toMatchObject({
      rule: 'TWO_PERSON',
      version: 2,
      owners: [p.names.owner],
      modelVersion: { version: 2, metrics: [{ key: 'auc', value: 0.86 }] },
    });
    expect(alias.currentTarget).toMatchObject({ version: 1, metrics: [{ key: 'auc', value: 0.8 }] });
    expect(alias.gate).toBeNull();
    const canary = nodes.find((n) => n.id === toCanary)!;
    expect(canary.currentTarget).toBeNull();
    expect(canary.gate.stage).toBe('CANARY');
    expect(canary.gate.checks.map((c: any) => [c.check, c.passed])).toEqual([
      ['evidence:HUMAN_REVIEW', false],
      ['evidence:FAIRNESS_CHECK', false],
    ]);
    // The refusal is the lifecycle's own: approving now fails with it, and changes nothing.
    const before = await graphDigest();
    const refused = await gql(
      t.url,
      contractOp('ApprovePromotion'),
      { id: toCanary, comment: null },
      as(p.tokens.reviewer),
    );
    expect(code(refused)).toBe('GATE_FAILED');
    expect(refused.errors![0]!.message).toBe(canary.gate.refusal);
    expect(await graphDigest()).toEqual(before);
    for (const kind of ['HUMAN_REVIEW', 'FAIRNESS_CHECK'])
      await gqlOk(t.url, EVIDENCE, { ref: { modelName: model, version: 3 }, e: { kind, passed: true } });
    const after = (
      (await list('reviewer', { modelName: model, status: 'PENDING' })).data!.promotionRequests.edges as { node: any }[]
    ).find((e) => e.node.id === toCanary)!.node;
    expect(after.gate).toMatchObject({ refusal: null, checks: [{ passed: true }, { passed: true }] });
    expect(
      (await gqlOk(t.url, contractOp('ApprovePromotion'), { id: toCanary, comment: 'reviewed' }, as(p.tokens.reviewer)))
        .approvePromotion.status,
    ).toBe('APPROVED');
  });

  it('filters by status and model, pages without gaps or repeats, and refuses what it cannot answer', async () => {
    const approved = (await list('viewer', { modelName: model, status: 'APPROVED' })).data!.promotionRequests.edges.map(
      (e: any) => e.node,
    );
    expect(approved.map((n: any) => n.target)).toEqual([
      { stage: null, alias: 'production' },
      { stage: 'CANARY', alias: null },
    ]);
    const one = async (after: string | null) =>
      (await list('viewer', { modelName: model }, 1, after)).data!.promotionRequests;
    const seen: string[] = [];
    let page = await one(null);
    seen.push(...page.edges.map((e: any) => e.node.id));
    while (page.pageInfo.hasNextPage) {
      page = await one(page.pageInfo.endCursor);
      seen.push(...page.edges.map((e: any) => e.node.id));
    }
    expect(seen).toHaveLength(3);
    expect(seen.slice(1)).toEqual([toAlias, toCanary]);
    expect(code(await list('reviewer', { approvableByViewer: true, status: 'APPROVED' }))).toBe('BAD_USER_INPUT');
    expect(code(await list('reviewer', {}, 10, 'not-a-cursor'))).toBe('BAD_USER_INPUT');
    expect(
      (await gql(t.url, REQUESTS, { filter: { modelName: model }, first: 5 }, { authorization: '' })).errors?.[0]
        ?.extensions?.code,
    ).toBe('UNAUTHENTICATED');
  });
});

describe('deployments: what runs where', () => {
  it('lists the deployments that existed at an instant, each as it served then', async () => {
    const model = await createModel(t.url, uniq('deployed'));
    await createVersion(t.url, model, { metrics: [{ key: 'auc', value: 0.9 }] });
    await createVersion(t.url, model, { metrics: [{ key: 'auc', value: 0.91 }] });
    const prefix = uniq('dep');
    const record = (name: string, version: number) =>
      gqlOk(t.url, contractOp('RecordDeployment'), {
        input: { name, environment: 'staging', models: [{ ref: { modelName: model, version }, checksum: sha('a') }] },
      });
    await record(`${prefix}-a`, 1);
    const between = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    await record(`${prefix}-a`, 2);
    await record(`${prefix}-b`, 2);
    // Logged predictions name their deployment under recordDeployment's rule: a name it refuses is refused here too,
    // writing nothing.
    const log = (deployment: string) =>
      gql(t.url, contractOp('LogPredictions'), {
        input: { model: { modelName: model, version: 1 }, deployment, predictions: [{ id: uniq('pred') }] },
      });
    const before = await graphDigest();
    const refused = await log(`${prefix} served by predictions`);
    expect(code(refused)).toBe('BAD_USER_INPUT');
    expect(refused.errors?.[0]?.message).toMatch(/deployment must be a deployment name/);
    expect(await graphDigest()).toEqual(before);
    expect((await log(`${prefix}-c`)).errors).toBeUndefined();
    const Q = `query($at: DateTime, $first: Int, $after: String) { deployments(at: $at, first: $first, after: $after) {
      totalCount edges { node { name environment serving { modelVersion { version } } } } pageInfo { hasNextPage endCursor } } }`;
    const ours = async (at: string | null) => {
      const found: any[] = [];
      let after: string | null = null;
      let total = 0;
      for (let i = 0; i < 50; i++) {
        const c: any = (await gqlOk(t.url, Q, { at, first: 100, after }, as(p.tokens.viewer))).deployments;
        total = c.totalCount;
        found.push(...c.edges.map((e: any) => e.node).filter((n: any) => n.name.startsWith(prefix)));
        if (!c.pageInfo.hasNextPage) break;
        after = c.pageInfo.endCursor;
      }
      return { found, total };
    };
    const now = await ours(null);
    expect(now.found.map((d) => [d.name, d.serving.map((s: any) => s.modelVersion.version)])).toEqual([
      [`${prefix}-a`, [2]],
      [`${prefix}-b`, [2]],
    ]);
    const then = await ours(between);
    expect(then.found.map((d) => [d.name, d.serving.map((s: any) => s.modelVersion.version)])).toEqual([
      [`${prefix}-a`, [1]],
    ]);
    expect(then.total).toBeLessThan(now.total);
  });
});

describe('lineage with grouping: the explorer at scale', () => {
  it('shows a version with 20,000 predictions as two nodes, and opens the group on demand', async () => {
    const model = await createModel(t.url, uniq('wide'));
    const v = await createVersion(t.url, model, { metrics: [{ key: 'auc', value: 0.9 }] });
    const stamp = uniq('p');
    await logManyPredictions(t.url, model, 1, stamp, 20_000);
    const grouped = (await gqlOk(t.url, LINEAGE, { id: v.id, direction: 'BOTH', depth: 3, grouping: {} })).lineage;
    expect(grouped.nodes).toEqual([]);
    expect(grouped.truncated).toBe(false);
    expect(grouped.groups).toEqual([
      {
        id: expect.stringMatching(/^group:/),
        kind: 'Prediction',
        relation: 'MADE_BY',
        count: 20_000,
        shown: 0,
        depth: 1,
        attachedTo: v.id,
        upstream: false,
      },
    ]);
    const group = grouped.groups[0].id;
    expect(grouped.edges).toEqual([{ from: group, to: v.id, relation: 'MADE_BY' }]);

    const opened = (
      await gqlOk(t.url, LINEAGE, {
        id: v.id,
        direction: 'DOWNSTREAM',
        depth: 3,
        grouping: { expand: [{ group, show: 3 }] },
      })
    ).lineage;
    expect(opened.nodes.map((n: any) => n.id)).toEqual([`${stamp}-00000`, `${stamp}-00001`, `${stamp}-00002`]);
    expect(opened.groups).toEqual([expect.objectContaining({ id: group, count: 19_997, shown: 3 })]);
    expect(opened.edges).toEqual(
      expect.arrayContaining([
        { from: `${stamp}-00000`, to: v.id, relation: 'MADE_BY' },
        { from: group, to: v.id, relation: 'MADE_BY' },
      ]),
    );
    // Without grouping the same question stops at the node budget.
    expect((await gqlOk(t.url, LINEAGE, { id: v.id, direction: 'DOWNSTREAM', depth: 1 })).lineage.truncated).toBe(true);
    expect(
      code(
        await gql(t.url, LINEAGE, {
          id: v.id,
          direction: 'DOWNSTREAM',
          grouping: { expand: [{ group: 'group:nope', show: 1 }] },
        }),
      ),
    ).toBe('BAD_USER_INPUT');
    expect(code(await gql(t.url, LINEAGE, { id: v.id, direction: 'DOWNSTREAM', grouping: { above: 0 } }))).toBe(
      'BAD_USER_INPUT',
    );
  }, 180_000);

  it('groups a dataset feeding many versions level by level, and keeps every node it walked', async () => {
    const ds = (
      await gqlOk(t.url, contractOp('RegisterDatasetVersion'), {
        input: { dataset: uniq('feed'), version: '1', hash: sha('f'), uri: 's3://feed/1' },
      })
    ).registerDatasetVersion.id;
    const versions: string[] = [];
    for (let i = 0; i < 12; i++) {
      const run = (
        await gqlOk(t.url, contractOp('CreateRun'), {
          input: { name: `train-${i}`, inputs: [{ datasetVersionId: ds, role: 'train' }] },
        })
      ).createRun.id;
      const model = await createModel(t.url, uniq(`fed${i}`));
      versions.push((await createVersion(t.url, model, { runId: run, metrics: [{ key: 'auc', value: 0.9 }] })).id);
    }
    const g = (await gqlOk(t.url, LINEAGE, { id: ds, direction: 'DOWNSTREAM', depth: 4, grouping: { above: 8 } }))
      .lineage;
    expect(g.nodes).toEqual([]);
    const [runs, models] = g.groups;
    expect(runs).toMatchObject({ kind: 'Run', relation: 'USED', count: 12, attachedTo: ds, upstream: false, depth: 1 });
    expect(models).toMatchObject({
      kind: 'ModelVersion',
      relation: 'PRODUCED_BY',
      count: 12,
      attachedTo: runs.id,
      depth: 2,
    });
    // Opening the runs shows two of them with their versions; the rest stay grouped.
    const opened = (
      await gqlOk(t.url, LINEAGE, {
        id: ds,
        direction: 'DOWNSTREAM',
        depth: 4,
        grouping: { above: 8, expand: [{ group: runs.id, show: 2 }] },
      })
    ).lineage;
    expect(opened.nodes.map((n: any) => n.kind)).toEqual(['Run', 'Run', 'ModelVersion', 'ModelVersion']);
    expect(opened.groups.map((x: any) => [x.id, x.count])).toEqual([
      [runs.id, 10],
      [models.id, 10],
    ]);
    // Shown and grouped together are exactly what the ungrouped lineage returns.
    const flat = (await gqlOk(t.url, LINEAGE, { id: ds, direction: 'DOWNSTREAM', depth: 4 })).lineage;
    expect(flat.nodes).toHaveLength(24);
    expect(opened.nodes.length + opened.groups.reduce((n: number, x: any) => n + x.count, 0)).toBe(flat.nodes.length);
    const above = (await gqlOk(t.url, LINEAGE, { id: ds, direction: 'DOWNSTREAM', depth: 4, grouping: { above: 100 } }))
      .lineage;
    expect(above.groups).toEqual([]);
    expect(new Set(above.nodes.map((n: any) => n.id))).toEqual(new Set(flat.nodes.map((n: any) => n.id)));
    expect(new Set(above.edges.map((e: any) => JSON.stringify(e)))).toEqual(
      new Set(flat.edges.map((e: any) => JSON.stringify(e))),
    );
    expect(versions.every((id) => above.nodes.some((n: any) => n.id === id))).toBe(true);
  }, 180_000);

  it('labels a run reported through OpenLineage with its job, between the datasets it read and wrote', async () => {
    const runId = newRunId();
    const job = { namespace: 'etl', name: uniq('clean') };
    const out = { namespace: 's3://warehouse', name: uniq('clean_tx'), version: '1' };
    const input = { namespace: 's3://landing', name: uniq('tx') };
    expect(
      (
        await postLineage(baseOf(t.url), {
          eventType: 'START',
          eventTime: new Date().toISOString(),
          producer: 'https://example.com/t',
          schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
          run: { runId, facets: {} },
          job: { ...job, facets: {} },
          inputs: [{ ...input, facets: {} }],
          outputs: [],
        })
      ).status,
    ).toBe(200);
    const done = await postLineage(baseOf(t.url), {
      eventType: 'COMPLETE',
      eventTime: new Date().toISOString(),
      producer: 'https://example.com/t',
      schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
      run: { runId, facets: {} },
      job: { ...job, facets: {} },
      inputs: [{ ...input, facets: {} }],
      outputs: [
        {
          namespace: out.namespace,
          name: out.name,
          facets: {
            version: {
              _producer: 'https://example.com/t',
              _schemaURL: 'https://openlineage.io/spec/facets/1-0-0/DatasetVersionDatasetFacet.json',
              datasetVersion: out.version,
            },
          },
        },
      ],
    });
    expect(done.status).toBe(200);
    const outputId: string = done.body.outputs[0].id;
    const g = (await gqlOk(t.url, LINEAGE, { id: outputId, direction: 'UPSTREAM', depth: 3, grouping: {} })).lineage;
    const run = g.nodes.find((n: any) => n.kind === 'Run');
    expect(run).toMatchObject({ id: runId, job: `etl/${job.name}` });
    expect(g.edges).toEqual(expect.arrayContaining([{ from: outputId, to: runId, relation: 'PRODUCED_BY' }]));
    expect(g.nodes.some((n: any) => n.kind === 'DataSource' || n.kind === 'DatasetVersion')).toBe(true);
  });
});
