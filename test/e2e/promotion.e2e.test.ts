import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractOp } from '../support/contract.js';
import { createModel, createVersion } from '../support/fixtures.js';
import { graphDigest } from '../support/graph-digest.js';
import { as, code, gql, gqlOk, uniq } from '../support/graphql.js';
import { startTestServer, type TestServer } from '../support/server.js';

/** Reviewed and two-person promotion through the contract operations, with real tokens per principal. */
describe('promotion: reviewed and two-person', () => {
  let t: TestServer;
  const tok: Record<string, string> = {};
  const names: Record<string, string> = {};
  beforeAll(async () => {
    t = await startTestServer();
    for (const [who, role] of [
      ['carl', 'CONTRIBUTOR'],
      ['otto', 'CONTRIBUTOR'],
      ['rita', 'REVIEWER'],
      ['ray', 'ADMIN'],
      ['vic', 'CONTRIBUTOR'],
      ['rex', 'REVIEWER'],
    ] as const) {
      names[who] = uniq(who);
      tok[who] = (await gqlOk(t.url, contractOp('CreateApiToken'), { name: names[who], role })).createApiToken.token;
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  const request = (who: string, ref: object, target: object, evidence: object[] | null = null) =>
    gql(t.url, contractOp('RequestPromotion'), { ref, target, evidence }, as(tok[who]!));
  const approve = (who: string, id: string, comment: string | null = null) =>
    gql(t.url, contractOp('ApprovePromotion'), { id, comment }, as(tok[who]!));
  const reject = (who: string, id: string, reason: string) =>
    gql(t.url, contractOp('RejectPromotion'), { id, reason }, as(tok[who]!));

  async function ownedModel(owners: string[] = [names.otto!]): Promise<string> {
    const name = await createModel(t.url);
    await createVersion(t.url, name, { metrics: [{ key: 'auc', value: 0.9 }] });
    await createVersion(t.url, name, { metrics: [{ key: 'auc', value: 0.92 }] });
    await gqlOk(t.url, contractOp('SetModelOwners'), { modelName: name, owners });
    // → PRODUCTION also needs the model card's required human sections (operations).
    for (const title of ['Intended use and users', 'Limitations and failure modes']) {
      await gqlOk(
        t.url,
        'mutation($n: String!, $t: String!) { setModelCardSection(modelName: $n, title: $t, body: "Written for the test.") { revision } }',
        { n: name, t: title },
      );
    }
    return name;
  }
  async function evidence(name: string, version: number, kinds: string[]): Promise<void> {
    for (const kind of kinds) {
      await gqlOk(
        t.url,
        'mutation($ref: ModelVersionRefInput!, $e: EvidenceInput!) { addModelVersionEvidence(ref: $ref, evidence: $e) { kind } }',
        { ref: { modelName: name, version }, e: { kind, passed: true } },
      );
    }
  }
  const stageOf = async (name: string, version: number) =>
    (await gqlOk(t.url, contractOp('GetModelVersion'), { modelName: name, version })).modelVersion.stage;
  const aliasOf = async (name: string, alias: string) =>
    (await gql(t.url, contractOp('GetModelVersionByAlias'), { modelName: name, alias })).data?.modelVersionByAlias
      ?.version ?? null;

  it('direct moves to protected targets are GATE_FAILED naming requestPromotion; unprotected ones work', async () => {
    const name = await ownedModel();
    await gqlOk(
      t.url,
      contractOp('TransitionStage'),
      { ref: { modelName: name, version: 1 }, stage: 'STAGING' },
      as(tok.carl!),
    );
    await evidence(name, 1, ['HUMAN_REVIEW', 'FAIRNESS_CHECK']);
    const before = await graphDigest();
    for (const r of [
      await gql(t.url, contractOp('TransitionStage'), { ref: { modelName: name, version: 1 }, stage: 'CANARY' }),
      await gql(t.url, contractOp('SetRegisteredModelAlias'), { modelName: name, alias: 'production', version: 1 }),
      await gql(
        t.url,
        contractOp('SetRegisteredModelAlias'),
        { modelName: name, alias: 'champion', version: 1 },
        as(tok.carl!),
      ),
    ]) {
      expect(code(r)).toBe('GATE_FAILED');
      expect(r.errors![0]!.message).toMatch(/requestPromotion/);
    }
    expect((await graphDigest()).hash).toBe(before.hash);
    expect(
      (
        await gqlOk(
          t.url,
          contractOp('SetRegisteredModelAlias'),
          { modelName: name, alias: 'shadow', version: 1 },
          as(tok.carl!),
        )
      ).setRegisteredModelAlias.version.version,
    ).toBe(1);
  });

  it('a promotion may target any alias the registry accepts, and only those (one alias rule)', async () => {
    const name = await ownedModel();
    // Names setRegisteredModelAlias accepts: a leading "_" or ".", up to 128 characters.
    const accepted = ['_blue', '.canary-eu', 'a'.repeat(128)];
    for (const alias of accepted) {
      expect(
        (
          await gqlOk(
            t.url,
            contractOp('SetRegisteredModelAlias'),
            { modelName: name, alias, version: 1 },
            as(tok.carl!),
          )
        ).setRegisteredModelAlias.alias,
      ).toBe(alias);
    }
    await gqlOk(
      t.url,
      'mutation($n: String!, $a: [String!]!) { setProtectedAliases(modelName: $n, aliases: $a) { protectedAliases } }',
      { n: name, a: accepted },
    );
    for (const alias of accepted)
      expect((await request('carl', { modelName: name, version: 2 }, { alias })).errors).toBeUndefined();
    // Names it refuses are refused for promotions too, with the same message, writing nothing.
    const before = await graphDigest();
    for (const alias of ['a'.repeat(129), 'latest', '42', 'v2', 'has space']) {
      const viaAlias = await gql(
        t.url,
        contractOp('SetRegisteredModelAlias'),
        { modelName: name, alias, version: 1 },
        as(tok.carl!),
      );
      const viaRequest = await request('carl', { modelName: name, version: 2 }, { alias });
      expect([code(viaAlias), code(viaRequest)]).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT']);
      expect(viaRequest.errors![0]!.message).toBe(viaAlias.errors![0]!.message.replace(/^alias/, 'target.alias'));
    }
    expect((await graphDigest()).hash).toBe(before.hash);
  });

  it('CANARY: one approval by a reviewer other than the requester carries it out (registry gates apply)', async () => {
    const name = await ownedModel();
    await gqlOk(
      t.url,
      contractOp('TransitionStage'),
      { ref: { modelName: name, version: 1 }, stage: 'STAGING' },
      as(tok.carl!),
    );
    const req = (
      await request('rita', { modelName: name, version: 1 }, { stage: 'CANARY' }, [
        { kind: 'FAIRNESS_CHECK', uri: 'https://ci.example/fairness/1', summary: 'parity within 2%' },
      ])
    ).data.requestPromotion;
    expect(req).toMatchObject({ status: 'PENDING', requestedBy: names.rita });
    expect(code(await approve('rita', req.id))).toBe('FORBIDDEN'); // self
    expect(code(await approve('otto', req.id))).toBe('FORBIDDEN'); // owner, not a reviewer
    // the registry gate still wants its evidence: the approval fails and writes nothing
    const before = await graphDigest();
    expect(code(await approve('rex', req.id))).toBe('GATE_FAILED');
    expect((await graphDigest()).hash).toBe(before.hash);
    await evidence(name, 1, ['HUMAN_REVIEW', 'FAIRNESS_CHECK']);
    const done = await approve('rex', req.id, 'fairness ok');
    expect(done.data.approvePromotion).toMatchObject({ status: 'APPROVED', approvals: [{ approver: names.rex }] });
    expect(await stageOf(name, 1)).toBe('CANARY');
    // → PRODUCTION: two people, one owner and one reviewer, plus the registry's PRODUCTION evidence
    await evidence(name, 1, ['SLO_VALIDATION', 'SIGN_OFF']);
    const prod = (await request('carl', { modelName: name, version: 1 }, { stage: 'PRODUCTION' })).data
      .requestPromotion;
    expect((await approve('otto', prod.id)).data.approvePromotion.status).toBe('PENDING');
    expect(await stageOf(name, 1)).toBe('CANARY');
    expect((await approve('rex', prod.id)).data.approvePromotion.status).toBe('APPROVED');
    expect(await stageOf(name, 1)).toBe('PRODUCTION');
  });

  it('protected alias: self-approval, same approver twice, approver without the role refused; owner + reviewer carry it out', async () => {
    const name = await ownedModel();
    const req = (await request('carl', { modelName: name, version: 2 }, { alias: 'production' })).data.requestPromotion;
    const before = await graphDigest();
    expect(code(await approve('carl', req.id))).toBe('FORBIDDEN');
    expect(code(await approve('vic', req.id))).toBe('FORBIDDEN');
    expect((await graphDigest()).hash).toBe(before.hash);
    expect((await approve('rita', req.id, 'reviewed')).data.approvePromotion.status).toBe('PENDING');
    expect(code(await approve('rita', req.id, 'again'))).toBe('CONFLICT');
    expect(await aliasOf(name, 'production')).toBeNull();
    const done = (await approve('otto', req.id, 'owner ok')).data.approvePromotion;
    expect(done.status).toBe('APPROVED');
    expect(done.approvals.map((a: any) => a.approver)).toEqual([names.rita, names.otto]);
    expect(await aliasOf(name, 'production')).toBe(2);
    expect(code(await approve('ray', req.id))).toBe('CONFLICT');
    const audit = await gqlOk(t.url, contractOp('AuditLog'), {
      filter: {
        modelName: name,
        types: ['PROMOTION_REQUESTED', 'PROMOTION_APPROVAL_ADDED', 'PROMOTION_APPROVED', 'ALIAS_SET'],
      },
      first: 20,
    });
    expect(audit.auditLog.edges.map((e: any) => e.node.type)).toEqual(
      expect.arrayContaining(['PROMOTION_REQUESTED', 'PROMOTION_APPROVAL_ADDED', 'ALIAS_SET', 'PROMOTION_APPROVED']),
    );
  });

  it("two reviewers without an owner do not carry it out; the owner's approval does", async () => {
    const name = await ownedModel();
    const req = (await request('carl', { modelName: name, version: 1 }, { alias: 'champion' })).data.requestPromotion;
    await approve('rita', req.id);
    expect((await approve('ray', req.id)).data.approvePromotion.status).toBe('PENDING');
    expect(await aliasOf(name, 'champion')).toBeNull();
    expect((await approve('otto', req.id)).data.approvePromotion.status).toBe('APPROVED');
    expect(await aliasOf(name, 'champion')).toBe(1);
  });

  it('expired requests cannot be approved; rejected ones neither; only requester, owner or reviewer may reject', async () => {
    const name = await ownedModel();
    const old = (await request('carl', { modelName: name, version: 1 }, { alias: 'production' })).data.requestPromotion;
    const s = t.app.executor.driver.session();
    try {
      await s.run(
        'MATCH (r:PromotionRequest {id: $id}) SET r.expiresAt = datetime.realtime() - duration({minutes: 1})',
        { id: old.id },
      );
    } finally {
      await s.close();
    }
    const expired = await approve('rita', old.id);
    expect(code(expired)).toBe('CONFLICT');
    expect(expired.errors![0]!.message).toMatch(/expired/);
    const req = (await request('carl', { modelName: name, version: 1 }, { alias: 'production' })).data.requestPromotion;
    expect(code(await reject('vic', req.id, 'no'))).toBe('FORBIDDEN');
    expect((await reject('rita', req.id, 'fairness gap on segment B')).data.rejectPromotion.status).toBe('REJECTED');
    expect(code(await approve('otto', req.id))).toBe('CONFLICT');
  });

  it('20 concurrent approvals of one request: carried out exactly once, never with fewer than two approvers', async () => {
    const owners: string[] = [];
    const tokens: string[] = [];
    for (let i = 0; i < 10; i++) {
      const n = uniq('owner');
      owners.push(n);
      tokens.push(
        (await gqlOk(t.url, contractOp('CreateApiToken'), { name: n, role: 'CONTRIBUTOR' })).createApiToken.token,
      );
    }
    for (let i = 0; i < 10; i++)
      tokens.push(
        (await gqlOk(t.url, contractOp('CreateApiToken'), { name: uniq('reviewer'), role: 'REVIEWER' })).createApiToken
          .token,
      );
    const name = await ownedModel(owners);
    const req = (await request('carl', { modelName: name, version: 2 }, { alias: 'production' })).data.requestPromotion;
    const results = await Promise.all(
      tokens.map((tk) => gql(t.url, contractOp('ApprovePromotion'), { id: req.id, comment: 'concurrent' }, as(tk))),
    );
    const carriedOut = results.filter((r) => r.data?.approvePromotion?.status === 'APPROVED');
    expect(carriedOut).toHaveLength(1);
    for (const r of results) if (r.errors) expect(code(r)).toBe('CONFLICT');
    const approvers = carriedOut[0]!.data.approvePromotion.approvals.map((a: any) => a.approver);
    expect(new Set(approvers).size).toBeGreaterThanOrEqual(2);
    expect(approvers.some((a: string) => owners.includes(a))).toBe(true);
    expect(approvers.some((a: string) => !owners.includes(a))).toBe(true);
    const audit = await gqlOk(t.url, contractOp('AuditLog'), {
      filter: { modelName: name, types: ['PROMOTION_APPROVED', 'ALIAS_SET'] },
      first: 50,
    });
    const types = audit.auditLog.edges.map((e: any) => e.node.type);
    expect(types.filter((x: string) => x === 'PROMOTION_APPROVED')).toHaveLength(1);
    expect(types.filter((x: string) => x === 'ALIAS_SET')).toHaveLength(1);
  });

  it('stage rollback: a REVIEWER returns a former PRODUCTION version directly, with a reason; a CONTRIBUTOR needs a request', async () => {
    const name = await ownedModel();
    for (const version of [1, 2]) {
      await gqlOk(
        t.url,
        contractOp('TransitionStage'),
        { ref: { modelName: name, version }, stage: 'STAGING' },
        as(tok.carl!),
      );
      await evidence(name, version, ['HUMAN_REVIEW', 'FAIRNESS_CHECK', 'SLO_VALIDATION', 'SIGN_OFF']);
      const canary = (await request('carl', { modelName: name, version }, { stage: 'CANARY' })).data.requestPromotion;
      expect((await approve('rex', canary.id)).data.approvePromotion.status).toBe('APPROVED');
      const prod = (await request('carl', { modelName: name, version }, { stage: 'PRODUCTION' })).data.requestPromotion;
      await approve('otto', prod.id);
      expect((await approve('rex', prod.id)).data.approvePromotion.status).toBe('APPROVED');
    }
    await gqlOk(
      t.url,
      contractOp('TransitionStage'),
      { ref: { modelName: name, version: 1 }, stage: 'ARCHIVED' },
      as(tok.rita!),
    );
    const before = await graphDigest();
    const byContributor = await gql(
      t.url,
      contractOp('TransitionStage'),
      { ref: { modelName: name, version: 1 }, stage: 'PRODUCTION', comment: 'v2 regressed' },
      as(tok.carl!),
    );
    expect(code(byContributor)).toBe('GATE_FAILED');
    expect((await graphDigest()).hash).toBe(before.hash);
    const back = await gqlOk(
      t.url,
      contractOp('TransitionStage'),
      { ref: { modelName: name, version: 1 }, stage: 'PRODUCTION', comment: 'v2 regressed' },
      as(tok.rita!),
    );
    expect(back.transitionModelVersionStage).toEqual({ version: 1, stage: 'PRODUCTION' });
    const log = await gqlOk(t.url, contractOp('AuditLog'), { filter: { modelName: name, types: ['STAGE_ROLLBACK'] } });
    expect(log.auditLog.edges.map((e: any) => e.node)).toEqual([
      expect.objectContaining({
        actor: names.rita,
        version: 1,
        after: { stage: 'PRODUCTION', comment: 'v2 regressed' },
      }),
    ]);
  });

  it('a protected alias cannot be deleted directly', async () => {
    const name = await ownedModel();
    const req = (await request('carl', { modelName: name, version: 1 }, { alias: 'champion' })).data.requestPromotion;
    await approve('otto', req.id);
    expect((await approve('rex', req.id)).data.approvePromotion.status).toBe('APPROVED');
    const before = await graphDigest();
    const r = await gql(t.url, contractOp('DeleteRegisteredModelAlias'), { modelName: name, alias: 'champion' });
    expect(code(r)).toBe('GATE_FAILED');
    expect((await graphDigest()).hash).toBe(before.hash);
    expect(await aliasOf(name, 'champion')).toBe(1);
  });

  it('rollback: a REVIEWER moves a protected alias back to an earlier version without a request; others are FORBIDDEN', async () => {
    const name = await ownedModel();
    for (const v of [1, 2]) {
      const req = (await request('carl', { modelName: name, version: v }, { alias: 'production' })).data
        .requestPromotion;
      await approve('rita', req.id);
      await approve('otto', req.id);
    }
    expect(await aliasOf(name, 'production')).toBe(2);
    const vars = { modelName: name, alias: 'production', version: 1, reason: 'latency regression' };
    expect(code(await gql(t.url, contractOp('Rollback'), vars, as(tok.carl!)))).toBe('FORBIDDEN');
    const r = await gqlOk(t.url, contractOp('Rollback'), vars, as(tok.rita!));
    expect(r.rollback).toMatchObject({ alias: 'production', version: { version: 1 }, previousVersion: { version: 2 } });
    const hist = await gqlOk(t.url, contractOp('AuditLog'), {
      filter: { modelName: name, types: ['ROLLBACK'] },
      first: 5,
    });
    expect(hist.auditLog.edges[0].node).toMatchObject({ actor: names.rita, type: 'ROLLBACK' });
    // never pointed there: refused
    const v3 = await createVersion(t.url, name);
    expect(code(await gql(t.url, contractOp('Rollback'), { ...vars, version: v3.version }, as(tok.rita!)))).toBe(
      'GATE_FAILED',
    );
  });

  it('setModelOwners: ADMIN or a current owner; others FORBIDDEN', async () => {
    const name = await ownedModel();
    expect(
      code(await gql(t.url, contractOp('SetModelOwners'), { modelName: name, owners: [names.vic] }, as(tok.vic!))),
    ).toBe('FORBIDDEN');
    const r = await gqlOk(
      t.url,
      contractOp('SetModelOwners'),
      { modelName: name, owners: [names.otto, names.vic] },
      as(tok.otto!),
    );
    expect(r.setModelOwners).toEqual({ name, owners: [names.otto, names.vic] });
  });
});
