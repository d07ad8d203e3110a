import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractOp } from '../support/contract.js';
import { createModel, createVersion } from '../support/fixtures.js';
import { graphDigest } from '../support/graph-digest.js';
import { as, gql, gqlOk, sha, uniq, type GqlResponse } from '../support/graphql.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * Finding 9: `requireAttestation` proves approval, not only provenance. An
 * environment that looks like production (or a canary) takes a version only
 * while it is in PRODUCTION or CANARY, and only with an attestation that
 * carries the carried-out promotion to the stage it is in, co-signed by its
 * approvers when it needed two people (a CANARY approval does not vouch for
 * PRODUCTION). A refusal is GATE_FAILED and writes nothing.
 */
let t: TestServer;
let viewer: string;
let contributor: string;
beforeAll(async () => {
  t = await startTestServer();
  const token = async (role: string) =>
    (await gqlOk(t.url, contractOp('CreateApiToken'), { name: uniq(role.toLowerCase()), role })).createApiToken
      .token as string;
  viewer = await token('VIEWER');
  contributor = await token('CONTRIBUTOR');
});
afterAll(async () => {
  await t?.close();
});

interface Envelope {
  payload: string;
  payloadType: string;
  signatures: { keyid: string; sig: string }[];
}

const DEPLOY =
  'mutation($i: RecordDeploymentInput!) { recordDeployment(input: $i) { name environment serving { modelVersion { version stage } } } }';
const APPROVE = 'mutation($id: ID!) { approvePromotion(id: $id) { status attestation } }';

/** Any VIEWER may fetch a version's attestation. */
const attestationAsViewer = async (modelName: string, version: number): Promise<string> =>
  (await gqlOk(t.url, contractOp('Attestation'), { ref: { modelName, version } }, as(viewer))).attestation.envelope;

/** A CONTRIBUTOR records a deployment that requires an attestation. */
const deploy = (
  environment: string,
  modelName: string,
  attestation: string,
  checksum = sha('c'),
): Promise<GqlResponse> =>
  gql(
    t.url,
    DEPLOY,
    {
      i: {
        name: uniq('dep'),
        environment,
        requireAttestation: true,
        models: [{ ref: { modelName, version: 1 }, checksum, attestation }],
      },
    },
    as(contributor),
  );

async function principal(role: 'CONTRIBUTOR' | 'REVIEWER'): Promise<{ name: string; token: string }> {
  const name = uniq(role.toLowerCase());
  return { name, token: (await gqlOk(t.url, contractOp('CreateApiToken'), { name, role })).createApiToken.token };
}

/** Version 1 (artifact sha('c')) of a new model with an owner, everything each gate asks for, in STAGING. */
async function stagedModel(): Promise<{ modelName: string; owner: { name: string; token: string } }> {
  const owner = await principal('CONTRIBUTOR');
  const modelName = await createModel(t.url);
  await createVersion(t.url, modelName, { checksum: sha('c'), metrics: [{ key: 'auc', value: 0.91 }] });
  await gqlOk(t.url, contractOp('SetModelOwners'), { modelName, owners: [owner.name] });
  for (const title of ['Intended use and users', 'Limitations and failure modes']) {
    await gqlOk(
      t.url,
      'mutation($n: String!, $t: String!) { setModelCardSection(modelName: $n, title: $t, body: "Written for the test.") { revision } }',
      { n: modelName, t: title },
    );
  }
  for (const kind of ['HUMAN_REVIEW', 'FAIRNESS_CHECK', 'SLO_VALIDATION', 'SIGN_OFF']) {
    await gqlOk(
      t.url,
      'mutation($ref: ModelVersionRefInput!, $e: EvidenceInput!) { addModelVersionEvidence(ref: $ref, evidence: $e) { kind } }',
      { ref: { modelName, version: 1 }, e: { kind, passed: true } },
    );
  }
  await gqlOk(t.url, contractOp('TransitionStage'), { ref: { modelName, version: 1 }, stage: 'STAGING' });
  return { modelName, owner };
}

/**
 * Carries out a promotion request of version 1 to `stage`, approved by `approvers`; returns the request's stored
 * envelope.
 */
async function promote(modelName: string, stage: string, approvers: { token: string }[]): Promise<string | null> {
  const req = (
    await gqlOk(t.url, contractOp('RequestPromotion'), { ref: { modelName, version: 1 }, target: { stage } })
  ).requestPromotion;
  let last: { status: string; attestation: string | null } | null = null;
  for (const a of approvers) last = (await gqlOk(t.url, APPROVE, { id: req.id }, as(a.token))).approvePromotion;
  expect(last!.status).toBe('APPROVED');
  return last!.attestation;
}

/** Expects a GATE_FAILED refusal that changed nothing in the graph (no deployment, no event). */
async function expectRefused(run: () => Promise<GqlResponse>, reason: string, message: RegExp): Promise<void> {
  const before = await graphDigest();
  const r = await run();
  expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'GATE_FAILED', reason });
  expect(r.errors![0]!.message).toMatch(message);
  expect(await graphDigest()).toEqual(before);
}

describe('deployments that require an attestation accept only approved versions where approval matters', () => {
  it("a DEVELOPMENT version's attestation, fetched by a viewer, is refused for production-like environments, and nothing is recorded", async () => {
    const modelName = await createModel(t.url);
    await createVersion(t.url, modelName, { checksum: sha('c') });
    const envelope = await attestationAsViewer(modelName, 1);
    expect((await gqlOk(t.url, contractOp('VerifyAttestation'), { envelope })).verifyAttestation.valid).toBe(true);
    for (const environment of ['production', 'prod-eu', 'eu.prd', 'live', 'canary', 'preprod']) {
      await expectRefused(
        () => deploy(environment, modelName, envelope),
        'ATTESTATION_NOT_APPROVED',
        new RegExp(
          `environment "${environment.replace('.', '\\.')}" serves only versions approved for PRODUCTION or CANARY: .* is in DEVELOPMENT`,
        ),
      );
    }
    // Where approval is not the point, the attestation still proves provenance and is accepted.
    for (const environment of ['staging', 'dev', 'qa']) {
      const ok = await deploy(environment, modelName, envelope);
      expect(ok.errors).toBeUndefined();
      expect(ok.data.recordDeployment.serving).toEqual([{ modelVersion: { version: 1, stage: 'DEVELOPMENT' } }]);
    }
  });

  it("a promoted version's co-signed attestation is accepted for production; one fetched before the promotion, or without an approver's signature, is not", async () => {
    const { modelName, owner } = await stagedModel();
    const stale = await attestationAsViewer(modelName, 1);
    const reviewer = await principal('REVIEWER');
    await promote(modelName, 'CANARY', [reviewer]);
    const stored = await promote(modelName, 'PRODUCTION', [owner, reviewer]);
    expect(stored).toEqual(expect.any(String));

    // In PRODUCTION now, but this attestation was signed before any approval: it proves none.
    await expectRefused(
      () => deploy('production', modelName, stale),
      'ATTESTATION_INVALID',
      /carries no carried-out promotion of this version to PRODUCTION:/,
    );

    const fresh = await attestationAsViewer(modelName, 1);
    const env: Envelope = JSON.parse(fresh);
    expect(env.signatures).toHaveLength(3); // Pedigree, and both approvers of the PRODUCTION promotion
    const keys: { keyid: string; principal: string | null }[] = (
      await gqlOk(t.url, '{ signingKeys { keyid principal } }')
    ).signingKeys;
    const ownerKey = keys.find((k) => k.principal === owner.name)!.keyid;
    const withoutOwner = JSON.stringify({ ...env, signatures: env.signatures.filter((s) => s.keyid !== ownerKey) });
    // Still a valid Pedigree attestation, but the two-person approval is not signed by both.
    expect(
      (await gqlOk(t.url, contractOp('VerifyAttestation'), { envelope: withoutOwner })).verifyAttestation.valid,
    ).toBe(true);
    await expectRefused(
      () => deploy('production', modelName, withoutOwner),
      'ATTESTATION_INVALID',
      new RegExp(`not signed by the approvers: request .* \\(PRODUCTION\\) lacks the co-signature of ${owner.name}`),
    );

    for (const envelope of [fresh, stored!]) {
      const ok = await deploy('production', modelName, envelope);
      expect(ok.errors).toBeUndefined();
      expect(ok.data.recordDeployment).toMatchObject({
        environment: 'production',
        serving: [{ modelVersion: { version: 1, stage: 'PRODUCTION' } }],
      });
    }
  });

  it('a version approved for CANARY is accepted for production while it is in CANARY, and refused once it has left', async () => {
    const { modelName } = await stagedModel();
    const reviewer = await principal('REVIEWER');
    await promote(modelName, 'CANARY', [reviewer]);
    const envelope = await attestationAsViewer(modelName, 1);
    for (const environment of ['canary', 'production'])
      expect((await deploy(environment, modelName, envelope)).errors).toBeUndefined();

    await gqlOk(t.url, contractOp('TransitionStage'), {
      ref: { modelName, version: 1 },
      stage: 'STAGING',
      comment: 'back for another look',
    });
    await expectRefused(() => deploy('production', modelName, envelope), 'ATTESTATION_NOT_APPROVED', /is in STAGING/);
  });
});
