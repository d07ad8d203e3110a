import neo4j from 'neo4j-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegistryPort } from '../../src/governance/promotion.service.js';
import { Role } from '../../src/governance/roles.js';
import { graphDigest } from '../support/graph-digest.js';
import { uniq } from '../support/graphql.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * The approval rules and their concurrency against the real database. Until
 * the registry is merged, models and versions are fixture nodes (the shapes of
 * docs/graph.md) and carrying a promotion out is a no-op port: what is tested
 * here is who may approve, when a request closes, and that it closes once.
 */
const noopRegistry: RegistryPort = {
  resolveVersion: async (_tx, ref) => ({ modelName: ref.modelName, version: ref.version ?? 1, stage: 'STAGING' }),
  transitionStage: async () => undefined,
  setAlias: async () => undefined,
};

describe('promotion requests (service, real Neo4j)', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
    t.app.services.promotions.useRegistry(noopRegistry);
  });
  afterAll(async () => {
    await t?.close();
  });

  async function fixtureModel(owners: string[]): Promise<string> {
    const name = uniq('gov-model');
    const s = t.app.executor.driver.session();
    try {
      await s.run(
        `CREATE (m:RegisteredModel {id: randomUUID(), name: $name, owners: $owners})
         CREATE (v:ModelVersion {id: randomUUID(), modelName: $name, version: $one, stage: 'STAGING'})-[:VERSION_OF]->(m)`,
        { name, owners, one: neo4j.int(1) },
      );
    } finally {
      await s.close();
    }
    return name;
  }

  const carl = { name: 'carl', role: Role.CONTRIBUTOR };
  const otto = { name: 'otto', role: Role.CONTRIBUTOR }; // owner
  const rita = { name: 'rita', role: Role.REVIEWER };
  const ray = { name: 'ray', role: Role.ADMIN };
  const vic = { name: 'vic', role: Role.CONTRIBUTOR };

  it('PRODUCTION: self-approval, same approver twice, approver without the role are refused; owner + reviewer carry it out', async () => {
    const model = await fixtureModel(['otto']);
    const p = t.app.services.promotions;
    const req = await p.requestPromotion(carl, { modelName: model, version: 1 }, { stage: 'PRODUCTION' }, [{ kind: 'metrics', uri: 'https://ci.example/run/1', summary: 'auc 0.91' }]);
    expect(req).toMatchObject({ status: 'PENDING', requestedBy: 'carl', rule: 'TWO_PERSON', evidence: [{ kind: 'metrics' }] });

    const before = await graphDigest();
    await expect(p.approve(carl, req.id, 'lgtm')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(p.approve(vic, req.id, null)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await graphDigest()).hash).toBe(before.hash);

    const one = await p.approve(rita, req.id, 'reviewed');
    expect(one.status).toBe('PENDING');
    await expect(p.approve(rita, req.id, 'again')).rejects.toMatchObject({ code: 'CONFLICT' });
    const two = await p.approve(otto, req.id, 'owner ok');
    expect(two.status).toBe('APPROVED');
    expect(two.approvals.map((a) => a.approver)).toEqual(['rita', 'otto']);
    await expect(p.approve(ray, req.id, null)).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('PRODUCTION without an owner among the approvers stays pending', async () => {
    const model = await fixtureModel(['otto']);
    const p = t.app.services.promotions;
    const req = await p.requestPromotion(carl, { modelName: model, version: 1 }, { alias: 'production' }, []);
    await p.approve(rita, req.id, null);
    expect((await p.approve(ray, req.id, null)).status).toBe('PENDING');
    expect((await p.approve(otto, req.id, null)).status).toBe('APPROVED');
  });

  it('CANARY needs one reviewer other than the requester', async () => {
    const model = await fixtureModel(['otto']);
    const p = t.app.services.promotions;
    const req = await p.requestPromotion(rita, { modelName: model, version: 1 }, { stage: 'CANARY' }, null);
    expect(req.rule).toBe('ONE_REVIEWER');
    await expect(p.approve(rita, req.id, null)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(p.approve(otto, req.id, null)).rejects.toMatchObject({ code: 'FORBIDDEN' }); // owner, not reviewer
    expect((await p.approve(ray, req.id, null)).status).toBe('APPROVED');
  });

  it('non-promotions are refused: STAGING, unprotected aliases', async () => {
    const model = await fixtureModel([]);
    const p = t.app.services.promotions;
    await expect(p.requestPromotion(carl, { modelName: model, version: 1 }, { stage: 'STAGING' }, null)).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(p.requestPromotion(carl, { modelName: model, version: 1 }, { alias: 'shadow' }, null)).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(p.requestPromotion(carl, { modelName: model, version: 1 }, { stage: 'PRODUCTION', alias: 'x' } as any, null)).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('expired requests cannot be approved', async () => {
    const model = await fixtureModel(['otto']);
    const p = t.app.services.promotions;
    const req = await p.requestPromotion(carl, { modelName: model, version: 1 }, { stage: 'PRODUCTION' }, null);
    const s = t.app.executor.driver.session();
    try {
      await s.run('MATCH (r:PromotionRequest {id: $id}) SET r.expiresAt = datetime.realtime() - duration({minutes: 1})', { id: req.id });
    } finally {
      await s.close();
    }
    expect((await p.get(req.id))!.status).toBe('EXPIRED');
    await expect(p.approve(rita, req.id, null)).rejects.toMatchObject({ code: 'CONFLICT', details: { status: 'EXPIRED' } });
  });

  it('rejection closes a request with its reason; only requester, owner or reviewer may reject', async () => {
    const model = await fixtureModel(['otto']);
    const p = t.app.services.promotions;
    const req = await p.requestPromotion(carl, { modelName: model, version: 1 }, { stage: 'PRODUCTION' }, null);
    await expect(p.reject(vic, req.id, 'nope')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const r = await p.reject(rita, req.id, 'fairness gap on segment B');
    expect(r).toMatchObject({ status: 'REJECTED', decidedBy: 'rita', reason: 'fairness gap on segment B' });
    await expect(p.approve(otto, req.id, null)).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('20 concurrent approvals: carried out exactly once, never with fewer than two approvers', async () => {
    const owners = Array.from({ length: 10 }, (_, i) => `owner${i}`);
    const model = await fixtureModel(owners);
    const p = t.app.services.promotions;
    const req = await p.requestPromotion(carl, { modelName: model, version: 1 }, { stage: 'PRODUCTION' }, null);
    const approvers = [
      ...owners.map((name) => ({ name, role: Role.CONTRIBUTOR })),
      ...Array.from({ length: 10 }, (_, i) => ({ name: `reviewer${i}`, role: Role.REVIEWER })),
    ];
    const results = await Promise.allSettled(approvers.map((a) => p.approve(a, req.id, 'concurrent')));
    const approvedNow = results.filter((r) => r.status === 'fulfilled' && r.value.status === 'APPROVED');
    expect(approvedNow).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'CONFLICT' });
    const final = (await p.get(req.id))!;
    expect(final.status).toBe('APPROVED');
    expect(new Set(final.approvals.map((a) => a.approver)).size).toBeGreaterThanOrEqual(2);
    expect(final.approvals.some((a) => a.asOwner)).toBe(true);
    expect(final.approvals.some((a) => a.role === 'REVIEWER')).toBe(true);
    const s = t.app.executor.driver.session();
    try {
      const ev = await s.run("MATCH (e:Event {type: 'PROMOTION_APPROVED', subjectId: $id}) RETURN count(e) AS c", { id: req.id });
      expect(ev.records[0]!.get('c').toNumber()).toBe(1);
    } finally {
      await s.close();
    }
  });

  it('protected targets without a request are GATE_FAILED naming requestPromotion (the registry hook)', async () => {
    const model = await fixtureModel([]);
    const p = t.app.services.promotions;
    const hook = (change: Parameters<typeof p.assertDirectChangeAllowed>[1]) =>
      t.app.executor.readTx((tx) => p.assertDirectChangeAllowed(tx, change), 'test');
    await expect(hook({ modelName: model, stage: 'PRODUCTION' })).rejects.toMatchObject({ code: 'GATE_FAILED', message: expect.stringMatching(/requestPromotion/) });
    await expect(hook({ modelName: model, stage: 'CANARY' })).rejects.toMatchObject({ code: 'GATE_FAILED' });
    await expect(hook({ modelName: model, alias: 'champion' })).rejects.toMatchObject({ code: 'GATE_FAILED', message: expect.stringMatching(/requestPromotion/) });
    await expect(hook({ modelName: model, stage: 'STAGING' })).resolves.toBeUndefined();
    await expect(hook({ modelName: model, alias: 'shadow' })).resolves.toBeUndefined();
    await p.setProtectedAliases({ name: 'ray', role: Role.ADMIN }, model, ['shadow']);
    await expect(hook({ modelName: model, alias: 'shadow' })).rejects.toMatchObject({ code: 'GATE_FAILED' });
    await expect(hook({ modelName: model, alias: 'production' })).resolves.toBeUndefined();
  });

  it('owners: an ADMIN or a current owner may set them; others are FORBIDDEN', async () => {
    const model = await fixtureModel(['otto']);
    const p = t.app.services.promotions;
    await expect(p.setModelOwners(vic, model, ['vic'])).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await p.setModelOwners(otto, model, ['otto', 'vic', 'otto'])).toEqual({ name: model, owners: ['otto', 'vic'] });
    expect(await p.setModelOwners(ray, model, ['rita'])).toEqual({ name: model, owners: ['rita'] });
    await expect(p.setModelOwners(ray, uniq('nope'), ['x'])).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
