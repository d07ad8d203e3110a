import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractOp } from '../support/contract.js';
import { graphDigest } from '../support/graph-digest.js';
import {
  governedModel,
  governedState,
  makePeople,
  mlflow,
  promote,
  toProduction,
  type People,
} from '../support/governed.js';
import { as, code, gql, gqlOk, sha, uniq } from '../support/graphql.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * The integrity findings of the security review (issue 15) that governance
 * closes, each through every transport that reaches the operation: GraphQL
 * and MLflow's REST API. A refusal changes nothing.
 */
describe('integrity: governance holds on every path', () => {
  let t: TestServer;
  let p: People;
  beforeAll(async () => {
    t = await startTestServer();
    p = await makePeople(t.url);
  });
  afterAll(async () => {
    await t?.close();
  });

  const resolve = async (uri: string) =>
    (await gql(t.url, contractOp('ResolveModelUri'), { uri })).data?.resolveModelUri ?? null;
  const request = async (id: string) =>
    (
      await gqlOk(
        t.url,
        'query($id: ID!) { promotionRequest(id: $id) { status reason versionId modelName version } }',
        { id },
      )
    ).promotionRequest;
  const approve = (who: keyof People['tokens'], id: string) =>
    gql(t.url, contractOp('ApprovePromotion'), { id, comment: null }, as(p.tokens[who]));
  const stageOf = async (name: string, version: number) =>
    (await gqlOk(t.url, contractOp('GetModelVersion'), { modelName: name, version })).modelVersion.stage;
  const unchanged = async (call: () => Promise<unknown>) => {
    const before = await graphDigest();
    await call();
    expect((await graphDigest()).hash).toBe(before.hash);
  };

  /** pay v1 from a good source, owned by `owner`, with a pending two-person request for `champion`. */
  async function payWithPendingChampion(): Promise<{ name: string; requestId: string; versionId: string }> {
    const name = uniq('pay');
    await gqlOk(t.url, contractOp('CreateRegisteredModel'), { input: { name } });
    await gqlOk(t.url, contractOp('SetModelOwners'), { modelName: name, owners: [p.names.owner] });
    const v = (
      await gqlOk(
        t.url,
        contractOp('CreateModelVersion'),
        { input: { modelName: name, source: 's3://models/pay/good', checksum: sha('a') } },
        as(p.tokens.contributor),
      )
    ).createModelVersion;
    const req = (
      await gqlOk(
        t.url,
        contractOp('RequestPromotion'),
        { ref: { modelName: name, version: 1 }, target: { alias: 'champion' }, evidence: null },
        as(p.tokens.contributor),
      )
    ).requestPromotion;
    return { name, requestId: req.id, versionId: v.id };
  }

  /** The attacker's second step: a new model under the old name, same owner, v1 from an evil source. */
  async function evilTwin(name: string): Promise<void> {
    await gqlOk(t.url, contractOp('CreateRegisteredModel'), { input: { name } }, as(p.tokens.contributor));
    await gqlOk(t.url, contractOp('SetModelOwners'), { modelName: name, owners: [p.names.owner] });
    await gqlOk(
      t.url,
      contractOp('CreateModelVersion'),
      { input: { modelName: name, source: 's3://evil/backdoor', checksum: sha('e') } },
      as(p.tokens.contributor),
    );
  }

  describe('finding 1: an approved promotion lands on the version it was requested for', () => {
    it("a request is bound to its version node: it reports the node, and the model it reads owners from is that node's", async () => {
      const pay = await payWithPendingChampion();
      const r = await request(pay.requestId);
      expect(r).toMatchObject({ status: 'PENDING', versionId: pay.versionId, modelName: pay.name, version: 1 });
    });

    it('rename then re-create (through MLflow): the contributor may not rename; the owner may, and that cancels the request, which can no longer be approved', async () => {
      const pay = await payWithPendingChampion();
      // The contributor's rename is refused (a pending request makes the rename governed) and writes nothing.
      await unchanged(async () => {
        const r = await mlflow(t.url, p.tokens.contributor, 'POST', 'registered-models/rename', {
          name: pay.name,
          new_name: `${pay.name}-old`,
        });
        expect(r.status).toBe(403);
        expect(r.json.error_code).toBe('PERMISSION_DENIED');
      });
      // The owner renames: the pending request is cancelled, with the reason, in the same transaction.
      const renamed = await mlflow(t.url, p.tokens.owner, 'POST', 'registered-models/rename', {
        name: pay.name,
        new_name: `${pay.name}-old`,
      });
      expect(renamed.status).toBe(200);
      expect(await request(pay.requestId)).toMatchObject({
        status: 'CANCELLED',
        versionId: pay.versionId,
        modelName: `${pay.name}-old`,
      });
      expect((await request(pay.requestId)).reason).toMatch(/renamed/);
      const audit = await gqlOk(t.url, contractOp('AuditLog'), {
        filter: { modelName: pay.name, types: ['PROMOTION_CANCELLED'] },
        first: 5,
      });
      expect(audit.auditLog.edges.map((e: any) => e.node.after.requestId)).toEqual([pay.requestId]);
      await evilTwin(pay.name);
      // Both approvals of the original request are refused: it is closed. Nothing moves.
      await unchanged(async () => {
        expect(code(await approve('owner', pay.requestId))).toBe('CONFLICT');
        expect(code(await approve('reviewer', pay.requestId))).toBe('CONFLICT');
      });
      expect(await resolve(`models:/${pay.name}@champion`)).toBeNull();
      expect(await resolve(`models:/${pay.name}-old@champion`)).toBeNull();
    });

    it('delete then re-create (through GraphQL and MLflow): the delete cancels the request; the evil twin never gets the alias', async () => {
      for (const via of ['graphql', 'mlflow'] as const) {
        const pay = await payWithPendingChampion();
        if (via === 'graphql') {
          await gqlOk(
            t.url,
            'mutation($n: String!) { deleteRegisteredModel(name: $n) { name } }',
            { n: pay.name },
            as(p.tokens.contributor),
          );
        } else {
          expect(
            (await mlflow(t.url, p.tokens.contributor, 'DELETE', 'registered-models/delete', { name: pay.name }))
              .status,
          ).toBe(200);
        }
        expect(await request(pay.requestId)).toMatchObject({ status: 'CANCELLED', versionId: null });
        await evilTwin(pay.name);
        await unchanged(async () => {
          expect(code(await approve('owner', pay.requestId))).toBe('CONFLICT');
          expect(code(await approve('reviewer', pay.requestId))).toBe('CONFLICT');
        });
        expect(await resolve(`models:/${pay.name}@champion`)).toBeNull();
      }
    });

    it('a promotion approved across a rename by an owner carries out on the original version node and signs its digest', async () => {
      // The request is cancelled by the rename, so a new one is made under the new name for the same node.
      const pay = await payWithPendingChampion();
      await mlflow(t.url, p.tokens.owner, 'POST', 'registered-models/rename', {
        name: pay.name,
        new_name: `${pay.name}-2`,
      });
      await evilTwin(pay.name);
      const id = await promote(t.url, p, { modelName: `${pay.name}-2`, version: 1 }, { alias: 'champion' });
      expect((await resolve(`models:/${pay.name}-2@champion`)).source).toBe('s3://models/pay/good');
      expect(await resolve(`models:/${pay.name}@champion`)).toBeNull();
      const envelope = (await gqlOk(t.url, 'query($id: ID!) { promotionRequest(id: $id) { attestation } }', { id }))
        .promotionRequest.attestation;
      const verified = (await gqlOk(t.url, contractOp('VerifyAttestation'), { envelope })).verifyAttestation;
      expect(verified).toMatchObject({ valid: true, subjectDigest: sha('a') });
    });
  });

  describe('deployments bind to nodes', () => {
    it('a deployment follows its model node across a rename: a twin under the old name never shows up in deploymentAt or deploymentHistory', async () => {
      const name = uniq('dep');
      await gqlOk(t.url, contractOp('CreateRegisteredModel'), { input: { name } });
      for (const c of ['1', '2'])
        await gqlOk(t.url, contractOp('CreateModelVersion'), {
          input: { modelName: name, source: `s3://b/${name}/${c}`, checksum: sha(c) },
        });
      await gqlOk(t.url, contractOp('SetRegisteredModelAlias'), { modelName: name, alias: 'blue', version: 1 });
      const deployment = uniq('svc');
      await gqlOk(t.url, contractOp('RecordDeployment'), {
        input: {
          name: deployment,
          environment: 'staging',
          models: [
            { ref: { modelName: name, alias: 'blue' }, weight: 0.5, checksum: sha('1') },
            { ref: { modelName: name, version: 2 }, weight: 0.5, checksum: sha('2') },
          ],
        },
      });
      const renamed = `${name}-r`;
      expect(
        (await mlflow(t.url, p.tokens.contributor, 'POST', 'registered-models/rename', { name, new_name: renamed }))
          .status,
      ).toBe(200);
      await gqlOk(t.url, contractOp('SetRegisteredModelAlias'), { modelName: renamed, alias: 'blue', version: 2 });
      // The twin: the old name again, with its own v1, v2 and its own "blue".
      await gqlOk(t.url, contractOp('CreateRegisteredModel'), { input: { name } });
      for (const c of ['c', 'd', 'e'])
        await gqlOk(t.url, contractOp('CreateModelVersion'), {
          input: { modelName: name, source: `s3://evil/${c}`, checksum: sha(c) },
        });
      await gqlOk(t.url, contractOp('SetRegisteredModelAlias'), { modelName: name, alias: 'blue', version: 3 });
      const now = (
        await gqlOk(t.url, contractOp('DeploymentAt'), {
          name: deployment,
          at: new Date(Date.now() + 1000).toISOString(),
        })
      ).deploymentAt;
      expect(now.serving.map((s: any) => [s.modelVersion.model.name, s.modelVersion.version])).toEqual([
        [renamed, 2],
        [renamed, 2],
      ]);
      const history = (
        await gqlOk(
          t.url,
          'query($n: String!) { deploymentHistory(name: $n) { type alias deployment { serving { modelVersion { model { name } version } } } } }',
          { n: deployment },
        )
      ).deploymentHistory;
      expect(
        history.map((h: any) => [
          h.type,
          h.deployment.serving.map((s: any) => `${s.modelVersion.model.name}/${s.modelVersion.version}`).join(','),
        ]),
      ).toEqual([
        ['DEPLOYMENT_RECORDED', `${renamed}/1,${renamed}/2`],
        ['ALIAS_SET', `${renamed}/2,${renamed}/2`],
      ]);
    });
  });

  describe('finding 2: renaming a governed model', () => {
    it('a CONTRIBUTOR cannot rename a model whose protected alias serves traffic; the owner and an ADMIN can; an ungoverned model renames freely', async () => {
      const m = await governedModel(t.url, p);
      const before = await governedState(t.url, m);
      await unchanged(async () => {
        const r = await mlflow(t.url, p.tokens.contributor, 'POST', 'registered-models/rename', {
          name: m.name,
          new_name: uniq('stolen'),
        });
        expect(r).toMatchObject({ status: 403, json: { error_code: 'PERMISSION_DENIED' } });
        expect(r.json.message).toMatch(/owner of the model or role ADMIN/);
      });
      expect(await governedState(t.url, m)).toEqual(before);
      expect((await resolve(`models:/${m.name}@champion`)).version).toBe(1);
      // A reviewer is not an owner either.
      expect(
        (
          await mlflow(t.url, p.tokens.reviewer, 'POST', 'registered-models/rename', {
            name: m.name,
            new_name: uniq('x'),
          })
        ).status,
      ).toBe(403);
      const next = uniq('renamed');
      expect(
        (await mlflow(t.url, p.tokens.owner, 'POST', 'registered-models/rename', { name: m.name, new_name: next }))
          .status,
      ).toBe(200);
      expect((await resolve(`models:/${next}@champion`)).version).toBe(1);
      expect(
        (await mlflow(t.url, p.tokens.admin, 'POST', 'registered-models/rename', { name: next, new_name: m.name }))
          .status,
      ).toBe(200);
      // No protected alias, no CANARY/PRODUCTION version, no pending request: anyone who may write may rename.
      const free = uniq('free');
      await gqlOk(t.url, contractOp('CreateRegisteredModel'), { input: { name: free } });
      expect(
        (
          await mlflow(t.url, p.tokens.contributor, 'POST', 'registered-models/rename', {
            name: free,
            new_name: `${free}-2`,
          })
        ).status,
      ).toBe(200);
    });
  });

  describe('finding 5: taking a version out of PRODUCTION or CANARY', () => {
    it('a CONTRIBUTOR cannot, through MLflow or GraphQL; the only PRODUCTION version cannot leave at all; a REVIEWER can take out a second one', async () => {
      const m = await governedModel(t.url, p);
      await unchanged(async () => {
        for (const [version, stage] of [
          [1, 'Staging'],
          [1, 'None'],
          [1, 'Archived'],
          [2, 'None'],
          [2, 'Archived'],
        ] as const) {
          const r = await mlflow(t.url, p.tokens.contributor, 'POST', 'model-versions/transition-stage', {
            name: m.name,
            version: String(version),
            stage,
            archive_existing_versions: false,
          });
          expect(r.status, `${version} → ${stage}`).toBe(403);
          expect(r.json.error_code).toBe('PERMISSION_DENIED');
        }
        for (const [version, stage] of [
          [1, 'STAGING'],
          [1, 'DEVELOPMENT'],
          [2, 'STAGING'],
        ] as const) {
          const r = await gql(
            t.url,
            contractOp('TransitionStage'),
            { ref: { modelName: m.name, version }, stage },
            as(p.tokens.contributor),
          );
          expect(code(r)).toBe('GATE_FAILED');
          expect(r.errors![0]!.message).toMatch(/REVIEWER/);
        }
        // Even a reviewer (or an admin) cannot empty PRODUCTION.
        for (const who of ['reviewer', 'admin'] as const) {
          const r = await gql(
            t.url,
            contractOp('TransitionStage'),
            { ref: { modelName: m.name, version: 1 }, stage: 'STAGING' },
            as(p.tokens[who]),
          );
          expect(code(r)).toBe('GATE_FAILED');
          expect(r.errors![0]!.message).toMatch(/only version in PRODUCTION/);
          const viaMlflow = await mlflow(t.url, p.tokens[who], 'POST', 'model-versions/transition-stage', {
            name: m.name,
            version: '1',
            stage: 'Archived',
          });
          expect(viaMlflow.json.error_code).toBe('INVALID_STATE');
        }
      });
      expect((await resolve(`models:/${m.name}/Production`)).version).toBe(1);
      // A reviewer takes the CANARY version back out.
      expect(
        (
          await gqlOk(
            t.url,
            contractOp('TransitionStage'),
            { ref: { modelName: m.name, version: 2 }, stage: 'STAGING' },
            as(p.tokens.reviewer),
          )
        ).transitionModelVersionStage.stage,
      ).toBe('STAGING');
    });

    it('a CONTRIBUTOR may ask for an exit with a request; one reviewer carries it out, and the only-PRODUCTION rule still applies', async () => {
      const m = await governedModel(t.url, p);
      const exit = (
        await gqlOk(
          t.url,
          contractOp('RequestPromotion'),
          { ref: { modelName: m.name, version: 2 }, target: { stage: 'STAGING' }, evidence: null },
          as(p.tokens.contributor),
        )
      ).requestPromotion;
      expect(
        (await gqlOk(t.url, 'query($id: ID!) { promotionRequest(id: $id) { rule } }', { id: exit.id })).promotionRequest
          .rule,
      ).toBe('ONE_REVIEWER');
      expect((await approve('reviewer', exit.id)).data.approvePromotion.status).toBe('APPROVED');
      expect(await stageOf(m.name, 2)).toBe('STAGING');
      const out = (
        await gqlOk(
          t.url,
          contractOp('RequestPromotion'),
          { ref: { modelName: m.name, version: 1 }, target: { stage: 'STAGING' }, evidence: null },
          as(p.tokens.contributor),
        )
      ).requestPromotion;
      await unchanged(async () => expect(code(await approve('reviewer', out.id))).toBe('GATE_FAILED'));
      expect(await stageOf(m.name, 1)).toBe('PRODUCTION');
    });
  });

  describe("finding 6: deleting a model applies each version's protections", () => {
    it("a CONTRIBUTOR cannot delete a model whose version served predictions (GraphQL and MLflow); the trace survives; an ADMIN's force is audited", async () => {
      const m = await governedModel(t.url, p);
      await unchanged(async () => {
        const g = await gql(
          t.url,
          'mutation($n: String!) { deleteRegisteredModel(name: $n) { name } }',
          { n: m.name },
          as(p.tokens.contributor),
        );
        expect(code(g)).toBe('CONFLICT');
        expect(g.errors![0]!.message).toMatch(/prediction/);
        const r = await mlflow(t.url, p.tokens.contributor, 'DELETE', 'registered-models/delete', { name: m.name });
        expect(r.json.error_code).toBe('INVALID_STATE');
        expect(
          code(
            await gql(
              t.url,
              'mutation($n: String!) { deleteRegisteredModel(name: $n, force: true) { name } }',
              { n: m.name },
              as(p.tokens.contributor),
            ),
          ),
        ).toBe('FORBIDDEN');
      });
      expect(
        (await gqlOk(t.url, contractOp('TracePrediction'), { id: m.predictionId })).tracePrediction.modelVersion
          .version,
      ).toBe(1);
      // A model with only a served prediction (no stage, no alias) is protected the same way.
      const plain = uniq('plain');
      await gqlOk(t.url, contractOp('CreateRegisteredModel'), { input: { name: plain } });
      await gqlOk(t.url, contractOp('CreateModelVersion'), {
        input: { modelName: plain, source: 's3://b/p', checksum: sha('f') },
      });
      const pred = uniq('pred');
      await gqlOk(t.url, contractOp('LogPredictions'), {
        input: { model: { modelName: plain, version: 1 }, predictions: [{ id: pred }] },
      });
      await unchanged(async () =>
        expect(
          code(
            await gql(
              t.url,
              'mutation($n: String!) { deleteRegisteredModel(name: $n) { name } }',
              { n: plain },
              as(p.tokens.contributor),
            ),
          ),
        ).toBe('CONFLICT'),
      );
      await gqlOk(
        t.url,
        'mutation($n: String!) { deleteRegisteredModel(name: $n, force: true) { name } }',
        { n: m.name },
        as(p.tokens.admin),
      );
      const audit = await gqlOk(t.url, contractOp('AuditLog'), {
        filter: { modelName: m.name, types: ['MODEL_DELETED', 'PROMOTION_CANCELLED'] },
        first: 5,
      });
      const types = audit.auditLog.edges.map((e: any) => e.node.type);
      expect(types).toEqual(expect.arrayContaining(['MODEL_DELETED', 'PROMOTION_CANCELLED']));
      const deleted = audit.auditLog.edges.find((e: any) => e.node.type === 'MODEL_DELETED').node.after;
      expect(deleted.forced).toBe(true);
      expect(deleted.overrode.join(' ')).toMatch(/prediction/);
    });

    it('a version that was in PRODUCTION is kept for the retention period after it leaves (MLflow delete refused)', async () => {
      const m = await governedModel(t.url, p);
      // v2 replaces v1 in PRODUCTION with archiveExisting; v1 is then ARCHIVED but kept.
      for (const kind of ['SLO_VALIDATION', 'SIGN_OFF']) {
        await gqlOk(
          t.url,
          'mutation($ref: ModelVersionRefInput!, $e: EvidenceInput!) { addModelVersionEvidence(ref: $ref, evidence: $e) { kind } }',
          { ref: { modelName: m.name, version: 2 }, e: { kind, passed: true } },
        );
      }
      await promote(t.url, p, { modelName: m.name, version: 2 }, { stage: 'PRODUCTION' });
      await gqlOk(
        t.url,
        contractOp('TransitionStage'),
        { ref: { modelName: m.name, version: 1 }, stage: 'ARCHIVED' },
        as(p.tokens.reviewer),
      );
      await unchanged(async () => {
        const r = await mlflow(t.url, p.tokens.admin, 'DELETE', 'model-versions/delete', {
          name: m.name,
          version: '1',
        });
        expect(r.json.error_code).toBe('INVALID_STATE');
        expect(r.json.message).toMatch(/kept until .*PEDIGREE_PRODUCTION_RETENTION_DAYS/);
      });
    });
  });

  describe('leaving production by the book: the archival checklist', () => {
    it('only an owner or ADMIN sets it; PRODUCTION → ARCHIVED (directly or by archiveExisting) waits for every item, each completed with evidence by a named principal', async () => {
      const m = await governedModel(t.url, p);
      const setList = (who: keyof People['tokens'], items: string[]) =>
        gql(
          t.url,
          'mutation($n: String!, $i: [String!]!) { setArchivalChecklist(modelName: $n, items: $i) { archivalChecklist } }',
          { n: m.name, i: items },
          as(p.tokens[who]),
        );
      await unchanged(async () => expect(code(await setList('contributor', ['consumers notified']))).toBe('FORBIDDEN'));
      expect(
        (await setList('owner', ['consumers notified', 'monitoring moved'])).data.setArchivalChecklist
          .archivalChecklist,
      ).toEqual(['consumers notified', 'monitoring moved']);
      // v2 joins PRODUCTION, so v1 is no longer the only one there.
      for (const kind of ['SLO_VALIDATION', 'SIGN_OFF']) {
        await gqlOk(
          t.url,
          'mutation($ref: ModelVersionRefInput!, $e: EvidenceInput!) { addModelVersionEvidence(ref: $ref, evidence: $e) { kind } }',
          { ref: { modelName: m.name, version: 2 }, e: { kind, passed: true } },
        );
      }
      await promote(t.url, p, { modelName: m.name, version: 2 }, { stage: 'PRODUCTION' });
      expect(await stageOf(m.name, 2)).toBe('PRODUCTION');
      const archive = () =>
        gql(
          t.url,
          contractOp('TransitionStage'),
          { ref: { modelName: m.name, version: 1 }, stage: 'ARCHIVED' },
          as(p.tokens.reviewer),
        );
      await unchanged(async () => {
        const r = await archive();
        expect(code(r)).toBe('GATE_FAILED');
        expect(r.errors![0]!.message).toMatch(/"consumers notified", "monitoring moved"/);
        const viaMlflow = await mlflow(t.url, p.tokens.reviewer, 'POST', 'model-versions/transition-stage', {
          name: m.name,
          version: '1',
          stage: 'Archived',
        });
        expect(viaMlflow.json.error_code).toBe('INVALID_STATE');
      });
      const complete = (item: string, version = 1) =>
        gql(
          t.url,
          'mutation($ref: ModelVersionRefInput!, $i: String!, $e: ChecklistEvidenceInput!) { completeArchivalChecklistItem(ref: $ref, item: $i, evidence: $e) { item done by } }',
          {
            ref: { modelName: m.name, version },
            i: item,
            e: { summary: `${item}: done`, uri: 'https://tickets.example/42' },
          },
          as(p.tokens.contributor),
        );
      await unchanged(async () => expect(code(await complete('not an item'))).toBe('BAD_USER_INPUT'));
      expect((await complete('consumers notified')).data.completeArchivalChecklistItem).toEqual([
        { item: 'consumers notified', done: true, by: p.names.contributor },
        { item: 'monitoring moved', done: false, by: null },
      ]);
      expect(code(await archive())).toBe('GATE_FAILED');
      await complete('monitoring moved');
      expect((await archive()).data.transitionModelVersionStage.stage).toBe('ARCHIVED');
      const audit = await gqlOk(t.url, contractOp('AuditLog'), {
        filter: { modelName: m.name, types: ['ARCHIVAL_CHECKLIST_SET', 'ARCHIVAL_CHECKLIST_ITEM_COMPLETED'] },
        first: 10,
      });
      expect(audit.auditLog.edges.map((e: any) => [e.node.type, e.node.actor])).toEqual([
        ['ARCHIVAL_CHECKLIST_SET', p.names.owner],
        ['ARCHIVAL_CHECKLIST_ITEM_COMPLETED', p.names.contributor],
        ['ARCHIVAL_CHECKLIST_ITEM_COMPLETED', p.names.contributor],
      ]);
      // A reviewer's rollback of v1 with archiveExisting would archive v2 out of PRODUCTION: its checklist applies too.
      const rollback = () =>
        gql(
          t.url,
          'mutation($ref: ModelVersionRefInput!) { transitionModelVersionStage(ref: $ref, stage: PRODUCTION, comment: "v2 regressed", archiveExisting: true) { version stage } }',
          { ref: { modelName: m.name, version: 1 } },
          as(p.tokens.reviewer),
        );
      await unchanged(async () => {
        const r = await rollback();
        expect(code(r)).toBe('GATE_FAILED');
        expect(r.errors![0]!.message).toMatch(/archiving version 2 .* "consumers notified", "monitoring moved"/);
      });
      await complete('consumers notified', 2);
      await complete('monitoring moved', 2);
      expect((await rollback()).data.transitionModelVersionStage.stage).toBe('PRODUCTION');
      expect(await stageOf(m.name, 2)).toBe('ARCHIVED');
    });
  });

  it('toProduction helper sanity: a fresh model goes DEVELOPMENT → PRODUCTION only through requests', async () => {
    const name = uniq('book');
    await gqlOk(t.url, contractOp('CreateRegisteredModel'), { input: { name } });
    await gqlOk(t.url, contractOp('SetModelOwners'), { modelName: name, owners: [p.names.owner] });
    for (const title of ['Intended use and users', 'Limitations and failure modes']) {
      await gqlOk(
        t.url,
        'mutation($n: String!, $t: String!) { setModelCardSection(modelName: $n, title: $t, body: "x") { revision } }',
        { n: name, t: title },
      );
    }
    await gqlOk(t.url, contractOp('CreateModelVersion'), {
      input: { modelName: name, source: 's3://b/x', checksum: sha('b'), metrics: [{ key: 'auc', value: 1 }] },
    });
    await toProduction(t.url, p, name, 1);
    expect(await stageOf(name, 1)).toBe('PRODUCTION');
  });
});
