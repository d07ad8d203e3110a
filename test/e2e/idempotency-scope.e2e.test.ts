import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMigrations } from '../../src/graph/cypher.js';
import { contractOp } from '../support/contract.js';
import { createModel } from '../support/fixtures.js';
import { graphDigest } from '../support/graph-digest.js';
import { as, code, gql, gqlOk, sha, uniq } from '../support/graphql.js';
import { testDriver } from '../support/neo4j.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * Finding 10: idempotency keys are scoped to the principal who sends them.
 * Another principal's same key neither replays your result (your version,
 * `createdBy` you) nor claims the key before you; your own replay still
 * returns the original and writes nothing. Keys stored before (global) were
 * given to the creator of their result by migration 080.
 */
let t: TestServer;
let alice: { name: string; token: string };
let bob: { name: string; token: string };
beforeAll(async () => {
  t = await startTestServer();
  const principal = async () => {
    const name = uniq('ci');
    return {
      name,
      token: (await gqlOk(t.url, contractOp('CreateApiToken'), { name, role: 'CONTRIBUTOR' })).createApiToken
        .token as string,
    };
  };
  alice = await principal();
  bob = await principal();
});
afterAll(async () => {
  await t?.close();
});

const CREATE_VERSION =
  'mutation($input: CreateModelVersionInput!) { createModelVersion(input: $input) { id version createdBy } }';
const createVersionAs = (who: { token: string }, input: Record<string, unknown>) =>
  gql(t.url, CREATE_VERSION, { input }, as(who.token));
const createModelAs = (who: { token: string }, input: Record<string, unknown>) =>
  gql(t.url, contractOp('CreateRegisteredModel'), { input }, as(who.token));

async function cypher(text: string, params: Record<string, unknown> = {}) {
  const driver = testDriver();
  try {
    return (await driver.executeQuery(text, params)).records;
  } finally {
    await driver.close();
  }
}

describe('idempotency keys are scoped to their principal', () => {
  it('createModelVersion: two principals with the same key and input get independent versions; each replay returns its own original', async () => {
    const modelName = await createModel(t.url);
    const key = uniq('ci-job');
    const input = { modelName, source: `s3://b/${modelName}/1`, checksum: sha('d'), idempotencyKey: key };
    const a = (await createVersionAs(alice, input)).data.createModelVersion;
    const b = (await createVersionAs(bob, input)).data.createModelVersion;
    expect(a).toMatchObject({ version: 1, createdBy: alice.name });
    expect(b).toMatchObject({ version: 2, createdBy: bob.name });

    const before = await graphDigest();
    expect((await createVersionAs(alice, input)).data.createModelVersion).toEqual(a);
    expect((await createVersionAs(bob, input)).data.createModelVersion).toEqual(b);
    expect(await graphDigest()).toEqual(before);
    // Different input under one's own key is still CONFLICT, and changes nothing.
    const other = await createVersionAs(alice, { ...input, source: `s3://b/${modelName}/other` });
    expect(code(other)).toBe('CONFLICT');
    expect(await graphDigest()).toEqual(before);
  });

  it('createModelVersion: a key another principal used first (with other input) is not claimed: yours still works', async () => {
    const modelName = await createModel(t.url);
    const key = uniq('ci-job');
    const squatted = await createVersionAs(bob, {
      modelName,
      source: `s3://b/${modelName}/bob`,
      checksum: sha('e'),
      idempotencyKey: key,
    });
    expect(squatted.errors).toBeUndefined();
    const mine = await createVersionAs(alice, {
      modelName,
      source: `s3://b/${modelName}/alice`,
      checksum: sha('f'),
      idempotencyKey: key,
    });
    expect(mine.errors).toBeUndefined();
    expect(mine.data.createModelVersion).toMatchObject({ version: 2, createdBy: alice.name });
  });

  it("createRegisteredModel: another principal's replay of your key is not your model; yours is", async () => {
    const name = uniq('idem');
    const key = uniq('key');
    const a = (await createModelAs(alice, { name, idempotencyKey: key })).data.createRegisteredModel;
    const before = await graphDigest();
    const theirs = await createModelAs(bob, { name, idempotencyKey: key });
    expect(code(theirs)).toBe('CONFLICT');
    expect(theirs.errors![0]!.message).toMatch(/already exists/);
    expect((await createModelAs(alice, { name, idempotencyKey: key })).data.createRegisteredModel.id).toBe(a.id);
    expect(await graphDigest()).toEqual(before);
  });

  it('a replay answers with the model the key recorded, by id: a namesake created after a delete is not it', async () => {
    const name = uniq('idem');
    const key = uniq('key');
    await createModelAs(alice, { name, idempotencyKey: key });
    await gqlOk(t.url, 'mutation($n: String!) { deleteRegisteredModel(name: $n) { name } }', { n: name });
    await gqlOk(t.url, contractOp('CreateRegisteredModel'), { input: { name } });
    const replay = await createModelAs(alice, { name, idempotencyKey: key });
    expect(code(replay)).toBe('CONFLICT');
    expect(replay.errors![0]!.message).toMatch(/has since been deleted or renamed/);
  });

  it('migration 080 gives keys stored before (global) to the creator of their result, and sets aside keys it cannot attribute', async () => {
    const modelName = uniq('legacy');
    const [vKey, mKey, goneKey] = [uniq('old-v'), uniq('old-m'), uniq('old-gone')];
    const versionInput = { modelName, source: `s3://b/${modelName}/1`, checksum: sha('a') };
    const model = (await createModelAs(alice, { name: modelName, idempotencyKey: mKey })).data.createRegisteredModel;
    const version = (await createVersionAs(alice, { ...versionInput, idempotencyKey: vKey })).data.createModelVersion;
    await createVersionAs(alice, { ...versionInput, source: `s3://b/${modelName}/2`, idempotencyKey: goneKey });
    // Back to the form the code before this change stored: global, without a principal;
    // goneKey's result no longer exists (as after a version delete).
    await cypher(
      `MATCH (k:IdempotencyKey) WHERE k.principal = $p AND any(s IN $keys WHERE k.key ENDS WITH ':' + s)
       SET k.key = split(k.key, ':')[0] + ':' + substring(k.key, size(split(k.key, ':')[0]) + size($p) + 2),
           k.resultId = CASE WHEN k.key ENDS WITH $gone THEN 'deleted-version' ELSE k.resultId END
       REMOVE k.principal`,
      { p: alice.name, keys: [vKey, mKey, goneKey], gone: goneKey },
    );
    const keysNow = async () =>
      (
        await cypher(
          'MATCH (k:IdempotencyKey) WHERE any(s IN $keys WHERE k.key ENDS WITH s) RETURN k.key AS key, k.principal AS principal',
          { keys: [vKey, mKey, goneKey] },
        )
      )
        .map((r) => [r.get('key'), r.get('principal')])
        .sort();
    expect(await keysNow()).toEqual(
      [
        [`createModelVersion:${goneKey}`, null],
        [`createModelVersion:${vKey}`, null],
        [`createRegisteredModel:${mKey}`, null],
      ].sort(),
    );

    const migration = loadMigrations().find((m) => m.id === '080-idempotency-key-principals')!;
    for (const text of migration.statements) await t.app.executor.runSchema(text, migration.id);
    const migrated = [
      [`createModelVersion:${alice.name}:${vKey}`, alice.name],
      [`createRegisteredModel:${alice.name}:${mKey}`, alice.name],
      [`legacy:createModelVersion:${goneKey}`, ''],
    ].sort();
    expect(await keysNow()).toEqual(migrated);
    // A second run changes nothing.
    for (const text of migration.statements) await t.app.executor.runSchema(text, migration.id);
    expect(await keysNow()).toEqual(migrated);

    // The creator's retry replays the original; anyone else's same key is theirs alone.
    const before = await graphDigest();
    expect((await createVersionAs(alice, { ...versionInput, idempotencyKey: vKey })).data.createModelVersion.id).toBe(
      version.id,
    );
    expect((await createModelAs(alice, { name: modelName, idempotencyKey: mKey })).data.createRegisteredModel.id).toBe(
      model.id,
    );
    expect(await graphDigest()).toEqual(before);
    const bobs = (await createVersionAs(bob, { ...versionInput, idempotencyKey: vKey })).data.createModelVersion;
    expect(bobs).toMatchObject({ createdBy: bob.name });
    expect(bobs.id).not.toBe(version.id);
  });
});
