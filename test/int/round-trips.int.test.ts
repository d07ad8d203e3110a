import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractOp } from '../support/contract.js';
import { createModel, createVersion } from '../support/fixtures.js';
import { gqlOk, uniq } from '../support/graphql.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * DataLoaders keep a request's Bolt round trips independent of how many
 * objects it returns: listing 5 models and listing 50, each with latest
 * version, aliases and tags, cost the same number of statements.
 */
describe('round-trip budget', () => {
  let t: TestServer;
  const prefix = uniq('rt');
  beforeAll(async () => {
    // Fixtures point the protected `production` alias directly: no two-person guard here (tested in promotion.e2e).
    // Lists count at their hard caps: 50 models with aliases' versions' tags are
    // far over the default cost limit, which is not what this test is about.
    t = await startTestServer({ PEDIGREE_MAX_COST: '5000000' }, { withoutPromotionGuard: true });
    for (let i = 0; i < 50; i++) {
      const name = await createModel(t.url, `${prefix}-${String(i).padStart(2, '0')}`, {
        tags: [{ key: 'i', value: String(i) }],
      });
      await createVersion(t.url, name, {
        tags: [{ key: 'n', value: String(i) }],
        metrics: [{ key: 'auc', value: i / 100 }],
      });
      await gqlOk(t.url, contractOp('SetRegisteredModelAlias'), { modelName: name, alias: 'production', version: 1 });
    }
  }, 300_000);
  afterAll(async () => {
    await t?.close();
  });

  const query = `query($first: Int, $f: RegisteredModelFilter) {
    registeredModels(first: $first, filter: $f) {
      totalCount
      edges { node { name tags { key value } aliases { alias version { version tags { key } } }
        latestVersion { version semver metrics { key value } aliases model { name } }
        versions(first: 5) { totalCount edges { node { version } } } } }
    }
  }`;

  async function statementsFor(first: number): Promise<number> {
    const before = t.app.executor.statementCount;
    const data = await gqlOk(t.url, query, { first, f: { nameContains: prefix } });
    expect(data.registeredModels.edges).toHaveLength(first);
    expect(
      data.registeredModels.edges.every(
        (e: any) => e.node.latestVersion.version === 1 && e.node.aliases[0].alias === 'production',
      ),
    ).toBe(true);
    return t.app.executor.statementCount - before;
  }

  it('50 models with nested fields cost as many statements as 5', async () => {
    const five = await statementsFor(5);
    const fifty = await statementsFor(50);
    expect(fifty).toBe(five);
    expect(fifty).toBeLessThanOrEqual(8);
  });
});
