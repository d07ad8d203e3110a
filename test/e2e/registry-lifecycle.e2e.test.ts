import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractOp } from '../support/contract.js';
import { createModel, createVersion } from '../support/fixtures.js';
import { graphDigest } from '../support/graph-digest.js';
import { code, gql, gqlOk } from '../support/graphql.js';
import { startTestServer, type TestServer } from '../support/server.js';

let t: TestServer;
beforeAll(async () => {
  // The registry's own rules, without governance's two-person guard (tested in promotion.e2e).
  t = await startTestServer({}, { withoutPromotionGuard: true });
});
afterAll(async () => {
  await t?.close();
});

const transition = (modelName: string, version: number, stage: string, comment?: string) =>
  gql(t.url, contractOp('TransitionStage'), { ref: { modelName, version }, stage, comment });
const evidence = (modelName: string, version: number, kind: string, passed = true) =>
  gqlOk(
    t.url,
    'mutation($ref: ModelVersionRefInput!, $e: EvidenceInput!) { addModelVersionEvidence(ref: $ref, evidence: $e) { kind passed } }',
    {
      ref: { modelName, version },
      e: { kind, passed, summary: `${kind} done` },
    },
  );

/** The PRODUCTION gate also needs the model card's required human sections (operations). */
async function fillCard(name: string) {
  for (const title of ['Intended use and users', 'Limitations and failure modes']) {
    await gqlOk(
      t.url,
      'mutation($n: String!, $t: String!) { setModelCardSection(modelName: $n, title: $t, body: "Written for the test.") { revision } }',
      { n: name, t: title },
    );
  }
}

async function toProduction(name: string, version: number, archiveExisting = false) {
  await fillCard(name);
  for (const k of ['HUMAN_REVIEW', 'FAIRNESS_CHECK', 'SLO_VALIDATION', 'SIGN_OFF']) await evidence(name, version, k);
  for (const stage of ['STAGING', 'CANARY']) expect((await transition(name, version, stage)).errors).toBeUndefined();
  const r = await gql(
    t.url,
    'mutation($ref: ModelVersionRefInput!, $a: Boolean!) { transitionModelVersionStage(ref: $ref, stage: PRODUCTION, archiveExisting: $a) { version stage } }',
    {
      ref: { modelName: name, version },
      a: archiveExisting,
    },
  );
  expect(r.errors).toBeUndefined();
}

describe('lifecycle gates', () => {
  it('→ STAGING needs a metric when no thresholds are configured', async () => {
    const name = await createModel(t.url);
    await createVersion(t.url, name);
    const before = await graphDigest();
    const r = await transition(name, 1, 'STAGING');
    expect(code(r)).toBe('GATE_FAILED');
    expect(r.errors![0]!.message).toMatch(/no metrics/);
    expect(await graphDigest()).toEqual(before);
    await createVersion(t.url, name, { metrics: [{ key: 'auc', value: 0.5 }] });
    expect((await transition(name, 2, 'STAGING')).data.transitionModelVersionStage).toEqual({
      version: 2,
      stage: 'STAGING',
    });
  });

  it('→ STAGING checks the configured thresholds and names the unmet one', async () => {
    const name = await createModel(t.url);
    await gqlOk(
      t.url,
      'mutation($n: String!) { setModelGates(modelName: $n, thresholds: [{ metric: "val_auc", op: GTE, value: 0.85 }]) { name gates { metric op value } } }',
      { n: name },
    );
    await createVersion(t.url, name, { metrics: [{ key: 'val_auc', value: 0.8 }] });
    await createVersion(t.url, name, { metrics: [{ key: 'val_auc', value: 0.86 }] });
    const before = await graphDigest();
    const r = await transition(name, 1, 'STAGING');
    expect(code(r)).toBe('GATE_FAILED');
    expect(r.errors![0]!.message).toMatch(/val_auc ≥ 0.85 \(has 0.8\)/);
    expect(await graphDigest()).toEqual(before);
    expect((await transition(name, 2, 'STAGING')).errors).toBeUndefined();
  });

  it('→ CANARY needs review and fairness evidence; → PRODUCTION only from CANARY with SLO validation and sign-off', async () => {
    const name = await createModel(t.url);
    await createVersion(t.url, name, { metrics: [{ key: 'auc', value: 0.9 }] });
    expect((await transition(name, 1, 'STAGING')).errors).toBeUndefined();
    let r = await transition(name, 1, 'PRODUCTION');
    expect(code(r)).toBe('GATE_FAILED');
    expect(r.errors![0]!.message).toMatch(/next stage is CANARY/);
    r = await transition(name, 1, 'CANARY');
    expect(code(r)).toBe('GATE_FAILED');
    expect(r.errors![0]!.message).toMatch(/HUMAN_REVIEW and FAIRNESS_CHECK/);
    await evidence(name, 1, 'HUMAN_REVIEW');
    await evidence(name, 1, 'FAIRNESS_CHECK', false);
    expect(code(await transition(name, 1, 'CANARY'))).toBe('GATE_FAILED');
    await evidence(name, 1, 'FAIRNESS_CHECK');
    expect((await transition(name, 1, 'CANARY')).errors).toBeUndefined();
    r = await transition(name, 1, 'PRODUCTION');
    expect(r.errors![0]!.message).toMatch(/SLO_VALIDATION and SIGN_OFF/);
    await evidence(name, 1, 'SLO_VALIDATION');
    await evidence(name, 1, 'SIGN_OFF');
    r = await transition(name, 1, 'PRODUCTION');
    expect(r.errors![0]!.message).toMatch(/model card/);
    await fillCard(name);
    expect((await transition(name, 1, 'PRODUCTION')).data.transitionModelVersionStage).toEqual({
      version: 1,
      stage: 'PRODUCTION',
    });
    expect(code(await transition(name, 1, 'PRODUCTION'))).toBe('BAD_USER_INPUT');
  });

  it('PRODUCTION → ARCHIVED only once another version is in PRODUCTION; archiveExisting archives the previous one', async () => {
    const name = await createModel(t.url);
    await createVersion(t.url, name, { metrics: [{ key: 'auc', value: 0.9 }] });
    await createVersion(t.url, name, { metrics: [{ key: 'auc', value: 0.92 }] });
    await toProduction(name, 1);
    const before = await graphDigest();
    const r = await transition(name, 1, 'ARCHIVED');
    expect(code(r)).toBe('GATE_FAILED');
    expect(r.errors![0]!.message).toMatch(/only version in PRODUCTION/);
    expect(await graphDigest()).toEqual(before);
    await toProduction(name, 2, true);
    const v1 = await gqlOk(t.url, contractOp('GetModelVersion'), { modelName: name, version: 1 });
    expect(v1.modelVersion.stage).toBe('ARCHIVED');
    // Rollback: a version that was in PRODUCTION may return directly, with a reason.
    expect(code(await transition(name, 1, 'PRODUCTION'))).toBe('GATE_FAILED');
    expect(
      (await transition(name, 1, 'PRODUCTION', 'v2 regressed on EU traffic')).data.transitionModelVersionStage.stage,
    ).toBe('PRODUCTION');
    const log = await gqlOk(t.url, contractOp('AuditLog'), { filter: { modelName: name, types: ['STAGE_ROLLBACK'] } });
    expect(log.auditLog.edges.map((e: any) => e.node)).toEqual([
      expect.objectContaining({
        type: 'STAGE_ROLLBACK',
        modelName: name,
        version: 1,
        before: { stage: 'ARCHIVED' },
        after: { stage: 'PRODUCTION', comment: 'v2 regressed on EU traffic' },
      }),
    ]);
  });
});

describe('audit log', () => {
  it('records every mutation with sequence, type, actor, before and after; filters by model, types and time; pages', async () => {
    const name = await createModel(t.url);
    const start = new Date().toISOString();
    await createVersion(t.url, name, { metrics: [{ key: 'auc', value: 0.9 }] });
    await gqlOk(t.url, contractOp('SetRegisteredModelTag'), { modelName: name, key: 'team', value: 'risk' });
    await gqlOk(t.url, contractOp('SetRegisteredModelAlias'), { modelName: name, alias: 'challenger', version: 1 });
    expect((await transition(name, 1, 'STAGING')).errors).toBeUndefined();
    const all = await gqlOk(t.url, contractOp('AuditLog'), { filter: { modelName: name } });
    const events = all.auditLog.edges.map((e: any) => e.node);
    expect(events.map((e: any) => e.type)).toEqual([
      'MODEL_CREATED',
      'VERSION_CREATED',
      'MODEL_TAG_SET',
      'ALIAS_SET',
      'STAGE_CHANGED',
    ]);
    expect(events.every((e: any) => e.actor && e.at && /^\d+$/.test(e.sequence))).toBe(true);
    expect(events[4]).toMatchObject({ version: 1, before: { stage: 'DEVELOPMENT' }, after: { stage: 'STAGING' } });
    const since = await gqlOk(t.url, contractOp('AuditLog'), {
      filter: { modelName: name, after: start, types: ['ALIAS_SET', 'STAGE_CHANGED'] },
      first: 1,
    });
    expect(since.auditLog.edges.map((e: any) => e.node.type)).toEqual(['ALIAS_SET']);
    expect(since.auditLog.pageInfo.hasNextPage).toBe(true);
    const next = await gqlOk(t.url, contractOp('AuditLog'), {
      filter: { modelName: name, after: start, types: ['ALIAS_SET', 'STAGE_CHANGED'] },
      first: 1,
      after: since.auditLog.pageInfo.endCursor,
    });
    expect(next.auditLog.edges.map((e: any) => e.node.type)).toEqual(['STAGE_CHANGED']);
    expect(next.auditLog.pageInfo.hasNextPage).toBe(false);
    expect(code(await gql(t.url, contractOp('AuditLog'), { after: 'garbage' }))).toBe('BAD_USER_INPUT');
    // A type that is not an event type name could match nothing: refused, as by the subscriptions.
    expect(code(await gql(t.url, contractOp('AuditLog'), { filter: { types: ["'}) DETACH DELETE n //"] } }))).toBe(
      'BAD_USER_INPUT',
    );
  });
});
