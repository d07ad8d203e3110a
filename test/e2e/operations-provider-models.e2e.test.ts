import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphDigest } from '../support/graph-digest.js';
import { code, gql, gqlOk, uniq } from '../support/graphql.js';
import { startTestServer, type TestServer } from '../support/server.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t?.close();
});

const FIELDS = 'id providerVersion changeDate impactAssessment qualificationStatus qualificationNote deprecatedAt';
const recordVersion = async (name: string, providerVersion: string, changeDate: string, impactAssessment: string) =>
  (
    await gqlOk(t.url, `mutation($i: RecordProviderVersionInput!) { recordProviderVersion(input: $i) { ${FIELDS} } }`, {
      i: { provider: 'acme', name, providerVersion, changeDate, impactAssessment },
    })
  ).recordProviderVersion;
const qualify = (id: string, status: string, note?: string) =>
  gql(
    t.url,
    `mutation($id: ID!, $s: QualificationStatus!, $n: String) { setProviderVersionQualification(id: $id, status: $s, note: $n) { ${FIELDS} } }`,
    { id, s: status, n: note },
  );
const deploy = (name: string, providerModelId: string) =>
  gql(
    t.url,
    'mutation($i: RecordDeploymentInput!) { recordDeployment(input: $i) { name providerModels { providerModelId provider name providerVersion weight } } }',
    {
      i: { name, environment: 'production', models: [], providerModels: [{ providerModelId }] },
    },
  );
const deprecatedPins = async () =>
  (
    await gqlOk(
      t.url,
      '{ deploymentsOnDeprecatedProviderVersions { deploymentName environment weight providerModel { id providerVersion deprecatedAt } } }',
    )
  ).deploymentsOnDeprecatedProviderVersions;

describe('provider change log', () => {
  it('records versions with change date and impact; only QUALIFIED versions can be pinned; deprecated pins are listed', async () => {
    const llm = uniq('chat');
    const v1 = await recordVersion(llm, '2024-06-01', '2024-06-01T00:00:00Z', 'Initial pin.');
    const v2 = await recordVersion(
      llm,
      '2024-09-15',
      '2024-09-15T00:00:00Z',
      'Tokenizer change: prompts over 4k tokens behave differently.',
    );
    expect(v1).toMatchObject({
      qualificationStatus: 'UNDER_EVALUATION',
      changeDate: '2024-06-01T00:00:00.000Z',
      deprecatedAt: null,
    });
    const log = (
      await gqlOk(t.url, `query($n: String!) { providerChangeLog(provider: "acme", name: $n) { ${FIELDS} } }`, {
        n: llm,
      })
    ).providerChangeLog;
    expect(log.map((p: any) => p.providerVersion)).toEqual(['2024-09-15', '2024-06-01']);
    expect(log[0].impactAssessment).toMatch(/Tokenizer/);

    const name = uniq('assistant');
    const before = await graphDigest();
    const refused = await deploy(name, v1.id);
    expect(code(refused)).toBe('GATE_FAILED');
    expect(refused.errors![0]!.message).toMatch(/UNDER_EVALUATION.*only a QUALIFIED/);
    expect(await graphDigest()).toEqual(before);

    expect(
      (await qualify(v1.id, 'QUALIFIED', 'Eval suite 3.2 passed')).data.setProviderVersionQualification,
    ).toMatchObject({ qualificationStatus: 'QUALIFIED', qualificationNote: 'Eval suite 3.2 passed' });
    expect(code(await qualify(v2.id, 'REJECTED'))).toBe('BAD_USER_INPUT');
    expect(
      (await qualify(v2.id, 'REJECTED', 'Fails long-context evals')).data.setProviderVersionQualification
        .qualificationStatus,
    ).toBe('REJECTED');
    expect(code(await deploy(uniq('other'), v2.id))).toBe('GATE_FAILED');

    const ok = await deploy(name, v1.id);
    expect(ok.errors).toBeUndefined();
    expect(ok.data.recordDeployment.providerModels).toEqual([
      { providerModelId: v1.id, provider: 'acme', name: llm, providerVersion: '2024-06-01', weight: 1 },
    ]);
    expect((await deprecatedPins()).filter((p: any) => p.deploymentName === name)).toEqual([]);

    await gqlOk(
      t.url,
      'mutation($id: ID!) { deprecateProviderVersion(id: $id, deprecatedAt: "2025-01-01T00:00:00Z", note: "EOL announced") { deprecatedAt } }',
      { id: v1.id },
    );
    expect((await deprecatedPins()).filter((p: any) => p.deploymentName === name)).toEqual([
      {
        deploymentName: name,
        environment: 'production',
        weight: 1,
        providerModel: { id: v1.id, providerVersion: '2024-06-01', deprecatedAt: '2025-01-01T00:00:00.000Z' },
      },
    ]);

    // Moving the deployment to a qualified, supported version clears it from the list.
    const v3 = await recordVersion(llm, '2025-01-10', '2025-01-10T00:00:00Z', 'Replacement for 2024-06-01.');
    await qualify(v3.id, 'QUALIFIED', 'Eval suite 3.3 passed');
    expect((await deploy(name, v3.id)).errors).toBeUndefined();
    expect((await deprecatedPins()).filter((p: any) => p.deploymentName === name)).toEqual([]);
    const now = (
      await gqlOk(t.url, 'query($n: String!) { deployment(name: $n) { providerModels { providerVersion } } }', {
        n: name,
      })
    ).deployment;
    expect(now.providerModels).toEqual([{ providerVersion: '2025-01-10' }]);
  });
});
