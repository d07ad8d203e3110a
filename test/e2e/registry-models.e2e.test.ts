import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractOp } from '../support/contract.js';
import { createModel, createVersion } from '../support/fixtures.js';
import { graphDigest } from '../support/graph-digest.js';
import { code, gql, gqlOk, sha, uniq } from '../support/graphql.js';
import { startTestServer, type TestServer } from '../support/server.js';

let t: TestServer;
beforeAll(async () => {
  // The registry's own rules, without governance's two-person guard (tested in promotion.e2e).
  t = await startTestServer({}, { withoutPromotionGuard: true });
});
afterAll(async () => {
  await t?.close();
});

describe('registered models', () => {
  it('creates, reads and lists a model through the contract operations', async () => {
    const name = uniq('fraud');
    const created = await gqlOk(t.url, contractOp('CreateRegisteredModel'), {
      input: { name, description: 'fraud scores', owner: 'risk-team', tags: [{ key: 'domain', value: 'payments' }] },
    });
    expect(created.createRegisteredModel).toMatchObject({
      name,
      description: 'fraud scores',
      owner: 'risk-team',
      tags: [{ key: 'domain', value: 'payments' }],
    });
    expect(created.createRegisteredModel.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    await createVersion(t.url, name);
    await createVersion(t.url, name);
    const got = await gqlOk(t.url, contractOp('GetRegisteredModel'), { name });
    expect(got.registeredModel).toMatchObject({
      name,
      latestVersion: { version: 2, semver: '1.1.0' },
      versions: { totalCount: 2, edges: [{ node: { version: 2, stage: 'DEVELOPMENT' } }, { node: { version: 1 } }] },
      aliases: [],
    });

    const listed = await gqlOk(t.url, contractOp('ListRegisteredModels'), {
      first: 10,
      filter: { nameContains: name.toUpperCase() },
    });
    expect(listed.registeredModels.totalCount).toBe(1);
    expect(listed.registeredModels.edges[0].node).toEqual({ name, latestVersion: { version: 2 } });
    const byTag = await gqlOk(t.url, contractOp('ListRegisteredModels'), {
      filter: { tag: { key: 'domain', value: 'payments' }, owner: 'risk-team', nameContains: name },
    });
    expect(byTag.registeredModels.totalCount).toBe(1);
  });

  it('pages with opaque cursors in stable name order', async () => {
    const prefix = uniq('page');
    const names = [];
    for (let i = 0; i < 5; i++) names.push(await createModel(t.url, `${prefix}-${i}`));
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const data: any = await gqlOk(t.url, contractOp('ListRegisteredModels'), {
        first: 2,
        after,
        filter: { nameContains: prefix },
      });
      expect(data.registeredModels.totalCount).toBe(5);
      seen.push(...data.registeredModels.edges.map((e: any) => e.node.name));
      if (!data.registeredModels.pageInfo.hasNextPage) break;
      after = data.registeredModels.pageInfo.endCursor;
    }
    expect(seen).toEqual(names);
    expect(code(await gql(t.url, contractOp('ListRegisteredModels'), { after: 'not-a-cursor' }))).toBe(
      'BAD_USER_INPUT',
    );
  });

  it('refuses bad names and duplicates, writing nothing', async () => {
    const name = await createModel(t.url);
    const before = await graphDigest();
    for (const bad of ['', 'has space', 'x'.repeat(257), 'semi;colon', 'quote"', 'a@b']) {
      const r = await gql(t.url, contractOp('CreateRegisteredModel'), { input: { name: bad } });
      expect(code(r), bad).toBe('BAD_USER_INPUT');
      expect(r.errors![0]!.message).toMatch(/letters, digits/);
    }
    expect(code(await gql(t.url, contractOp('CreateRegisteredModel'), { input: { name } }))).toBe('CONFLICT');
    expect(
      code(
        await gql(t.url, contractOp('CreateRegisteredModel'), {
          input: { name: uniq('m'), tags: [{ key: 'k'.repeat(251), value: 'v' }] },
        }),
      ),
    ).toBe('BAD_USER_INPUT');
    expect(
      code(
        await gql(t.url, contractOp('CreateRegisteredModel'), {
          input: { name: uniq('m'), tags: [{ key: 'k', value: 'v'.repeat(5001) }] },
        }),
      ),
    ).toBe('BAD_USER_INPUT');
    expect(await graphDigest()).toEqual(before);
  });

  it('an idempotent retry returns the original model; the same key with other input is CONFLICT', async () => {
    const name = uniq('idem');
    const key = uniq('key');
    const a = await gqlOk(t.url, contractOp('CreateRegisteredModel'), { input: { name, idempotencyKey: key } });
    const b = await gqlOk(t.url, contractOp('CreateRegisteredModel'), { input: { name, idempotencyKey: key } });
    expect(b.createRegisteredModel.id).toBe(a.createRegisteredModel.id);
    const before = await graphDigest();
    expect(
      code(
        await gql(t.url, contractOp('CreateRegisteredModel'), {
          input: { name, description: 'other', idempotencyKey: key },
        }),
      ),
    ).toBe('CONFLICT');
    expect(await graphDigest()).toEqual(before);
  });

  it('sets model tags (insert or update)', async () => {
    const name = await createModel(t.url);
    await gqlOk(t.url, contractOp('SetRegisteredModelTag'), { modelName: name, key: 'team', value: 'a' });
    const r = await gqlOk(t.url, contractOp('SetRegisteredModelTag'), { modelName: name, key: 'team', value: 'b' });
    expect(r.setRegisteredModelTag).toEqual({ name, tags: [{ key: 'team', value: 'b' }] });
    expect(
      code(await gql(t.url, contractOp('SetRegisteredModelTag'), { modelName: uniq('nope'), key: 'k', value: 'v' })),
    ).toBe('NOT_FOUND');
  });

  it('refuses to delete a model with an alias unless forced by an admin', async () => {
    const name = await createModel(t.url);
    await createVersion(t.url, name);
    await gqlOk(t.url, contractOp('SetRegisteredModelAlias'), { modelName: name, alias: 'staging', version: 1 });
    const before = await graphDigest();
    const r = await gql(t.url, 'mutation($n: String!) { deleteRegisteredModel(name: $n) { name deletedVersions } }', {
      n: name,
    });
    expect(code(r)).toBe('CONFLICT');
    expect(await graphDigest()).toEqual(before);
    await gqlOk(
      t.url,
      'mutation($n: String!) { deleteRegisteredModelAlias(modelName: $n, alias: "staging") { alias } }',
      { n: name },
    );
    const d = await gqlOk(t.url, 'mutation($n: String!) { deleteRegisteredModel(name: $n) { name deletedVersions } }', {
      n: name,
    });
    expect(d.deleteRegisteredModel).toEqual({ name, deletedVersions: 1 });
    expect((await gqlOk(t.url, contractOp('GetRegisteredModel'), { name })).registeredModel).toBeNull();
  });
});

describe('model versions', () => {
  it('registers a version with everything the contract returns', async () => {
    const name = await createModel(t.url);
    const r = await gqlOk(t.url, contractOp('CreateModelVersion'), {
      input: {
        modelName: name,
        source: 's3://models/fraud/v1',
        checksum: sha('b'),
        framework: 'xgboost',
        description: 'first',
        tags: [{ key: 'owner', value: 'me' }],
        metrics: [
          { key: 'auc', value: 0.91 },
          { key: 'auc', value: 0.88, segment: 'region=eu' },
        ],
      },
    });
    expect(r.createModelVersion).toMatchObject({
      version: 1,
      semver: '1.0.0',
      stage: 'DEVELOPMENT',
      source: 's3://models/fraud/v1',
      checksum: sha('b'),
      fingerprint: null,
      framework: 'xgboost',
      createdBy: expect.any(String),
      model: { name },
      run: null,
      baseModel: null,
      teachers: [],
    });
    const got = await gqlOk(t.url, contractOp('GetModelVersion'), { modelName: name, version: 1 });
    expect(got.modelVersion.metrics).toEqual([
      { key: 'auc', value: 0.91, segment: null },
      { key: 'auc', value: 0.88, segment: 'region=eu' },
    ]);
    expect(got.modelVersion.tags).toEqual([{ key: 'owner', value: 'me' }]);
  });

  it('computes ML semver from the highest version and the bump', async () => {
    const name = await createModel(t.url);
    const semvers = [];
    for (const bump of [undefined, 'MINOR', 'PATCH', 'MAJOR', 'PATCH', undefined]) {
      semvers.push((await createVersion(t.url, name, bump ? { bump } : {})).semver);
    }
    expect(semvers).toEqual(['1.0.0', '1.1.0', '1.1.1', '2.0.0', '2.0.1', '2.1.0']);
  });

  it('numbers 32 concurrent registrations on one model exactly 1..32', async () => {
    const name = await createModel(t.url);
    const results = await Promise.all(
      Array.from({ length: 32 }, () =>
        gql(t.url, contractOp('CreateModelVersion'), {
          input: { modelName: name, source: 's3://b/k', checksum: sha('c') },
        }),
      ),
    );
    expect(results.flatMap((r) => r.errors ?? [])).toEqual([]);
    const numbers = results.map((r) => r.data.createModelVersion.version).sort((a: number, b: number) => a - b);
    expect(numbers).toEqual(Array.from({ length: 32 }, (_, i) => i + 1));
    const semvers = new Set(results.map((r) => r.data.createModelVersion.semver));
    expect(semvers.size).toBe(32);
  });

  it('an idempotent retry returns the original version and writes nothing', async () => {
    const name = await createModel(t.url);
    const input = { modelName: name, source: 's3://b/k', checksum: sha('d'), idempotencyKey: uniq('ci-job') };
    const [a, b] = await Promise.all([
      gqlOk(t.url, contractOp('CreateModelVersion'), { input }),
      gqlOk(t.url, contractOp('CreateModelVersion'), { input }),
    ]);
    expect(b.createModelVersion.id).toBe(a.createModelVersion.id);
    const before = await graphDigest();
    const again = await gqlOk(t.url, contractOp('CreateModelVersion'), { input });
    expect(again.createModelVersion.id).toBe(a.createModelVersion.id);
    expect(await graphDigest()).toEqual(before);
    expect(
      code(await gql(t.url, contractOp('CreateModelVersion'), { input: { ...input, source: 's3://b/other' } })),
    ).toBe('CONFLICT');
    const got = await gqlOk(t.url, contractOp('GetRegisteredModel'), { name });
    expect(got.registeredModel.versions.totalCount).toBe(1);
  });

  it('refuses bad sources and checksums on every path, writing nothing', async () => {
    const name = await createModel(t.url);
    const before = await graphDigest();
    const badSources = [
      'ftp://host/x',
      'file:///etc/passwd',
      's3://bucket/../secret',
      's3://bucket/a/%2e%2e/b',
      's3://bucket/a/%252e%252e/b',
      's3://bucket/a\\..\\b',
      's3://bucket/a#frag',
      'relative/path',
      's3://bucket/a/./b',
      'https://host/a/%2E%2E%2Fb',
      '',
    ];
    for (const source of badSources) {
      const r = await gql(t.url, contractOp('CreateModelVersion'), {
        input: { modelName: name, source, checksum: sha('e') },
      });
      expect(code(r), source).toBe('BAD_USER_INPUT');
    }
    for (const checksum of ['sha256:abc', 'md5:' + 'a'.repeat(64), 'sha256:' + 'A'.repeat(64), 'a'.repeat(64)]) {
      expect(
        code(
          await gql(t.url, contractOp('CreateModelVersion'), {
            input: { modelName: name, source: 's3://b/k', checksum },
          }),
        ),
        checksum,
      ).toBe('BAD_USER_INPUT');
    }
    expect(
      code(
        await gql(t.url, contractOp('CreateModelVersion'), {
          input: { modelName: uniq('none'), source: 's3://b/k', checksum: sha('e') },
        }),
      ),
    ).toBe('NOT_FOUND');
    expect(
      code(
        await gql(t.url, contractOp('CreateModelVersion'), {
          input: { modelName: name, source: 's3://b/k', checksum: sha('e'), runId: 'no-such-run' },
        }),
      ),
    ).toBe('NOT_FOUND');
    expect(
      code(
        await gql(t.url, contractOp('CreateModelVersion'), {
          input: {
            modelName: name,
            source: 's3://b/k',
            checksum: sha('e'),
            baseModel: { modelName: name, version: 9 },
          },
        }),
      ),
    ).toBe('NOT_FOUND');
    expect(
      code(
        await gql(t.url, contractOp('CreateModelVersion'), {
          input: {
            modelName: name,
            source: 's3://b/k',
            checksum: sha('e'),
            metrics: [
              { key: 'a', value: 1 },
              { key: 'a', value: 2 },
            ],
          },
        }),
      ),
    ).toBe('BAD_USER_INPUT');
    expect(await graphDigest()).toEqual(before);
  });

  it('links base models and teachers', async () => {
    const base = await createModel(t.url);
    await createVersion(t.url, base);
    const teacher = await createModel(t.url);
    await createVersion(t.url, teacher);
    await gqlOk(t.url, contractOp('SetRegisteredModelAlias'), { modelName: teacher, alias: 'champion', version: 1 });
    const student = await createModel(t.url);
    const r = await gqlOk(t.url, contractOp('CreateModelVersion'), {
      input: {
        modelName: student,
        source: 'hf://org/student',
        checksum: sha('f'),
        baseModel: { modelName: base, alias: 'latest' },
        teachers: [{ modelName: teacher, alias: 'champion' }],
      },
    });
    expect(r.createModelVersion.baseModel).toEqual({ model: { name: base }, version: 1 });
    expect(r.createModelVersion.teachers).toEqual([{ model: { name: teacher }, version: 1 }]);
  });

  it("updates a version's description, records the event, and has no way to change source or checksum", async () => {
    const name = await createModel(t.url);
    await createVersion(t.url, name, { description: 'first' });
    const r = await gqlOk(
      t.url,
      'mutation($ref: ModelVersionRefInput!) { updateModelVersion(ref: $ref, input: { description: "second" }) { version description source checksum } }',
      { ref: { modelName: name, version: 1 } },
    );
    expect(r.updateModelVersion).toEqual({
      version: 1,
      description: 'second',
      source: `s3://bucket/${name}/model.pkl`,
      checksum: sha('a'),
    });
    const log = await gqlOk(t.url, contractOp('AuditLog'), { filter: { modelName: name, types: ['VERSION_UPDATED'] } });
    expect(log.auditLog.edges.map((e: any) => e.node)).toEqual([
      expect.objectContaining({ version: 1, before: { description: 'first' }, after: { description: 'second' } }),
    ]);
    const bad = await gql(
      t.url,
      'mutation($ref: ModelVersionRefInput!) { updateModelVersion(ref: $ref, input: { source: "s3://x/y" }) { version } }',
      { ref: { modelName: name, version: 1 } },
    );
    expect(bad.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('sets and deletes version tags by number or alias', async () => {
    const name = await createModel(t.url);
    await createVersion(t.url, name);
    await gqlOk(t.url, contractOp('SetRegisteredModelAlias'), { modelName: name, alias: 'prod', version: 1 });
    await gqlOk(t.url, contractOp('SetModelVersionTag'), {
      ref: { modelName: name, version: 1 },
      key: 'a',
      value: '1',
    });
    const set = await gqlOk(t.url, contractOp('SetModelVersionTag'), {
      ref: { modelName: name, alias: 'prod' },
      key: 'b',
      value: '2',
    });
    expect(set.setModelVersionTag).toEqual({
      version: 1,
      tags: [
        { key: 'a', value: '1' },
        { key: 'b', value: '2' },
      ],
    });
    const del = await gqlOk(t.url, contractOp('DeleteModelVersionTag'), {
      ref: { modelName: name, version: 1 },
      key: 'a',
    });
    expect(del.deleteModelVersionTag.tags).toEqual([{ key: 'b', value: '2' }]);
    const before = await graphDigest();
    expect(
      code(await gql(t.url, contractOp('DeleteModelVersionTag'), { ref: { modelName: name, version: 1 }, key: 'a' })),
    ).toBe('NOT_FOUND');
    expect(
      code(
        await gql(t.url, contractOp('SetModelVersionTag'), {
          ref: { modelName: name, version: 1, alias: 'prod' },
          key: 'a',
          value: 'x',
        }),
      ),
    ).toBe('BAD_USER_INPUT');
    expect(
      code(
        await gql(t.url, contractOp('SetModelVersionTag'), {
          ref: { modelName: name, version: 7 },
          key: 'a',
          value: 'x',
        }),
      ),
    ).toBe('NOT_FOUND');
    expect(await graphDigest()).toEqual(before);
  });

  it('resolves versions by alias and by URI, including latest and stage', async () => {
    const name = await createModel(t.url);
    await createVersion(t.url, name, { source: 's3://b/v1' });
    await createVersion(t.url, name, { source: 's3://b/v2' });
    await gqlOk(t.url, contractOp('SetRegisteredModelAlias'), { modelName: name, alias: 'production', version: 1 });
    const byAlias = await gqlOk(t.url, contractOp('GetModelVersionByAlias'), { modelName: name, alias: 'production' });
    expect(byAlias.modelVersionByAlias).toEqual({
      version: 1,
      source: 's3://b/v1',
      checksum: sha('a'),
      stage: 'DEVELOPMENT',
    });
    expect(
      (await gqlOk(t.url, contractOp('GetModelVersionByAlias'), { modelName: name, alias: 'latest' }))
        .modelVersionByAlias.version,
    ).toBe(2);
    expect(
      (await gqlOk(t.url, contractOp('GetModelVersionByAlias'), { modelName: name, alias: 'nope' }))
        .modelVersionByAlias,
    ).toBeNull();
    const uri = async (u: string) => (await gqlOk(t.url, contractOp('ResolveModelUri'), { uri: u })).resolveModelUri;
    expect(await uri(`models:/${name}/2`)).toEqual({
      model: { name },
      version: 2,
      source: 's3://b/v2',
      checksum: sha('a'),
    });
    expect((await uri(`models:/${name}@production`)).version).toBe(1);
    expect((await uri(`models:/${name}@latest`)).version).toBe(2);
    expect((await uri(`models:/${name}/Development`)).version).toBe(2);
    expect(await uri(`models:/${name}/Production`)).toBeNull();
    expect(await uri(`models:/${name}/9`)).toBeNull();
    for (const bad of ['models:/', `models:/${name}`, `s3://x/${name}/1`, `models:/${name}/notastage`]) {
      expect(code(await gql(t.url, contractOp('ResolveModelUri'), { uri: bad })), bad).toBe('BAD_USER_INPUT');
    }
  });

  it('hot path: modelVersionByAlias and resolveModelUri answer from the alias view, with no statement, once it has read the model, and stay so across moves', async () => {
    const name = await createModel(t.url);
    await createVersion(t.url, name);
    await createVersion(t.url, name);
    const view = t.app.services.aliasView;
    // The view applies a move from the event log just after the commit, and reads records behind it.
    const settled = async (sequence: bigint) => {
      const deadline = Date.now() + 30_000;
      while (
        view.status !== 'ready' ||
        BigInt(t.app.services.consistency.applied() ?? '0') < sequence ||
        view.reading
      ) {
        if (Date.now() > deadline) throw new Error(`the alias view did not apply sequence ${sequence}: ${view.status}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const move = async (version: number) => {
      const moved = await gqlOk(t.url, contractOp('SetRegisteredModelAlias'), {
        modelName: name,
        alias: 'production',
        version,
      });
      await settled(BigInt(moved.setRegisteredModelAlias.sequence as string));
    };
    const statements = async <T>(read: () => Promise<T>): Promise<[T, number]> => {
      const before = t.app.executor.statementCount;
      const out = await read();
      return [out, t.app.executor.statementCount - before];
    };
    const byAlias = () => gqlOk(t.url, contractOp('GetModelVersionByAlias'), { modelName: name, alias: 'production' });
    const byUri = () => gqlOk(t.url, contractOp('ResolveModelUri'), { uri: `models:/${name}@production` });

    await move(1);
    // Nobody has read this model yet: Neo4j answers, and the view reads its records behind the answer.
    const [first, firstStatements] = await statements(byAlias);
    expect(first.modelVersionByAlias.version).toBe(1);
    expect(firstStatements).toBeGreaterThan(0);
    await settled(0n);
    const [hot, hotStatements] = await statements(byAlias);
    expect(hot.modelVersionByAlias.version).toBe(1);
    expect(hotStatements).toBe(0);
    const [resolved, resolvedStatements] = await statements(byUri);
    expect(resolved.resolveModelUri.version).toBe(1);
    expect(resolvedStatements).toBe(0);

    // A model someone reads is kept current: after a move the read needs no statement either.
    await move(2);
    const [after, afterStatements] = await statements(byAlias);
    expect(after.modelVersionByAlias.version).toBe(2);
    expect(afterStatements).toBe(0);
  });
});

describe('searchModelVersions', () => {
  it('filters by tag, metric threshold and stage, orders by metric, and lists aliases', async () => {
    const name = await createModel(t.url);
    const aucs = [0.7, 0.95, 0.85, 0.9];
    for (const auc of aucs)
      await createVersion(t.url, name, {
        metrics: [{ key: 'auc', value: auc }],
        tags: [{ key: 'suite', value: name }],
      });
    await gqlOk(t.url, contractOp('SetRegisteredModelAlias'), { modelName: name, alias: 'champion', version: 2 });
    const r = await gqlOk(t.url, contractOp('SearchModelVersions'), {
      filter: { modelName: name, metric: { key: 'auc', op: 'GTE', value: 0.85 } },
      orderBy: [{ field: 'METRIC', metricKey: 'auc', direction: 'DESC' }],
      first: 2,
    });
    expect(r.searchModelVersions.totalCount).toBe(3);
    expect(r.searchModelVersions.edges.map((e: any) => e.node.version)).toEqual([2, 4]);
    expect(r.searchModelVersions.edges[0].node.metrics).toEqual([{ key: 'auc', value: 0.95 }]);
    const next = await gqlOk(t.url, contractOp('SearchModelVersions'), {
      filter: { modelName: name, metric: { key: 'auc', op: 'GTE', value: 0.85 } },
      orderBy: [{ field: 'METRIC', metricKey: 'auc', direction: 'DESC' }],
      first: 2,
      after: r.searchModelVersions.pageInfo.endCursor,
    });
    expect(next.searchModelVersions.edges.map((e: any) => e.node.version)).toEqual([3]);
    expect(next.searchModelVersions.pageInfo.hasNextPage).toBe(false);

    const byTag = await gqlOk(
      t.url,
      'query($f: ModelVersionFilter) { searchModelVersions(filter: $f, first: 10) { totalCount edges { node { version aliases } } } }',
      {
        f: { tag: { key: 'suite', value: name } },
      },
    );
    expect(byTag.searchModelVersions.totalCount).toBe(4);
    expect(byTag.searchModelVersions.edges.find((e: any) => e.node.version === 2).node.aliases).toEqual(['champion']);
    const staged = await gqlOk(t.url, contractOp('SearchModelVersions'), {
      filter: { modelName: name, stage: 'STAGING' },
    });
    expect(staged.searchModelVersions.totalCount).toBe(0);
  });

  it('pages through exactly the matching versions, in order, with a totalCount that agrees (property)', async () => {
    // The count and the page come from different statements over the same
    // filter text (cypher/registry/search-versions*.cypher); this holds them
    // together through the API (test/int/version-search.int.test.ts does so
    // for every plan).
    const name = await createModel(t.url);
    const versions: { version: number; auc: number | null; grp: string }[] = [];
    for (let i = 0; i < 12; i++) {
      const auc = i % 5 === 3 ? null : [0.5, 0.7, 0.9, 0.6, 0.8][i % 5]!;
      const grp = i % 3 === 0 ? 'a' : 'b';
      const v = await createVersion(t.url, name, {
        metrics: auc === null ? [] : [{ key: 'auc', value: auc }],
        tags: [{ key: 'grp', value: grp }],
      });
      versions.push({ version: v.version, auc, grp });
    }
    const ops = {
      GT: (a: number, b: number) => a > b,
      GTE: (a: number, b: number) => a >= b,
      LT: (a: number, b: number) => a < b,
      LTE: (a: number, b: number) => a <= b,
      EQ: (a: number, b: number) => a === b,
    };
    await fc.assert(
      fc.asyncProperty(
        fc.option(fc.constantFrom('a', 'b'), { nil: null }),
        fc.option(
          fc.record({
            op: fc.constantFrom('GT', 'GTE', 'LT', 'LTE', 'EQ') as fc.Arbitrary<keyof typeof ops>,
            value: fc.constantFrom(0.5, 0.6, 0.7, 0.8, 0.9),
          }),
          { nil: null },
        ),
        fc.constantFrom('none', 'METRIC ASC', 'METRIC DESC', 'VERSION DESC', 'METRIC DESC, VERSION ASC'),
        fc.integer({ min: 1, max: 5 }),
        async (grp, metric, order, first) => {
          const filter = {
            modelName: name,
            ...(grp ? { tag: { key: 'grp', value: grp } } : {}),
            ...(metric ? { metric: { key: 'auc', ...metric } } : {}),
          };
          const orderBy =
            order === 'none'
              ? []
              : order.split(', ').map((o) => {
                  const [field, direction] = o.split(' ');
                  return field === 'METRIC' ? { field, metricKey: 'auc', direction } : { field, direction };
                });
          // Missing values sort last in either direction; then model name (one here) and version.
          const keyOf = (v: (typeof versions)[number]) => {
            const k = orderBy.map((o) => {
              const x = o.field === 'VERSION' ? v.version : v.auc;
              return x === null ? Infinity : o.direction === 'DESC' ? -x : x;
            });
            while (k.length < 2) k.push(Infinity);
            return [...k, v.version];
          };
          const cmp = (a: number[], b: number[]) => {
            for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
            return 0;
          };
          const expected = versions
            .filter(
              (v) => (!grp || v.grp === grp) && (!metric || (v.auc !== null && ops[metric.op](v.auc, metric.value))),
            )
            .sort((a, b) => cmp(keyOf(a), keyOf(b)))
            .map((v) => v.version);
          const seen: number[] = [];
          let after: string | null = null;
          for (let pages = 0; pages < 20; pages++) {
            const r: any = await gqlOk(t.url, contractOp('SearchModelVersions'), { filter, orderBy, first, after });
            expect(r.searchModelVersions.totalCount).toBe(expected.length);
            expect(r.searchModelVersions.edges.length).toBeLessThanOrEqual(first);
            seen.push(...r.searchModelVersions.edges.map((e: any) => e.node.version));
            if (!r.searchModelVersions.pageInfo.hasNextPage) break;
            after = r.searchModelVersions.pageInfo.endCursor;
          }
          expect(seen).toEqual(expected);
        },
      ),
      { numRuns: 25 },
    );
  });
});
