import { createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractOp } from '../support/contract.js';
import { createModel, createVersion } from '../support/fixtures.js';
import { graphDigest } from '../support/graph-digest.js';
import { as, code, gql, gqlOk, sha, TEST_ADMIN_TOKEN, uniq } from '../support/graphql.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * Signed promotion records: a carried-out two-person promotion is an in-toto
 * statement in a DSSE envelope signed by Pedigree's key and by the key
 * Pedigree keeps for each approver (made on their first approval). Checked
 * here with node:crypto and the DSSE pre-authentication encoding directly, not
 * only through verifyAttestation.
 */
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t?.close();
});

interface Principal {
  name: string;
  token: string;
}
interface Key {
  keyid: string;
  publicKey: string;
  principal: string | null;
  storage: string;
  active: boolean;
}
interface Envelope {
  payload: string;
  payloadType: string;
  signatures: { keyid: string; sig: string }[];
}

const REQUEST = 'query($id: ID!) { promotionRequest(id: $id) { id status rule attestation approvals { approver } } }';
const APPROVE = 'mutation($id: ID!, $c: String) { approvePromotion(id: $id, comment: $c) { id status attestation } }';

async function principal(role: 'CONTRIBUTOR' | 'REVIEWER'): Promise<Principal> {
  const name = uniq(role.toLowerCase());
  return { name, token: (await gqlOk(t.url, contractOp('CreateApiToken'), { name, role })).createApiToken.token };
}
const signingKeys = async (): Promise<Key[]> =>
  (await gqlOk(t.url, '{ signingKeys { keyid publicKey principal storage active } }')).signingKeys;
const keysOf = async (p: Principal): Promise<Key[]> => (await signingKeys()).filter((k) => k.principal === p.name);
const pedigreeKey = async (): Promise<Key> => (await signingKeys()).find((k) => k.principal === null && k.active)!;
const verifyAttestation = async (envelope: string) =>
  (await gqlOk(t.url, contractOp('VerifyAttestation'), { envelope })).verifyAttestation;
const requestOf = async (id: string) => (await gqlOk(t.url, REQUEST, { id })).promotionRequest;
const request = async (modelName: string, version: number, target: object, evidence: object[] = []) =>
  (await gqlOk(t.url, contractOp('RequestPromotion'), { ref: { modelName, version }, target, evidence }))
    .requestPromotion;
const approve = (p: Principal, id: string, c: string | null = null) => gql(t.url, APPROVE, { id, c }, as(p.token));

/** The bytes a DSSE signature covers, written out here from the specification (protocol.md). */
function pae(payloadType: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`DSSEv1 ${Buffer.byteLength(payloadType)} ${payloadType} ${body.length} `), body]);
}
function signatureVerifies(env: Envelope, sig: string, publicKeyPem: string): boolean {
  return cryptoVerify(
    null,
    pae(env.payloadType, Buffer.from(env.payload, 'base64')),
    createPublicKey(publicKeyPem),
    Buffer.from(sig, 'base64'),
  );
}
const statementOf = (env: Envelope) => JSON.parse(Buffer.from(env.payload, 'base64').toString('utf8'));

/**
 * A model owned by `owner` whose version 1 (artifact sha('c')) has what every gate up to PRODUCTION asks for, in
 * STAGING.
 */
async function readyModel(owner: Principal, o: { productionEvidence?: boolean } = {}): Promise<string> {
  const name = await createModel(t.url);
  await createVersion(t.url, name, { checksum: sha('c'), metrics: [{ key: 'auc', value: 0.91 }] });
  await gqlOk(t.url, contractOp('SetModelOwners'), { modelName: name, owners: [owner.name] });
  for (const title of ['Intended use and users', 'Limitations and failure modes']) {
    await gqlOk(
      t.url,
      'mutation($n: String!, $t: String!) { setModelCardSection(modelName: $n, title: $t, body: "Written for the test.") { revision } }',
      { n: name, t: title },
    );
  }
  const kinds = [
    'HUMAN_REVIEW',
    'FAIRNESS_CHECK',
    ...(o.productionEvidence === false ? [] : ['SLO_VALIDATION', 'SIGN_OFF']),
  ];
  for (const kind of kinds) {
    await gqlOk(
      t.url,
      'mutation($ref: ModelVersionRefInput!, $e: EvidenceInput!) { addModelVersionEvidence(ref: $ref, evidence: $e) { kind } }',
      { ref: { modelName: name, version: 1 }, e: { kind, passed: true } },
    );
  }
  await gqlOk(t.url, contractOp('TransitionStage'), { ref: { modelName: name, version: 1 }, stage: 'STAGING' });
  return name;
}

async function attestationCount(requestId: string): Promise<number> {
  const s = t.app.executor.driver.session();
  try {
    const r = await s.run('MATCH (a:Attestation {requestId: $requestId}) RETURN count(a) AS c', { requestId });
    return r.records[0]!.get('c').toNumber();
  } finally {
    await s.close();
  }
}

describe('signed two-person promotions', () => {
  it('a PRODUCTION promotion is recorded as an envelope signed by Pedigree and both approvers, each signature checkable on its own', async () => {
    const owner = await principal('CONTRIBUTOR');
    const reviewer = await principal('REVIEWER');
    const m = await readyModel(owner);
    const canary = await request(m, 1, { stage: 'CANARY' });
    expect((await approve(reviewer, canary.id, 'canary ok')).data.approvePromotion).toMatchObject({
      status: 'APPROVED',
      attestation: null,
    });

    const req = await request(m, 1, { stage: 'PRODUCTION' }, [
      { kind: 'SLO_VALIDATION', uri: 'https://ci.example/slo/1', summary: 'p99 within budget' },
    ]);
    expect((await approve(owner, req.id, 'owner ok')).data.approvePromotion).toMatchObject({
      status: 'PENDING',
      attestation: null,
    });
    const done = (await approve(reviewer, req.id, 'reviewed')).data.approvePromotion;
    expect(done.status).toBe('APPROVED');
    expect(typeof done.attestation).toBe('string');
    const stored = await requestOf(req.id);
    expect(stored.attestation).toBe(done.attestation);

    const env: Envelope = JSON.parse(stored.attestation);
    expect(env.payloadType).toBe('application/vnd.in-toto+json');
    const pedigree = await pedigreeKey();
    const [ownerKey, ...moreOwner] = await keysOf(owner);
    const [reviewerKey, ...moreReviewer] = await keysOf(reviewer);
    expect([moreOwner, moreReviewer]).toEqual([[], []]);
    expect(ownerKey).toMatchObject({ principal: owner.name, active: true, storage: 'GRAPH_ENCRYPTED' });
    expect(env.signatures.map((s) => s.keyid)).toEqual([pedigree.keyid, ownerKey!.keyid, reviewerKey!.keyid]);
    // Each signature verifies under the public key signingKeys lists for it, and only under that one.
    const pems = [pedigree.publicKey, ownerKey!.publicKey, reviewerKey!.publicKey];
    env.signatures.forEach((s, i) => {
      pems.forEach((pem, j) =>
        expect(signatureVerifies(env, s.sig, pem), `signature ${i} under key ${j}`).toBe(i === j),
      );
    });

    const st = statementOf(env);
    expect(st._type).toBe('https://in-toto.io/Statement/v1');
    expect(st.subject).toEqual([{ name: `models:/${m}/1`, digest: { sha256: 'c'.repeat(64) } }]);
    expect(st.predicate.promotion).toEqual({
      requestId: req.id,
      rule: 'TWO_PERSON',
      target: { stage: 'PRODUCTION' },
      requestedBy: 'admin',
      requestedAt: expect.any(String),
      evidence: [
        { kind: 'SLO_VALIDATION', passed: true, uri: 'https://ci.example/slo/1', summary: 'p99 within budget' },
      ],
      approvers: [owner.name, reviewer.name],
    });
    // Every carried-out request of the version, oldest first: the CANARY approval, then both of this one.
    expect(st.predicate.approvals).toEqual([
      {
        approver: reviewer.name,
        role: 'REVIEWER',
        asOwner: false,
        at: expect.any(String),
        comment: 'canary ok',
        requestId: canary.id,
        rule: 'ONE_REVIEWER',
        target: { stage: 'CANARY' },
      },
      {
        approver: owner.name,
        role: 'CONTRIBUTOR',
        asOwner: true,
        at: expect.any(String),
        comment: 'owner ok',
        requestId: req.id,
        rule: 'TWO_PERSON',
        target: { stage: 'PRODUCTION' },
      },
      {
        approver: reviewer.name,
        role: 'REVIEWER',
        asOwner: false,
        at: expect.any(String),
        comment: 'reviewed',
        requestId: req.id,
        rule: 'TWO_PERSON',
        target: { stage: 'PRODUCTION' },
      },
    ]);

    // verifyAttestation names all three keys.
    const checked = await verifyAttestation(stored.attestation);
    expect(checked).toMatchObject({ valid: true, subjectDigest: `sha256:${'c'.repeat(64)}` });
    expect([...checked.signers].sort()).toEqual([pedigree.keyid, ownerKey!.keyid, reviewerKey!.keyid].sort());
    // Without the owner's signature it still carries Pedigree's, but no longer the owner's.
    const withoutOwner = await verifyAttestation(
      JSON.stringify({ ...env, signatures: env.signatures.filter((s) => s.keyid !== ownerKey!.keyid) }),
    );
    expect(withoutOwner.signers).toEqual([pedigree.keyid, reviewerKey!.keyid]);
    // Approvers' keys only co-sign: without Pedigree's signature it is not valid.
    expect(
      await verifyAttestation(
        JSON.stringify({ ...env, signatures: env.signatures.filter((s) => s.keyid !== pedigree.keyid) }),
      ),
    ).toMatchObject({ valid: false, signers: [] });
    // A signature moved under another keyid does not count for that key.
    const swapped = {
      ...env,
      signatures: [env.signatures[0], { keyid: ownerKey!.keyid, sig: env.signatures[2]!.sig }],
    };
    expect((await verifyAttestation(JSON.stringify(swapped))).signers).toEqual([pedigree.keyid]);
    // Tampering the payload (another approver named) breaks every signature.
    st.predicate.promotion.approvers = ['mallory', reviewer.name];
    const tampered = { ...env, payload: Buffer.from(JSON.stringify(st)).toString('base64') };
    expect(await verifyAttestation(JSON.stringify(tampered))).toMatchObject({
      valid: false,
      subjectDigest: null,
      signers: [],
    });
    expect(signatureVerifies(tampered, env.signatures[1]!.sig, ownerKey!.publicKey)).toBe(false);

    // attestation(ref) for the version is co-signed by the same approvers now.
    const fresh: Envelope = JSON.parse(
      (await gqlOk(t.url, contractOp('Attestation'), { ref: { modelName: m, version: 1 } })).attestation.envelope,
    );
    expect(fresh.signatures.map((s) => s.keyid)).toEqual([pedigree.keyid, reviewerKey!.keyid, ownerKey!.keyid]);
    expect(statementOf(fresh).predicate.approvals).toHaveLength(3);
    expect((await verifyAttestation(JSON.stringify(fresh))).signers).toHaveLength(3);

    // The promotion's record is an attestation a deployment requiring one accepts.
    const dep = await gql(t.url, 'mutation($i: RecordDeploymentInput!) { recordDeployment(input: $i) { name } }', {
      i: {
        name: uniq('dep'),
        environment: 'production',
        requireAttestation: true,
        models: [{ ref: { modelName: m, version: 1 }, checksum: sha('c'), attestation: stored.attestation }],
      },
    });
    expect(dep.errors).toBeUndefined();

    // The approval event names the keys; each approver key's creation is in the log under its principal.
    const audit = await gqlOk(t.url, contractOp('AuditLog'), {
      filter: { modelName: m, types: ['PROMOTION_APPROVED'] },
      first: 10,
    });
    expect(audit.auditLog.edges.map((e: any) => e.node.after.attestedBy ?? null)).toEqual([
      null,
      [pedigree.keyid, ownerKey!.keyid, reviewerKey!.keyid],
    ]);
    for (const [p, key] of [
      [owner, ownerKey!],
      [reviewer, reviewerKey!],
    ] as const) {
      const created = await gqlOk(t.url, contractOp('AuditLog'), {
        filter: { actor: p.name, types: ['SIGNING_KEY_CREATED'] },
        first: 10,
      });
      expect(created.auditLog.edges.map((e: any) => e.node.after)).toEqual([
        { keyid: key.keyid, algorithm: 'Ed25519', storage: 'GRAPH_ENCRYPTED', principal: p.name },
      ]);
    }
  });

  it('an approver key is made once per principal: later promotions they approve reuse it', async () => {
    const owner = await principal('CONTRIBUTOR');
    const reviewer = await principal('REVIEWER');
    const m = await readyModel(owner);
    await createVersion(t.url, m, { checksum: sha('d') });
    const envelopes: Envelope[] = [];
    for (const [version, alias] of [
      [1, 'production'],
      [2, 'champion'],
    ] as const) {
      const req = await request(m, version, { alias });
      await approve(reviewer, req.id);
      const done = (await approve(owner, req.id)).data.approvePromotion;
      expect(done.status).toBe('APPROVED');
      envelopes.push(JSON.parse(done.attestation));
    }
    const [ownerKeys, reviewerKeys] = [await keysOf(owner), await keysOf(reviewer)];
    expect([ownerKeys.length, reviewerKeys.length]).toEqual([1, 1]);
    const pedigree = await pedigreeKey();
    for (const env of envelopes)
      expect(env.signatures.map((s) => s.keyid)).toEqual([pedigree.keyid, reviewerKeys[0]!.keyid, ownerKeys[0]!.keyid]);
    expect(statementOf(envelopes[1]!).subject[0].digest.sha256).toBe('d'.repeat(64));
    expect(statementOf(envelopes[1]!).predicate.promotion.target).toEqual({ alias: 'champion' });
    const created = await gqlOk(t.url, contractOp('AuditLog'), {
      filter: { actor: reviewer.name, types: ['SIGNING_KEY_CREATED'] },
      first: 10,
    });
    expect(created.auditLog.edges).toHaveLength(1);
  });

  it('a single-approval CANARY promotion, a rejected request and an expired one store no envelope', async () => {
    const owner = await principal('CONTRIBUTOR');
    const reviewer = await principal('REVIEWER');
    const m = await readyModel(owner);
    const canary = await request(m, 1, { stage: 'CANARY' });
    const done = (await approve(reviewer, canary.id)).data.approvePromotion;
    expect(done).toMatchObject({ status: 'APPROVED', attestation: null });
    expect(await attestationCount(canary.id)).toBe(0);
    // Its approval is recorded in the version's attestation, which only Pedigree signs (no two-person promotion yet).
    const env: Envelope = JSON.parse(
      (await gqlOk(t.url, contractOp('Attestation'), { ref: { modelName: m, version: 1 } })).attestation.envelope,
    );
    expect(env.signatures.map((s) => s.keyid)).toEqual([(await pedigreeKey()).keyid]);
    expect(statementOf(env).predicate.approvals).toEqual([
      expect.objectContaining({ approver: reviewer.name, requestId: canary.id, rule: 'ONE_REVIEWER' }),
    ]);

    const rejected = await request(m, 1, { alias: 'production' });
    await approve(owner, rejected.id);
    expect(
      (
        await gql(
          t.url,
          contractOp('RejectPromotion'),
          { id: rejected.id, reason: 'latency regression' },
          as(reviewer.token),
        )
      ).data.rejectPromotion.status,
    ).toBe('REJECTED');
    expect((await requestOf(rejected.id)).attestation).toBeNull();
    expect(await attestationCount(rejected.id)).toBe(0);

    const expired = await request(m, 1, { alias: 'production' });
    await approve(owner, expired.id);
    const s = t.app.executor.driver.session();
    try {
      await s.run(
        'MATCH (r:PromotionRequest {id: $id}) SET r.expiresAt = datetime.realtime() - duration({minutes: 1})',
        { id: expired.id },
      );
    } finally {
      await s.close();
    }
    expect(code(await approve(reviewer, expired.id))).toBe('CONFLICT');
    expect(await requestOf(expired.id)).toMatchObject({ status: 'EXPIRED', attestation: null });
    expect(await attestationCount(expired.id)).toBe(0);
  });

  it('a promotion that fails at carry-out leaves no envelope and no approver key: registry gate, unverified artifact', async () => {
    const owner = await principal('CONTRIBUTOR');
    // A registry gate: → PRODUCTION without its evidence (the version is not even in CANARY).
    const m = await readyModel(owner, { productionEvidence: false });
    const req = await request(m, 1, { stage: 'PRODUCTION' });
    await approve(owner, req.id);
    const reviewer = await principal('REVIEWER');
    let before = await graphDigest();
    expect(code(await approve(reviewer, req.id))).toBe('GATE_FAILED');
    expect((await graphDigest()).hash).toBe(before.hash);
    expect(await keysOf(reviewer)).toEqual([]);
    expect(await requestOf(req.id)).toMatchObject({ status: 'PENDING', attestation: null });

    // An unverified version (registered through MLflow without a checksum) has no digest to attest:
    // the promotion that would move `champion` to it is refused as a whole.
    const res = await fetch(new URL('/api/2.0/mlflow/model-versions/create', t.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: m, source: 's3://bucket/unverified' }),
    });
    expect(res.status).toBe(200);
    const unverified = Number(((await res.json()) as { model_version: { version: string } }).model_version.version);
    const alias = await request(m, unverified, { alias: 'champion' });
    await approve(owner, alias.id);
    before = await graphDigest();
    const refused = await approve(reviewer, alias.id);
    expect(code(refused)).toBe('GATE_FAILED');
    expect(refused.errors![0]!.message).toMatch(/unverified.*attach its checksum/);
    expect((await graphDigest()).hash).toBe(before.hash);
    expect(await keysOf(reviewer)).toEqual([]);
    expect(
      (await gql(t.url, contractOp('GetModelVersionByAlias'), { modelName: m, alias: 'champion' })).data
        ?.modelVersionByAlias ?? null,
    ).toBeNull();
  });

  it('a replica that cannot sign refuses the approval whole, and removes the key file it wrote for it', async () => {
    // Pedigree's key is sealed in the graph (every test server has the secret); a replica without it cannot sign.
    await gqlOk(t.url, contractOp('Attestation'), { ref: { modelName: await createModelWithVersion(), version: 1 } });
    expect((await pedigreeKey()).storage).toBe('GRAPH_ENCRYPTED');
    const dataDir = mkdtempSync(join(tmpdir(), 'pedigree-nosecret-'));
    const b = await startTestServer({ PEDIGREE_SIGNING_SECRET: '', PEDIGREE_DATA_DIR: dataDir });
    try {
      const owner = await principal('CONTRIBUTOR');
      const reviewer = await principal('REVIEWER');
      const m = await readyModel(owner);
      const req = await request(m, 1, { alias: 'production' });
      // The first approval needs no signature: the owner's key is made, in a 0600 file under b's data directory.
      expect((await gql(b.url, APPROVE, { id: req.id, c: null }, as(owner.token))).data.approvePromotion.status).toBe(
        'PENDING',
      );
      const [ownerKey] = await keysOf(owner);
      expect(ownerKey).toMatchObject({ storage: 'DATA_DIR_FILE' });
      const file = `${ownerKey!.keyid.replace(/^sha256:/, '')}.pem`;
      expect(readdirSync(join(dataDir, 'signing-keys'))).toEqual([file]);
      expect(statSync(join(dataDir, 'signing-keys', file)).mode & 0o777).toBe(0o600);

      const before = await graphDigest();
      const refused = await gql(b.url, APPROVE, { id: req.id, c: null }, as(reviewer.token));
      expect(code(refused)).toBe('INTERNAL_SERVER_ERROR');
      expect((await graphDigest()).hash).toBe(before.hash);
      expect(await keysOf(reviewer)).toEqual([]);
      expect(readdirSync(join(dataDir, 'signing-keys'))).toEqual([file]); // the reviewer's key file went with its transaction
      expect(await requestOf(req.id)).toMatchObject({ status: 'PENDING', attestation: null });
      expect(
        (await gql(t.url, contractOp('GetModelVersionByAlias'), { modelName: m, alias: 'production' })).data
          ?.modelVersionByAlias ?? null,
      ).toBeNull();
    } finally {
      await b.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

async function createModelWithVersion(): Promise<string> {
  const m = await createModel(t.url);
  await createVersion(t.url, m, { checksum: sha('e') });
  return m;
}
