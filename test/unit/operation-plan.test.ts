import fc from 'fast-check';
import { getOperationAST, parse, type GraphQLSchema } from 'graphql';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { buildPedigreeSchema } from '../../src/schema/index.js';
import { LruCache } from '../../src/server/lru-cache.js';
import { operationLimitErrors, OperationPlans } from '../../src/server/limits/index.js';

// One graphql realm for type-graphql and this file (see limits.test.ts).
vi.mock('graphql', async () => {
  const { createRequire } = await import('node:module');
  return createRequire(import.meta.url)('graphql') as object;
});

describe('LruCache', () => {
  it('keeps at most maxEntries, dropping the least recently used first', () => {
    const c = new LruCache<string, number>({ maxEntries: 3, maxWeight: 1_000 });
    for (const [i, k] of ['a', 'b', 'c'].entries()) c.set(k, i);
    expect(c.get('a')).toBe(0); // a is now the most recent
    c.set('d', 3);
    expect(c.size).toBe(3);
    expect(c.get('b')).toBeUndefined();
    expect([c.get('a'), c.get('c'), c.get('d')]).toEqual([0, 2, 3]);
  });

  it('keeps at most maxWeight, and never an entry heavier than that alone', () => {
    const c = new LruCache<string, string>({ maxEntries: 100, maxWeight: 10 }, (_k, v) => v.length);
    c.set('a', 'xxxx');
    c.set('b', 'yyyy');
    c.set('c', 'zzzz'); // 12 > 10: a goes
    expect([c.size, c.weight, c.get('a')]).toEqual([2, 8, undefined]);
    c.set('huge', 'x'.repeat(11));
    expect([c.size, c.weight, c.get('huge')]).toEqual([2, 8, undefined]);
    c.set('b', 'y'); // replacing re-weighs
    expect(c.weight).toBe(5);
    expect(c.delete('b')).toBe(true);
    expect([c.size, c.weight]).toEqual([1, 4]);
  });

  it('with maxEntries 0 keeps nothing (the caches turned off)', () => {
    const c = new LruCache<string, number>({ maxEntries: 0, maxWeight: 1_000 });
    c.set('a', 1);
    expect([c.size, c.get('a')]).toEqual([0, undefined]);
  });

  it('property: never over either bound, whatever is inserted', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ maxLength: 3 }), fc.nat(40))),
        fc.integer({ min: 0, max: 8 }),
        fc.integer({ min: 0, max: 100 }),
        (ops, maxEntries, maxWeight) => {
          const c = new LruCache<string, number>({ maxEntries, maxWeight }, (_k, w) => w);
          for (const [k, w] of ops) {
            c.set(k, w);
            expect(c.size).toBeLessThanOrEqual(maxEntries);
            expect(c.weight).toBeLessThanOrEqual(maxWeight);
          }
        },
      ),
    );
  });
});

/**
 * The plan cache must not change a single decision: for every document and
 * variables, the errors through a cached plan (first request and repeats)
 * equal the errors of planning afresh.
 */
describe('OperationPlans: a cached plan decides as planning afresh does', () => {
  let schema: GraphQLSchema;
  beforeAll(async () => {
    schema = await buildPedigreeSchema();
  });

  const DOCUMENTS = [
    'query($modelName: String!, $alias: String!) { modelVersionByAlias(modelName: $modelName, alias: $alias) { version source checksum stage } }',
    'query($a: Int, $b: Int) { registeredModels(first: $a) { edges { node { name versions(first: $b) { edges { node { version tags { key } } } } } } } }',
    'query($a: Int = 30) { registeredModels(first: $a) { totalCount edges { node { name } } } }',
    'query { registeredModels(first: 500) { edges { node { versions(first: 500) { edges { node { version } } } } } } }',
    'query { a1: serverInfo { lastSequence } a2: serverInfo { lastSequence } a3: serverInfo { lastSequence } }',
    'fragment V on ModelVersion { version model { name } } query($n: Int) { registeredModels(first: $n) { edges { node { versions(first: 3) { edges { node { ...V } } } } } } }',
    'query { __schema { types { name fields { name type { ofType { ofType { name } } } } } } }',
  ];
  const summary = (errors: readonly { message: string; extensions: Record<string, unknown> }[]) =>
    errors.map((e) => [e.message, e.extensions.code]);

  it('property: same errors, in the same order, on the first request and every repeat', () => {
    const limits = { maxDepth: 6, maxAliases: 2, maxCost: 50_000 };
    const plans = new OperationPlans(schema, limits);
    const documents = DOCUMENTS.map((text) => parse(text));
    const size = fc.oneof(fc.integer({ min: -5, max: 700 }), fc.constant(null), fc.constant('x'));
    fc.assert(
      fc.property(
        fc.nat(documents.length - 1),
        fc.record({ a: size, b: size, n: size, modelName: fc.constant('m'), alias: fc.constant('x') }),
        (i, variables) => {
          const document = documents[i]!;
          const operation = getOperationAST(document)!;
          const fresh = summary(operationLimitErrors(schema, document, operation, variables, limits));
          expect(summary(plans.limitErrors(document, operation, variables))).toEqual(fresh);
          expect(summary(plans.limitErrors(document, operation, variables))).toEqual(fresh);
        },
      ),
      { numRuns: 300 },
    );
    expect(plans.stats.documents).toBe(documents.length);
  });

  it('prices a cost that reads variables per request, and one that does not once', () => {
    const plans = new OperationPlans(schema, {});
    const variable = parse(DOCUMENTS[1]!);
    const fixed = parse(DOCUMENTS[3]!);
    expect(plans.plan(variable, getOperationAST(variable)!).fixedCostError).toBeUndefined();
    expect(plans.plan(fixed, getOperationAST(fixed)!).fixedCostError?.extensions.code).toBe('LIMIT_EXCEEDED');
    expect(plans.limitErrors(variable, getOperationAST(variable)!, { a: 2, b: 2 })).toEqual([]);
    expect(
      plans.limitErrors(variable, getOperationAST(variable)!, { a: 500, b: 500 }).map((e) => e.extensions.code),
    ).toEqual(['LIMIT_EXCEEDED']);
  });
});
