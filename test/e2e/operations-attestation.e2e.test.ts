import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractOp } from '../support/contract.js';
import { createModel, createVersion } from '../support/fixtures.js';
import { code, gql, gqlOk, sha, TEST_SIGNING_SECRET, uniq } from '../support/graphql.js';
import { distilledStudent } from '../support/operations-graph.js';
import { startTestServer, type TestServer } from '../support/server.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ PEDIGREE_SIGNING_SECRET: TEST_SIGNING_SECRET });
});
afterAll(async () => {
  await t?.close();
});

const attest = async (modelName: string, version: number): Promise<string> =>
  (await gqlOk(t.url, contractOp('Attestation'), { ref: { modelName, version } })).attestation.envelope;
const verify = async (envelope: string) =>
  (await gqlOk(t.url, contractOp('VerifyAttestation'), { envelope })).verifyAttestation;

describe('signed provenance', () => {
  it('signs an in-toto statement about the artifact with the lineage as predicate; verification names the key', async () => {
    const g = await distilledStudent(t.url);
    const envelope = await attest(g.student, g.version);
    const env = JSON.parse(envelope);
    expect(env.payloadType).toBe('application/vnd.in-toto+json');
    const statement = JSON.parse(Buffer.from(env.payload, 'base64').toString('utf8'));
    expect(statement._type).toBe('https://in-toto.io/Statement/v1');
    expect(statement.subject).toEqual([
      { name: `models:/${g.student}/${g.version}`, digest: { sha256: '9'.repeat(64) } },
    ]);
    const p = statement.predicate;
    expect(p.model).toMatchObject({ name: g.student, version: g.version });
    expect(p.run).toMatchObject({
      id: g.run.id,
      codeCommit: 'abc1234',
      codeRepo: 'git@example.com:risk/fraud.git',
      params: { temperature: '2' },
      seeds: [7],
    });
    expect(p.datasets.map((d: any) => [d.name, d.role, d.digest.sha256])).toEqual(
      expect.arrayContaining([
        [g.datasets.train.dataset.name, 'train', '2'.repeat(64)],
        [g.datasets.test.dataset.name, 'test', '3'.repeat(64)],
      ]),
    );
    expect(p.baseModels).toEqual([
      expect.objectContaining({
        kind: 'ProviderModel',
        provider: 'acme',
        name: g.base.name,
        providerVersion: '2024-06-01',
      }),
    ]);
    expect(p.teachers).toEqual([
      expect.objectContaining({
        kind: 'ModelVersion',
        name: g.teacherModel,
        version: 1,
        digest: { sha256: '7'.repeat(64) },
      }),
    ]);

    const keys = (await gqlOk(t.url, '{ signingKeys { keyid publicKey algorithm createdAt active storage } }'))
      .signingKeys;
    expect(keys[0]).toMatchObject({ algorithm: 'Ed25519', active: true, storage: 'GRAPH_ENCRYPTED' });
    expect(keys[0].publicKey).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(env.signatures[0].keyid).toBe(keys[0].keyid);
    expect(await verify(envelope)).toEqual({
      valid: true,
      subjectDigest: `sha256:${'9'.repeat(64)}`,
      signers: [keys[0].keyid],
    });
    // The same key signs the next attestation (made once, kept in the graph).
    expect(JSON.parse(await attest(g.teacherModel, 1)).signatures[0].keyid).toBe(keys[0].keyid);
  });

  it('a tampered envelope fails verification', async () => {
    const m = await createModel(t.url);
    await createVersion(t.url, m, { checksum: sha('a') });
    const env = JSON.parse(await attest(m, 1));
    const statement = JSON.parse(Buffer.from(env.payload, 'base64').toString('utf8'));
    statement.subject[0].digest.sha256 = 'b'.repeat(64);
    const swapped = { ...env, payload: Buffer.from(JSON.stringify(statement)).toString('base64') };
    expect(await verify(JSON.stringify(swapped))).toMatchObject({ valid: false, subjectDigest: null, signers: [] });
    const sig = Buffer.from(env.signatures[0].sig, 'base64');
    sig[0] = sig[0]! ^ 1;
    expect(
      (await verify(JSON.stringify({ ...env, signatures: [{ ...env.signatures[0], sig: sig.toString('base64') }] })))
        .valid,
    ).toBe(false);
    expect((await verify(JSON.stringify({ ...env, payloadType: 'text/plain' }))).valid).toBe(false);
    expect((await verify('not json')).valid).toBe(false);
  });

  it('recordDeployment can require a valid attestation for every model', async () => {
    const m = await createModel(t.url);
    await createVersion(t.url, m, { checksum: sha('a') });
    await createVersion(t.url, m, { checksum: sha('b') });
    const name = uniq('attested');
    const deploy = (extra: Record<string, unknown>) =>
      gql(
        t.url,
        'mutation($i: RecordDeploymentInput!) { recordDeployment(input: $i) { name requireAttestation serving { modelVersion { version } } } }',
        {
          i: {
            name,
            environment: 'staging',
            requireAttestation: true,
            models: [{ ref: { modelName: m, version: 1 }, checksum: sha('a'), ...extra }],
          },
        },
      );
    const none = await deploy({});
    expect(code(none)).toBe('GATE_FAILED');
    expect(none.errors![0]!.message).toMatch(/requires an attestation/);
    const other = await deploy({ attestation: await attest(m, 2) });
    expect(code(other)).toBe('GATE_FAILED');
    expect(other.errors![0]!.message).toMatch(/not this version's artifact/);
    const ok = await deploy({ attestation: await attest(m, 1) });
    expect(ok.errors).toBeUndefined();
    expect(ok.data.recordDeployment).toEqual({
      name,
      requireAttestation: true,
      serving: [{ modelVersion: { version: 1 } }],
    });
    // The flag is sticky: a later record without attestation is refused.
    const later = await gql(t.url, contractOp('RecordDeployment'), {
      input: { name, environment: 'staging', models: [{ ref: { modelName: m, version: 2 }, checksum: sha('b') }] },
    });
    expect(code(later)).toBe('GATE_FAILED');
  });
});
