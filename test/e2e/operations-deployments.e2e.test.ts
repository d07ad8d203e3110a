import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractOp } from '../support/contract.js';
import { createModel, createVersion } from '../support/fixtures.js';
import { code, gql, gqlOk, sha, uniq } from '../support/graphql.js';
import { digestWithoutEvents, eventsAfter, headSequence } from '../support/operations-fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';

let t: TestServer;
beforeAll(async () => {
  // Operations are tested on their own: protected aliases and stages are governance's (promotion.e2e).
  t = await startTestServer({}, { withoutPromotionGuard: true });
});
afterAll(async () => {
  await t?.close();
});

const setAlias = (modelName: string, alias: string, version: number) =>
  gqlOk(t.url, contractOp('SetRegisteredModelAlias'), { modelName, alias, version });
const record = (input: Record<string, unknown>) => gql(t.url, contractOp('RecordDeployment'), { input });
const at = async (name: string, instant: string) =>
  (await gqlOk(t.url, contractOp('DeploymentAt'), { name, at: instant })).deploymentAt;
const served = (d: any) =>
  d?.serving.map((s: any) => `${s.modelVersion?.model.name ?? '-'}/${s.modelVersion?.version ?? '-'}@${s.weight}`);
const minus1ms = (iso: string) => new Date(Date.parse(iso) - 1).toISOString();

describe('recordDeployment', () => {
  it('serves versions with weights; a ref by alias follows the alias, and deploymentAt answers at three instants', async () => {
    const m = await createModel(t.url);
    for (const c of ['a', 'b', 'c']) await createVersion(t.url, m, { checksum: sha(c) });
    await setAlias(m, 'production', 1);
    const name = uniq('fraud-api');
    const r = await record({
      name,
      environment: 'production',
      endpoint: 'https://fraud.internal/v1',
      models: [{ ref: { modelName: m, alias: 'production' }, checksum: sha('a') }],
    });
    expect(r.errors).toBeUndefined();
    expect(r.data.recordDeployment).toMatchObject({
      name,
      environment: 'production',
      serving: [{ modelVersion: { model: { name: m }, version: 1 }, weight: 1, followsAlias: 'production' }],
    });
    await setAlias(m, 'production', 2);
    await setAlias(m, 'production', 3);

    // The instants come from the registry's own alias history, not from this module.
    const hist = await gqlOk(t.url, contractOp('AliasHistory'), { modelName: m, alias: 'production' });
    const moves = hist.aliasHistory.edges
      .map((e: any) => e.node)
      .sort((a: any, b: any) => Number(a.sequence) - Number(b.sequence));
    expect(moves.map((x: any) => x.version)).toEqual([1, 2, 3]);
    const [, toV2, toV3] = moves;
    const changes = (
      await gqlOk(
        t.url,
        'query($n: String!) { deploymentHistory(name: $n) { type at alias deployment { serving { modelVersion { version } } } } }',
        { n: name },
      )
    ).deploymentHistory;
    expect(changes.map((c: any) => [c.type, c.deployment.serving[0].modelVersion.version])).toEqual([
      ['DEPLOYMENT_RECORDED', 1],
      ['ALIAS_SET', 2],
      ['ALIAS_SET', 3],
    ]);
    const recordedAt = changes[0].at;

    expect(await at(name, minus1ms(recordedAt))).toBeNull();
    expect(served(await at(name, recordedAt))).toEqual([`${m}/1@1`]);
    expect(served(await at(name, minus1ms(toV2.at)))).toEqual([`${m}/1@1`]);
    expect(served(await at(name, toV2.at))).toEqual([`${m}/2@1`]);
    expect(served(await at(name, toV3.at))).toEqual([`${m}/3@1`]);
    expect(served(await at(name, new Date(Date.now() + 60_000).toISOString()))).toEqual([`${m}/3@1`]);
    // A version loaded later by the deployer still has its own checksum: the record keeps the verified one.
    const now = (
      await gqlOk(
        t.url,
        'query($n: String!) { deployment(name: $n) { serving { checksum followsAlias modelVersion { version checksum } } } }',
        { n: name },
      )
    ).deployment;
    expect(now.serving).toEqual([
      { checksum: sha('a'), followsAlias: 'production', modelVersion: { version: 3, checksum: sha('c') } },
    ]);
  });

  it('bundles several models (pinned and followed) and a re-record replaces what is served', async () => {
    const retriever = await createModel(t.url);
    const ranker = await createModel(t.url);
    await createVersion(t.url, retriever, { checksum: sha('1') });
    await createVersion(t.url, ranker, { checksum: sha('2') });
    await createVersion(t.url, ranker, { checksum: sha('3') });
    await setAlias(ranker, 'champion', 1);
    const name = uniq('search');
    const first = await record({
      name,
      environment: 'staging',
      models: [
        { ref: { modelName: retriever, version: 1 }, checksum: sha('1') },
        { ref: { modelName: ranker, alias: 'champion' }, checksum: sha('2'), weight: 0.9 },
        {
          ref: { modelName: ranker, version: 2 },
          checksum: sha('3').toUpperCase().replace('SHA256', 'sha256'),
          weight: 0.1,
        },
      ],
    });
    expect(first.errors).toBeUndefined();
    expect(
      first.data.recordDeployment.serving.map((s: any) => [
        s.modelVersion.model.name,
        s.modelVersion.version,
        s.weight,
        s.followsAlias,
      ]),
    ).toEqual([
      [retriever, 1, 1, null],
      [ranker, 1, 0.9, 'champion'],
      [ranker, 2, 0.1, null],
    ]);
    const second = await record({
      name,
      environment: 'staging',
      models: [{ ref: { modelName: ranker, version: 2 }, checksum: sha('3') }],
    });
    expect(served(second.data.recordDeployment)).toEqual([`${ranker}/2@1`]);
    // Weights of one model share traffic: more than 1 in total is refused.
    const over = await record({
      name,
      environment: 'staging',
      models: [
        { ref: { modelName: ranker, version: 1 }, checksum: sha('2'), weight: 0.6 },
        { ref: { modelName: ranker, version: 2 }, checksum: sha('3'), weight: 0.6 },
      ],
    });
    expect(code(over)).toBe('BAD_USER_INPUT');
  });

  it('refuses a checksum mismatch with CHECKSUM_MISMATCH and audits the refusal in a transaction that writes nothing else', async () => {
    const m = await createModel(t.url);
    await createVersion(t.url, m, { checksum: sha('a') });
    await setAlias(m, 'production', 1);
    const name = uniq('api');
    const head = await headSequence();
    const before = await digestWithoutEvents();
    const r = await record({
      name,
      environment: 'production',
      models: [{ ref: { modelName: m, alias: 'production' }, checksum: sha('b') }],
    });
    expect(code(r)).toBe('CHECKSUM_MISMATCH');
    expect(r.errors![0]!.message).toMatch(/registered artifact/);
    expect(await digestWithoutEvents()).toBe(before);
    const added = await eventsAfter(head);
    expect(added).toEqual([
      {
        type: 'DEPLOYMENT_CHECKSUM_MISMATCH',
        modelName: m,
        after: expect.objectContaining({
          deployment: name,
          mismatches: [expect.objectContaining({ version: 1, alias: 'production', expected: sha('a'), got: sha('b') })],
        }),
      },
    ]);
    const log = await gqlOk(t.url, contractOp('AuditLog'), {
      filter: { modelName: m, types: ['DEPLOYMENT_CHECKSUM_MISMATCH'] },
    });
    expect(log.auditLog.edges).toHaveLength(1);
    expect(await at(name, new Date(Date.now() + 60_000).toISOString())).toBeNull();
  });

  it('refuses bad input and unknown versions without writing', async () => {
    const m = await createModel(t.url);
    await createVersion(t.url, m);
    const head = await headSequence();
    expect(code(await record({ name: 'x', environment: 'prod', models: [] }))).toBe('BAD_USER_INPUT');
    expect(
      code(
        await record({
          name: 'x',
          environment: 'prod',
          models: [{ ref: { modelName: m, version: 1 }, checksum: 'md5:abc' }],
        }),
      ),
    ).toBe('BAD_USER_INPUT');
    expect(
      code(
        await record({
          name: 'x',
          environment: 'prod',
          models: [{ ref: { modelName: m, version: 9 }, checksum: sha('a') }],
        }),
      ),
    ).toBe('NOT_FOUND');
    expect(await eventsAfter(head)).toEqual([]);
  });
});
