import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractOp } from '../support/contract.js';
import { createModel } from '../support/fixtures.js';
import { graphDigest } from '../support/graph-digest.js';
import { ARTIFACTS, makePeople, type People } from '../support/governed.js';
import { as, code, gql, gqlOk, sha, TEST_ADMIN_TOKEN, uniq } from '../support/graphql.js';
import { testDriver } from '../support/neo4j.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * The bulk registry mutations (createModelVersions, setModelVersionTags):
 * one transaction each, all or nothing, each item by the single mutation's
 * rules (the same service code path), idempotent per item key, bounded.
 */

const CREATE_MANY = `mutation($inputs: [CreateModelVersionInput!]!) {
  createModelVersions(inputs: $inputs) { id version semver source checksum model { name } baseModel { model { name } version } }
}`;
const TAG_MANY = `mutation($tags: [ModelVersionTagInput!]!) { setModelVersionTags(tags: $tags) { id version model { name } } }`;

/** Cypher straight against the test database (for what only the graph can show). */
async function query(cypher: string, params: Record<string, unknown> = {}) {
  const driver = testDriver();
  const session = driver.session();
  try {
    return await session.run(cypher, params);
  } finally {
    await session.close();
    await driver.close();
  }
}

/** The events of a model, oldest first: [sequence, type, version, before, after]. */
async function eventsOf(
  modelName: string,
): Promise<{ sequence: number; type: string; version: number | null; before: unknown; after: unknown }[]> {
  const r = await query(
    'MATCH (e:Event {modelName: $m}) RETURN e.sequence AS s, e.type AS type, e.version AS version, e.before AS before, e.after AS after ORDER BY e.sequence',
    { m: modelName },
  );
  return r.records.map((x) => ({
    sequence: Number(x.get('s')),
    type: x.get('type'),
    version: x.get('version') === null ? null : Number(x.get('version')),
    before: x.get('before') === null ? null : JSON.parse(x.get('before')),
    after: x.get('after') === null ? null : JSON.parse(x.get('after')),
  }));
}

describe('bulk registry mutations', () => {
  let t: TestServer;
  let p: People;
  beforeAll(async () => {
    t = await startTestServer();
    p = await makePeople(t.url);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  const input = (modelName: string, i: number, extra: Record<string, unknown> = {}) => ({
    modelName,
    source: `s3://bulk/${modelName}/${i}.pkl`,
    checksum: sha(String(i % 10)),
    ...extra,
  });

  it('createModelVersions registers every input in one transaction: numbered per model in input order, one VERSION_CREATED each, one contiguous range of sequences', async () => {
    const a = await createModel(t.url, uniq('bulk-a'));
    const b = await createModel(t.url, uniq('bulk-b'));
    const inputs = [
      input(a, 0),
      input(b, 1, { bump: 'MAJOR' }),
      input(a, 2, { bump: 'PATCH' }),
      input(a, 3, { baseModel: { modelName: b, version: 1 } }),
      input(b, 4),
    ];
    const got = (await gqlOk(t.url, CREATE_MANY, { inputs }, as(p.tokens.contributor))).createModelVersions;
    expect(got.map((v: any) => [v.model.name, v.version, v.semver, v.source])).toEqual([
      [a, 1, '1.0.0', inputs[0]!.source],
      [b, 1, '1.0.0', inputs[1]!.source],
      [a, 2, '1.0.1', inputs[2]!.source],
      [a, 3, '1.1.0', inputs[3]!.source],
      [b, 2, '1.1.0', inputs[4]!.source],
    ]);
    // The base model registered earlier in the same call is linked.
    expect(got[3].baseModel).toEqual({ model: { name: b }, version: 1 });
    const evA = await eventsOf(a);
    const evB = await eventsOf(b);
    const created = [...evA, ...evB]
      .filter((e) => e.type === 'VERSION_CREATED')
      .sort((x, y) => x.sequence - y.sequence);
    expect(created.map((e) => e.version)).toEqual([1, 1, 2, 3, 2]);
    // One transaction appended them in input order, in one range.
    expect(created.map((e) => e.sequence - created[0]!.sequence)).toEqual([0, 1, 2, 3, 4]);
    const counters = await query(
      'MATCH (m:RegisteredModel) WHERE m.name IN [$a, $b] RETURN m.name AS n, m.versionCounter AS c ORDER BY n',
      { a, b },
    );
    expect(Object.fromEntries(counters.records.map((r) => [r.get('n'), Number(r.get('c'))]))).toEqual({
      [a]: 3,
      [b]: 2,
    });
  });

  it('createModelVersions is all or nothing: an input that fails (missing model, missing base, missing run, bad checksum) writes nothing, and the error names it', async () => {
    const a = await createModel(t.url, uniq('bulk-fail'));
    const prompt = await createModel(t.url, uniq('bulk-prompt'), { kind: 'PROMPT' });
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [input(prompt, 2), 'BAD_USER_INPUT', /^inputs\[2\]: ".*" is a prompt/],
      [input(uniq('no-such-model'), 2), 'NOT_FOUND', /^inputs\[2\]: no registered model named/],
      [
        input(a, 2, { baseModel: { modelName: a, version: 99 } }),
        'NOT_FOUND',
        /^inputs\[2\]: baseModel .* does not exist/,
      ],
      [input(a, 2, { runId: 'no-such-run' }), 'NOT_FOUND', /^inputs\[2\]: no run with id "no-such-run"/],
      [input(a, 2, { checksum: 'md5:nope' }), 'BAD_USER_INPUT', /^inputs\[2\]: /],
    ];
    for (const [bad, errorCode, message] of cases) {
      const before = await graphDigest();
      const r = await gql(
        t.url,
        CREATE_MANY,
        { inputs: [input(a, 0), input(a, 1), bad, input(a, 3)] },
        as(p.tokens.contributor),
      );
      expect(code(r), JSON.stringify(bad)).toBe(errorCode);
      expect(r.errors![0]!.message).toMatch(message);
      expect(r.errors![0]!.extensions?.item).toBe(2);
      expect(await graphDigest()).toEqual(before);
    }
    expect(await eventsOf(a)).toEqual([expect.objectContaining({ type: 'MODEL_CREATED' })]);
  });

  it('createModelVersions is idempotent per input key: a retry returns the same versions and writes nothing; a key reused for another input is CONFLICT and writes nothing', async () => {
    const a = await createModel(t.url, uniq('bulk-key'));
    const inputs = [0, 1, 2].map((i) => input(a, i, { idempotencyKey: `${a}-k${i}` }));
    const first = (await gqlOk(t.url, CREATE_MANY, { inputs }, as(p.tokens.contributor))).createModelVersions;
    const before = await graphDigest();
    const again = (await gqlOk(t.url, CREATE_MANY, { inputs }, as(p.tokens.contributor))).createModelVersions;
    expect(again.map((v: any) => v.id)).toEqual(first.map((v: any) => v.id));
    expect(await graphDigest()).toEqual(before);
    // Two keyed retries plus one new input: the new one is registered, the others replayed.
    const mixed = (
      await gqlOk(
        t.url,
        CREATE_MANY,
        { inputs: [inputs[0], input(a, 7, { idempotencyKey: `${a}-k7` }), inputs[2]] },
        as(p.tokens.contributor),
      )
    ).createModelVersions;
    expect(mixed.map((v: any) => v.version)).toEqual([1, 4, 3]);
    const reused = await gql(
      t.url,
      CREATE_MANY,
      { inputs: [input(a, 8), input(a, 9, { idempotencyKey: `${a}-k1` })] },
      as(p.tokens.contributor),
    );
    expect(code(reused)).toBe('CONFLICT');
    expect(reused.errors![0]!.message).toMatch(/^inputs\[1\]: idempotencyKey/);
    expect((await eventsOf(a)).filter((e) => e.type === 'VERSION_CREATED').map((e) => e.version)).toEqual([1, 2, 3, 4]);
  });

  it('bulk lists are bounded (1000), a VIEWER writes nothing, and an empty list is an empty answer', async () => {
    const a = await createModel(t.url, uniq('bulk-cap'));
    const before = await graphDigest();
    const tooMany = await gql(t.url, CREATE_MANY, { inputs: Array.from({ length: 1001 }, (_, i) => input(a, i)) });
    expect(code(tooMany)).toBe('BAD_USER_INPUT');
    const tooManyTags = await gql(t.url, TAG_MANY, {
      tags: Array.from({ length: 1001 }, (_, i) => ({ ref: { modelName: a, version: 1 }, key: `k${i}`, value: 'v' })),
    });
    expect(code(tooManyTags)).toBe('BAD_USER_INPUT');
    expect(code(await gql(t.url, CREATE_MANY, { inputs: [input(a, 0)] }, as(p.tokens.viewer)))).toBe('FORBIDDEN');
    expect(code(await gql(t.url, TAG_MANY, { tags: [] }, as(p.tokens.viewer)))).toBe('FORBIDDEN');
    expect(await graphDigest()).toEqual(before);
    expect((await gqlOk(t.url, CREATE_MANY, { inputs: [] })).createModelVersions).toEqual([]);
    expect((await gqlOk(t.url, TAG_MANY, { tags: [] })).setModelVersionTags).toEqual([]);
  });

  it("createModelVersions takes the single mutation's artefact checks: an in-store source is hashed and sealed, a wrong checksum for it is CHECKSUM_MISMATCH and writes nothing", async () => {
    const a = await createModel(t.url, uniq('bulk-store'));
    const path = `bulk/${a}/weights.bin`;
    const put = await fetch(`${t.url.replace(/\/graphql$/, '')}${ARTIFACTS}/${path}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      body: 'bulk weights',
    });
    expect(put.status).toBe(200);
    const source = `mlflow-artifacts:/${path}`;
    const before = await graphDigest();
    const wrong = await gql(t.url, CREATE_MANY, {
      inputs: [input(a, 0), { modelName: a, source, checksum: sha('0') }],
    });
    expect(code(wrong)).toBe('CHECKSUM_MISMATCH');
    expect(wrong.errors![0]!.message).toMatch(/^inputs\[1\]: /);
    expect(await graphDigest()).toEqual(before);
    // Inputs are hashed a few at a time; the error is still the first failing input's, whichever finished first.
    const many = [
      ...Array.from({ length: 11 }, (_, i) => input(a, i)),
      { modelName: a, source, checksum: sha('1') },
      { modelName: a, source, checksum: sha('2') },
    ];
    many.splice(3, 0, { modelName: a, source, checksum: sha('3') });
    const firstWrong = await gql(t.url, CREATE_MANY, { inputs: many });
    expect(code(firstWrong)).toBe('CHECKSUM_MISMATCH');
    expect(firstWrong.errors![0]!.message).toMatch(/^inputs\[3\]: /);
    expect(await graphDigest()).toEqual(before);
    // Without a checksum GraphQL refuses, exactly as the single mutation does.
    expect(code(await gql(t.url, CREATE_MANY, { inputs: [{ modelName: a, source }] }))).toBe('BAD_USER_INPUT');
    const hashed = (
      await gql(t.url, contractOp('CreateModelVersion'), { input: { modelName: a, source, checksum: sha('0') } })
    ).errors![0]!.message.match(/hash to (sha256:[0-9a-f]{64})/)![1]!;
    const [v] = (await gqlOk(t.url, CREATE_MANY, { inputs: [{ modelName: a, source, checksum: hashed }] }))
      .createModelVersions;
    const seals = await query(
      'MATCH (:ModelVersion {id: $id})-[:STORED_AT]->(s:ArtifactSeal) RETURN s.path AS path, s.checksum AS checksum',
      { id: v.id },
    );
    expect(seals.records.map((r) => [r.get('path'), r.get('checksum')])).toEqual([[path, hashed]]);
    // The sealed file is now write-once, for its uploader (an admin) as for anyone.
    const overwrite = await fetch(`${t.url.replace(/\/graphql$/, '')}${ARTIFACTS}/${path}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      body: 'swapped weights',
    });
    expect(overwrite.status).not.toBe(200);
    expect(((await overwrite.json()) as { error_code: string }).error_code).toBe('INVALID_STATE');
  });

  it('setModelVersionTags sets tags across versions in one transaction, each as setModelVersionTag does (events chain their before and after)', async () => {
    const a = await createModel(t.url, uniq('bulk-tags'));
    await gqlOk(t.url, CREATE_MANY, { inputs: [input(a, 0), input(a, 1)] });
    const tags = [
      { ref: { modelName: a, version: 1 }, key: 'team', value: 'x' },
      { ref: { modelName: a, version: 2 }, key: 'team', value: 'y' },
      { ref: { modelName: a, version: 1 }, key: 'team', value: 'z' },
      { ref: { modelName: a, alias: 'latest' }, key: 'env', value: 'ci' },
    ];
    const got = (await gqlOk(t.url, TAG_MANY, { tags }, as(p.tokens.contributor))).setModelVersionTags;
    expect(got.map((v: any) => v.version)).toEqual([1, 2, 1, 2]);
    const r = await gqlOk(
      t.url,
      `query($m: String!) { registeredModel(name: $m) { versions(first: 10) { edges { node { version tags { key value } } } } } }`,
      { m: a },
    );
    const byVersion = Object.fromEntries(
      r.registeredModel.versions.edges.map((e: any) => [
        e.node.version,
        Object.fromEntries(e.node.tags.map((x: any) => [x.key, x.value])),
      ]),
    );
    expect(byVersion).toEqual({ 1: { team: 'z' }, 2: { team: 'y', env: 'ci' } });
    const ev = (await eventsOf(a)).filter((e) => e.type === 'VERSION_TAG_SET');
    expect(ev.map((e) => [e.version, e.before, e.after])).toEqual([
      [1, null, { team: 'x' }],
      [2, null, { team: 'y' }],
      [1, { team: 'x' }, { team: 'z' }],
      [2, null, { env: 'ci' }],
    ]);
  });

  it('setModelVersionTags is all or nothing: a missing version, a key too long or a version past its tag cap writes nothing, and the error names the tag', async () => {
    const a = await createModel(t.url, uniq('bulk-tagfail'));
    await gqlOk(t.url, CREATE_MANY, { inputs: [input(a, 0)] });
    const good = { ref: { modelName: a, version: 1 }, key: 'ok', value: 'v' };
    const before = await graphDigest();
    const missing = await gql(
      t.url,
      TAG_MANY,
      { tags: [good, { ref: { modelName: a, version: 9 }, key: 'k', value: 'v' }] },
      as(p.tokens.contributor),
    );
    expect(code(missing)).toBe('NOT_FOUND');
    expect(missing.errors![0]!.message).toMatch(/^tags\[1\]: model ".*" has no version 9/);
    const long = await gql(
      t.url,
      TAG_MANY,
      { tags: [good, good, { ...good, key: 'k'.repeat(1000) }] },
      as(p.tokens.contributor),
    );
    expect(code(long)).toBe('BAD_USER_INPUT');
    expect(long.errors![0]!.message).toMatch(/^tags\[2\]: /);
    const malformed = await gql(
      t.url,
      TAG_MANY,
      { tags: [good, { ref: { modelName: a }, key: 'k', value: 'v' }] },
      as(p.tokens.contributor),
    );
    expect(code(malformed)).toBe('BAD_USER_INPUT');
    expect(malformed.errors![0]!.message).toMatch(
      /^tags\[1\]: a model version reference takes exactly one of version and alias/,
    );
    // More new keys than a version holds (100): the first past the cap fails the whole call.
    const full = await gql(
      t.url,
      TAG_MANY,
      { tags: Array.from({ length: 101 }, (_, i) => ({ ref: good.ref, key: `k${i}`, value: 'v' })) },
      as(p.tokens.contributor),
    );
    expect(code(full)).toBe('BAD_USER_INPUT');
    expect(full.errors![0]!.message).toMatch(/^tags\[100\]: a model or a version has at most 100 tags/);
    expect(await graphDigest()).toEqual(before);
  });
});
