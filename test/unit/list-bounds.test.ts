import { readFileSync } from 'node:fs';
import { parse, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { buildPedigreeSchema } from '../../src/schema/index.js';
import { listBounds, operationLimitErrors } from '../../src/server/limits/index.js';
import { DEFAULT_LIMITS, operationCost } from '../../src/server/limits/index.js';

// One graphql realm for type-graphql and this file (see limits.test.ts).
vi.mock('graphql', async () => {
  const { createRequire } = await import('node:module');
  return createRequire(import.meta.url)('graphql') as object;
});

/**
 * DESIGN.md rule 10 over the whole schema: every list field is paged, a page
 * of a paged parent, or capped; and the cost analysis counts the cap.
 */
describe('every list field of the schema is bounded, and costed by its bound', () => {
  let schema: GraphQLSchema;
  beforeAll(async () => {
    schema = await buildPedigreeSchema();
  });

  it('has no unbounded list field (page it with first/after, or declare @MaxItems where its service enforces the cap)', () => {
    const unbounded = [...listBounds(schema)].filter(([, b]) => b.kind === 'unbounded').map(([name]) => name);
    expect(unbounded).toEqual([]);
  });

  it('bounds the fields the security review named, as the README says', () => {
    const b = listBounds(schema);
    expect(b.get('ModelVersion.teachers')).toEqual({ kind: 'capped', cap: 50 });
    expect(b.get('DatasetImpact.modelVersions')).toEqual({ kind: 'page-of-parent' });
    for (const f of ['Query.deploymentHistory', 'Query.alerts', 'Query.modelCardSectionHistory'])
      expect(b.get(f), f).toEqual({ kind: 'paged' });
    expect(b.get('LineageGraph.nodes')).toEqual({ kind: 'capped', cap: 5000 });
    expect(b.get('LineageGraph.edges')).toEqual({ kind: 'capped', cap: 5000 });
  });

  it('counts a capped list at its cap and a paged list at its first or default page', () => {
    const cost = (q: string, variables?: Record<string, unknown>) => operationCost(schema, parse(q), variables);
    // teachers: 50 × (model { name } + version) instead of 10 ×.
    expect(cost('{ modelVersion(modelName: "m", version: 1) { teachers { version model { name } } } }')).toBe(
      1 + 1 + 50 * 3,
    );
    // alerts without first: the default page of 100; with first: that many.
    expect(cost('{ alerts { id } }')).toBe(1 + 100);
    expect(cost('query($n: Int) { alerts(first: $n) { id } }', { n: 7 })).toBe(1 + 7);
    // datasetImpact: its page size multiplies modelVersions only, not totalCount or pageInfo.
    expect(
      cost(
        '{ datasetImpact(datasetVersionId: "d", first: 30) { totalCount pageInfo { hasNextPage } modelVersions { version } } }',
      ),
    ).toBe(1 + 1 + (1 + 1) + (1 + 30));
    // lineage: the node and edge budgets, whatever the depth.
    expect(cost('{ lineage(id: "x", direction: BOTH, depth: 1) { nodes { id } edges { from } truncated } }')).toBe(
      1 + (1 + 5000) + (1 + 5000) + 1,
    );
  });

  it('refuses an operation nesting big pages, with LIMIT_EXCEEDED, before it runs', () => {
    const doc = parse(
      `{ registeredModels(first: 100) { edges { node { versions(first: 100) { edges { node { teachers { version } } } } } } } }`,
    );
    const op = doc.definitions[0] as OperationDefinitionNode;
    const [error] = operationLimitErrors(schema, doc, op, {}, {});
    expect(error?.extensions.code).toBe('LIMIT_EXCEEDED');
    expect(error?.message).toMatch(/query cost is limited to 50000/);
  });

  it('refuses a page over the maximum with BAD_USER_INPUT before pricing it, in fragments and variables too', () => {
    const doc = parse(
      `query($n: Int) { alerts(first: 20) { id } ...F } fragment F on Query { deploymentHistory(name: "d", first: $n) { sequence } }`,
    );
    const op = doc.definitions[0] as OperationDefinitionNode;
    const errors = operationLimitErrors(schema, doc, op, { n: 501 }, {});
    expect(errors[0]?.extensions.code).toBe('BAD_USER_INPUT');
    expect(errors[0]?.message).toBe('first must be an integer from 0 to 500, got 501');
    expect(operationLimitErrors(schema, doc, op, { n: 500 }, {})).toEqual([]);
  });

  it('keeps every contract operation within the default cost limit', () => {
    const contract = parse(
      readFileSync(new URL('../../../shared/contract/operations.graphql', import.meta.url), 'utf8'),
    );
    const ops = contract.definitions.filter((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
    expect(ops.length).toBeGreaterThan(20);
    for (const op of ops) {
      const cost = operationCost(schema, { kind: contract.kind, definitions: [op] }, { first: 100 }, op.name!.value);
      expect(cost, op.name!.value).toBeLessThanOrEqual(DEFAULT_LIMITS.maxCost);
    }
  });
});
