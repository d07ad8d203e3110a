import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractOp } from '../support/contract.js';
import { createModel, createVersion } from '../support/fixtures.js';
import { graphDigest } from '../support/graph-digest.js';
import { code, gql, gqlOk, uniq } from '../support/graphql.js';
import { startTestServer, type TestServer } from '../support/server.js';

let t: TestServer;
beforeAll(async () => {
  // The registry's own rules, without governance's two-person guard (tested in promotion.e2e).
  t = await startTestServer({}, { withoutPromotionGuard: true });
});
afterAll(async () => {
  await t?.close();
});

async function modelWithVersions(n: number): Promise<string> {
  const name = await createModel(t.url);
  for (let i = 0; i < n; i++) await createVersion(t.url, name);
  return name;
}

describe('aliases', () => {
  it('sets, moves and deletes an alias, returning the previous version and the event sequence', async () => {
    const name = await modelWithVersions(2);
    const set = await gqlOk(t.url, contractOp('SetRegisteredModelAlias'), {
      modelName: name,
      alias: 'production',
      version: 1,
    });
    expect(set.setRegisteredModelAlias).toMatchObject({
      alias: 'production',
      version: { version: 1 },
      previousVersion: null,
    });
    expect(set.setRegisteredModelAlias.sequence).toMatch(/^\d+$/);
    const moved = await gqlOk(t.url, contractOp('SetRegisteredModelAlias'), {
      modelName: name,
      alias: 'production',
      version: 2,
    });
    expect(moved.setRegisteredModelAlias).toMatchObject({ version: { version: 2 }, previousVersion: { version: 1 } });
    expect(BigInt(moved.setRegisteredModelAlias.sequence)).toBeGreaterThan(
      BigInt(set.setRegisteredModelAlias.sequence),
    );
    const model = await gqlOk(t.url, contractOp('GetRegisteredModel'), { name });
    expect(model.registeredModel.aliases).toEqual([{ alias: 'production', version: { version: 2 } }]);
    const del = await gqlOk(t.url, contractOp('DeleteRegisteredModelAlias'), { modelName: name, alias: 'production' });
    expect(del.deleteRegisteredModelAlias).toMatchObject({ alias: 'production', previousVersion: { version: 2 } });
    expect(
      (await gqlOk(t.url, contractOp('GetModelVersionByAlias'), { modelName: name, alias: 'production' }))
        .modelVersionByAlias,
    ).toBeNull();
  });

  it('validates alias names and targets, writing nothing', async () => {
    const name = await modelWithVersions(1);
    const before = await graphDigest();
    for (const alias of ['latest', 'LATEST', '42', 'v3', 'V12', '', 'has space', 'a/b']) {
      expect(
        code(await gql(t.url, contractOp('SetRegisteredModelAlias'), { modelName: name, alias, version: 1 })),
        alias,
      ).toBe('BAD_USER_INPUT');
    }
    expect(
      code(await gql(t.url, contractOp('SetRegisteredModelAlias'), { modelName: name, alias: 'prod', version: 5 })),
    ).toBe('NOT_FOUND');
    expect(
      code(
        await gql(t.url, contractOp('SetRegisteredModelAlias'), { modelName: uniq('none'), alias: 'prod', version: 1 }),
      ),
    ).toBe('NOT_FOUND');
    expect(
      code(await gql(t.url, contractOp('SetRegisteredModelAlias'), { modelName: name, alias: 'prod', version: 0 })),
    ).toBe('BAD_USER_INPUT');
    expect(code(await gql(t.url, contractOp('DeleteRegisteredModelAlias'), { modelName: name, alias: 'prod' }))).toBe(
      'NOT_FOUND',
    );
    expect(code(await gql(t.url, contractOp('DeleteRegisteredModelAlias'), { modelName: name, alias: 'latest' }))).toBe(
      'BAD_USER_INPUT',
    );
    expect(await graphDigest()).toEqual(before);
  });

  it('32 concurrent moves of one alias: it ends on one version, the history chains with no gap, and aliasAt answers each instant', async () => {
    const name = await modelWithVersions(32);
    const moves = await Promise.all(
      Array.from({ length: 32 }, (_, i) =>
        gql(t.url, contractOp('SetRegisteredModelAlias'), { modelName: name, alias: 'production', version: i + 1 }),
      ),
    );
    expect(moves.flatMap((m) => m.errors ?? [])).toEqual([]);

    const history: any[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = await gqlOk(t.url, contractOp('AliasHistory'), {
        modelName: name,
        alias: 'production',
        first: 10,
        after,
      });
      history.push(...page.aliasHistory.edges.map((e: any) => e.node));
      if (!page.aliasHistory.pageInfo.hasNextPage) break;
      after = page.aliasHistory.pageInfo.endCursor;
    }
    expect(history).toHaveLength(32);
    expect(history[0].previousVersion).toBeNull();
    for (let i = 1; i < history.length; i++) {
      expect(history[i].previousVersion).toBe(history[i - 1].version);
      expect(BigInt(history[i].sequence)).toBeGreaterThan(BigInt(history[i - 1].sequence));
      expect(Date.parse(history[i].at)).toBeGreaterThan(Date.parse(history[i - 1].at));
    }
    expect(new Set(history.map((h) => h.version)).size).toBe(32);
    const final = await gqlOk(t.url, contractOp('GetModelVersionByAlias'), { modelName: name, alias: 'production' });
    expect(final.modelVersionByAlias.version).toBe(history.at(-1).version);

    // Each move's response carries the same sequence the history shows.
    const bySeq = new Map(history.map((h) => [h.sequence, h]));
    for (const m of moves) {
      const r = m.data.setRegisteredModelAlias;
      expect(bySeq.get(r.sequence)).toMatchObject({
        version: r.version.version,
        previousVersion: r.previousVersion?.version ?? null,
      });
    }
    for (const h of history) {
      const at = await gqlOk(t.url, contractOp('AliasAt'), { modelName: name, alias: 'production', at: h.at });
      expect(at.aliasAt, h.at).toEqual({ version: h.version });
    }
    const beforeAll = new Date(Date.parse(history[0].at) - 1).toISOString();
    expect(
      (await gqlOk(t.url, contractOp('AliasAt'), { modelName: name, alias: 'production', at: beforeAll })).aliasAt,
    ).toBeNull();
  });

  it('aliasAt is null after the alias was deleted and answers again after it is re-created', async () => {
    const name = await modelWithVersions(2);
    const a = await gqlOk(t.url, contractOp('SetRegisteredModelAlias'), {
      modelName: name,
      alias: 'champion',
      version: 1,
    });
    const d = await gqlOk(t.url, contractOp('DeleteRegisteredModelAlias'), { modelName: name, alias: 'champion' });
    const b = await gqlOk(t.url, contractOp('SetRegisteredModelAlias'), {
      modelName: name,
      alias: 'champion',
      version: 2,
    });
    const hist = await gqlOk(t.url, contractOp('AliasHistory'), { modelName: name, alias: 'champion' });
    const [h1, h2, h3] = hist.aliasHistory.edges.map((e: any) => e.node);
    expect([h1.version, h2.version, h3.version]).toEqual([1, null, 2]);
    expect(h2.previousVersion).toBe(1);
    const at = async (instant: string) =>
      (await gqlOk(t.url, contractOp('AliasAt'), { modelName: name, alias: 'champion', at: instant })).aliasAt;
    expect(await at(h1.at)).toEqual({ version: 1 });
    expect(await at(h2.at)).toBeNull();
    expect(await at(h3.at)).toEqual({ version: 2 });
    expect([a, d, b].map((x: any) => (Object.values(x)[0] as { sequence: string }).sequence)).toEqual([
      h1.sequence,
      h2.sequence,
      h3.sequence,
    ]);
  });
});
