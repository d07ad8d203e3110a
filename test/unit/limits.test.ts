import { ApolloServer } from '@apollo/server';
import {
  GraphQLError,
  type GraphQLObjectType,
  buildSchema,
  getIntrospectionQuery,
  parse,
  specifiedRules,
  validate,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_LIMITS,
  assertWithinLimits,
  checkLimits,
  limitParseOptions,
  requestLimitsPlugin,
  operationCost,
  type QueryLimits,
} from '../../src/server/limits/index.js';

// Node (and so production) resolves `graphql` to its CommonJS build, for our code
// and @apollo/server alike. Vite resolves it to `index.mjs` for the files it
// transforms, while @apollo/server stays external on the CommonJS build: two
// graphql realms, and Apollo rejects our schema. Give this file production's one.
vi.mock('graphql', async () => {
  const { createRequire } = await import('node:module');
  return createRequire(import.meta.url)('graphql') as object;
});

const schema = buildSchema(/* GraphQL */ `
  type Query {
    models(first: Int, after: String, last: Int, before: String): ModelConnection!
    model(name: String!): Model
    lineage(id: ID!, depth: Int): Lineage!
    tags: [Tag!]!
    search(limit: Int): [Model!]!
    pagedModels(first: Int = 7): ModelConnection!
  }
  type Mutation {
    logPredictions(input: LogPredictionsInput!): LogPredictionsResult!
  }
  input LogPredictionsInput {
    predictions: [PredictionInput!]!
  }
  input PredictionInput {
    id: String!
  }
  type LogPredictionsResult {
    count: Int!
  }
  interface Node {
    id: ID!
  }
  type Model implements Node {
    id: ID!
    name: String!
    parent: Model
    labels: [String!]!
    tags: [Tag!]!
    versions(first: Int, after: String): VersionConnection!
  }
  type Version implements Node {
    id: ID!
    number: Int!
  }
  type Tag {
    key: String!
    value: String!
  }
  type PageInfo {
    hasNextPage: Boolean!
    endCursor: String
  }
  type ModelConnection {
    totalCount: Int!
    pageInfo: PageInfo!
    edges: [ModelEdge!]!
    nodes: [Model!]!
  }
  type ModelEdge {
    cursor: String!
    node: Model!
  }
  type VersionConnection {
    totalCount: Int!
    edges: [VersionEdge!]!
  }
  type VersionEdge {
    cursor: String!
    node: Version!
  }
  type Lineage {
    root: LineageNode!
    nodes: [LineageNode!]!
    edges: [LineageEdge!]!
    truncated: Boolean!
  }
  type LineageNode {
    id: ID!
    kind: String!
  }
  type LineageEdge {
    from: ID!
    to: ID!
  }
`);

/** Runs `body` with `extensions.maxItems` declared on the given `Type.field`s of the test schema. */
function withCaps(caps: Record<string, number>, body: () => void) {
  const fields = Object.entries(caps).map(([key, cap]) => {
    const [type, name] = key.split('.');
    const field = (schema.getType(type!) as GraphQLObjectType).getFields()[name!]!;
    const before = field.extensions;
    Object.assign(field, { extensions: { ...before, maxItems: cap } });
    return () => Object.assign(field, { extensions: before });
  });
  try {
    body();
  } finally {
    for (const restore of fields) restore();
  }
}

/** What a transport answers before execution: graphql-js's validation errors, else the limits broken. */
function validateWithLimits(query: string, limits: Partial<QueryLimits> = {}) {
  const document = parse(query);
  const invalid = validate(schema, document, specifiedRules);
  return invalid.length > 0 ? invalid : checkLimits(schema, document, {}, undefined, limits);
}

function cost(query: string, variables?: Record<string, unknown>, limits?: Partial<QueryLimits>) {
  return operationCost(schema, parse(query), variables, undefined, limits);
}

/** `model(name) { parent { ... { name } } }`, nested to exactly `depth` fields. */
function nestedQuery(depth: number, leaf = 'name'): string {
  let body = leaf;
  for (let level = depth - 1; level >= 2; level -= 1) body = `parent { ${body} }`;
  return `{ model(name: "m") { ${body} } }`;
}

/** `count` aliased fields on `model`. */
function aliasedFields(count: number): string {
  return Array.from({ length: count }, (_, i) => `a${i}: name`).join(' ');
}

function expectLimitError(errors: readonly GraphQLError[], message: string) {
  expect(errors.map((e) => e.message)).toEqual([message]);
  expect(errors[0]?.extensions.code).toBe('LIMIT_EXCEEDED');
}

describe('DEFAULT_LIMITS', () => {
  it('holds the documented defaults', () => {
    expect(DEFAULT_LIMITS).toEqual({ maxDepth: 12, maxAliases: 15, maxCost: 50_000, defaultListSize: 20 });
    expect(limitParseOptions(DEFAULT_LIMITS)).toEqual({});
    expect(limitParseOptions({ maxTokens: 500 })).toEqual({ maxTokens: 500 });
  });
});

describe('depth rule', () => {
  it('passes an operation exactly at the limit', () => {
    expect(validateWithLimits(nestedQuery(12))).toEqual([]);
  });

  it('refuses one level over, stating the limit and the depth reached', () => {
    expectLimitError(validateWithLimits(nestedQuery(13)), 'query depth is limited to 12; this operation reaches 13');
  });

  it('names the operation when it has a name', () => {
    const errors = validateWithLimits(`query Deep { model(name: "m") { parent { parent { name } } } }`, {
      maxDepth: 3,
    });
    expectLimitError(errors, 'query depth is limited to 3; operation "Deep" reaches 4');
  });

  it('counts depth through fragment spreads and inline fragments', () => {
    const query = `
      { model(name: "m") { ...Two } }
      fragment Two on Model { parent { ... on Model { parent { name } } } }
    `;
    expect(validateWithLimits(query, { maxDepth: 4 })).toEqual([]);
    expectLimitError(
      validateWithLimits(query, { maxDepth: 3 }),
      'query depth is limited to 3; this operation reaches 4',
    );
  });

  it('lets __typename sit one level below the limit for free', () => {
    // 12 counted fields, the last being `parent { __typename }`.
    expect(validateWithLimits(nestedQuery(12, 'parent { __typename }'))).toEqual([]);
    expect(validateWithLimits(nestedQuery(12, 'parent { name }'))).toHaveLength(1);
    expect(validateWithLimits(nestedQuery(12, '__typename'))).toEqual([]);
    expect(validateWithLimits(`{ __typename model(name: "m") { __typename } }`, { maxDepth: 1 })).toEqual([]);
  });

  it('counts introspection fields normally', () => {
    const query = `{ __schema { types { fields { type { name } } } } }`;
    expect(validateWithLimits(query, { maxDepth: 5 })).toEqual([]);
    expectLimitError(
      validateWithLimits(query, { maxDepth: 4 }),
      'query depth is limited to 4; this operation reaches 5',
    );
  });

  it('does not loop on fragment cycles (graphql-js reports the cycle)', () => {
    const query = `
      { model(name: "m") { ...A } }
      fragment A on Model { parent { ...B } }
      fragment B on Model { parent { ...A } }
    `;
    const errors = validateWithLimits(query);
    expect(errors.some((e) => e.message.includes('Cannot spread fragment'))).toBe(true);
  });
});

describe('alias rule', () => {
  it('passes 15 aliases', () => {
    expect(validateWithLimits(`{ model(name: "m") { ${aliasedFields(15)} } }`)).toEqual([]);
  });

  it('refuses 16 aliases', () => {
    expectLimitError(
      validateWithLimits(`{ model(name: "m") { ${aliasedFields(16)} } }`),
      'query aliases are limited to 15; this operation uses 16',
    );
  });

  it('counts aliases inside fragments, once per spread', () => {
    const query = (own: number) => `
      { x: model(name: "m") { ${aliasedFields(own)} ...F } y: model(name: "n") { ...F } }
      fragment F on Model { f0: name ... on Model { f1: id } }
    `;
    // 2 root aliases + own + 2 fragment aliases × 2 spreads
    expect(validateWithLimits(query(9))).toEqual([]);
    expectLimitError(validateWithLimits(query(10)), 'query aliases are limited to 15; this operation uses 16');
  });
});

describe('operationCost', () => {
  const nestedConnections = (first: number | string) => `
    query Nested($n: Int) { models(first: ${first}) { edges { node { versions(first: ${first}) { edges { node { id } } } } } } }
  `;

  it('prices connections nested twice with first: 100', () => {
    // 1 + (1 + 100 × (1 + 1 + (1 + 100 × (1 + 1))))
    expect(cost(nestedConnections(100))).toBe(20_302);
    expect(checkLimits(schema, parse(nestedConnections(100)), {}, undefined, DEFAULT_LIMITS)).toEqual([]);
  });

  it('refuses nested connections over the limit, and passes them under a raised one', () => {
    const document = parse(nestedConnections(300));
    const errors = checkLimits(schema, document, {}, undefined, DEFAULT_LIMITS);
    expectLimitError(errors, 'query cost is limited to 50000; operation "Nested" costs 180902');
    expect(checkLimits(schema, document, {}, undefined, { maxCost: 180_902 })).toEqual([]);
    expect(checkLimits(schema, parse(nestedConnections(100)), {}, undefined, { maxCost: 20_301 })).toHaveLength(1);
  });

  it('reads first from variables, their defaults, and the schema defaults', () => {
    expect(cost(nestedConnections('$n'), { n: 100 })).toBe(20_302);
    expect(cost(nestedConnections('$n'), { n: 300 })).toBe(180_902);
    const withDefault = nestedConnections('$n').replace('$n: Int', '$n: Int = 300');
    expect(cost(withDefault)).toBe(180_902);
    // No variable value at all: the connection falls back to defaultListSize (20).
    expect(cost(nestedConnections('$n'))).toBe(1 + (1 + 20 * (1 + 1 + (1 + 20 * 2))));
    // The schema's own argument default (pagedModels(first: Int = 7)).
    expect(cost(`{ pagedModels { edges { node { id } } } }`)).toBe(1 + (1 + 7 * 2));
  });

  it('prices a connection without first/last at defaultListSize, and last like first', () => {
    expect(cost(`{ models { edges { node { id } } } }`)).toBe(1 + (1 + 20 * 2));
    expect(cost(`{ models { edges { node { id } } } }`, {}, { defaultListSize: 5 })).toBe(1 + (1 + 5 * 2));
    expect(cost(`{ models(last: 3) { nodes { id } } }`)).toBe(1 + (1 + 3 * 1));
  });

  it('counts totalCount and pageInfo once, not per item', () => {
    expect(cost(`{ models(first: 1000) { totalCount pageInfo { hasNextPage endCursor } } }`)).toBe(1 + 1 + 3);
  });

  it('prices plain lists by limit, else 10; scalar lists cost 1', () => {
    expect(cost(`{ tags { key value } }`)).toBe(1 + 10 * 2);
    expect(cost(`{ search(limit: 3) { id name } }`)).toBe(1 + 3 * 2);
    expect(cost(`{ model(name: "m") { labels } }`)).toBe(2);
  });

  it('prices a list by its declared cap (extensions.maxItems), whatever the depth argument', () => {
    const query = (args: string) =>
      `{ lineage(id: "x"${args}) { root { id } nodes { id kind } edges { from to } truncated } }`;
    // Without a cap a plain list is guessed at 10 items...
    expect(cost(query(''))).toBe(1 + 2 + (1 + 10 * 2) * 2 + 1);
    // ...with one, it counts the cap (the lineage budgets), at any depth.
    withCaps({ 'Lineage.nodes': 5000, 'Lineage.edges': 5000 }, () => {
      expect(cost(query(''))).toBe(1 + 2 + (1 + 5000 * 2) * 2 + 1);
      expect(cost(query(', depth: 1'))).toBe(cost(query(', depth: 20')));
    });
  });

  it('passes the first of a paged object field to the lists of the object it returns', () => {
    // Like a connection: the page size multiplies items, not totalCount; a list inside an item counts on its own.
    const paged = buildSchema(
      `type Query { impact(first: Int): Impact! }  type Impact { totalCount: Int! items: [Item!]! }  type Item { id: ID! tags: [String!]! }`,
    );
    expect(operationCost(paged, parse(`{ impact(first: 30) { totalCount items { id tags } } }`))).toBe(
      1 + 1 + (1 + 30 * 2),
    );
    expect(operationCost(paged, parse(`{ impact { items { id } } }`))).toBe(1 + (1 + 20 * 1));
  });

  it('counts fragment spreads and inline fragments like the fields they hold', () => {
    const inline = `{ models(first: 100) { edges { node { id name } } } }`;
    const spread = `{ models(first: 100) { ...Page } } fragment Page on ModelConnection { edges { ...M } } fragment M on ModelEdge { node { ... on Node { id } ... on Model { name } } }`;
    expect(cost(spread)).toBe(cost(inline));
    expect(cost(inline)).toBe(1 + (1 + 100 * 3));
    const twice = `{ a: model(name: "a") { ...T } b: model(name: "b") { ...T } } fragment T on Model { tags { key } }`;
    expect(cost(twice)).toBe(2 * (1 + (1 + 10)));
  });

  it('lets __typename cost nothing', () => {
    expect(cost(`{ __typename models(first: 100) { __typename edges { __typename node { __typename id } } } }`)).toBe(
      cost(`{ models(first: 100) { edges { node { id } } } }`),
    );
  });

  it('never goes negative, and terminates on fragment cycles', () => {
    expect(cost(`{ models(first: -5000) { edges { node { id } } } }`)).toBe(2);
    const cyclic = `{ model(name: "m") { ...A } } fragment A on Model { parent { ...B } } fragment B on Model { parent { ...A } }`;
    expect(cost(cyclic)).toBe(3);
  });

  it('prices the operation chosen by name, ignores input lists, and gives 0 for an unknown name', () => {
    const document = parse(`
      query Cheap { model(name: "m") { id } }
      query Dear { models(first: 100) { edges { node { id } } } }
      mutation Log($input: LogPredictionsInput!) { logPredictions(input: $input) { count } }
    `);
    expect(operationCost(schema, document, {}, 'Cheap')).toBe(2);
    expect(operationCost(schema, document, {}, 'Dear')).toBe(202);
    const predictions = Array.from({ length: 10_000 }, (_, i) => ({ id: `p${i}` }));
    expect(operationCost(schema, document, { input: { predictions } }, 'Log')).toBe(2);
    expect(operationCost(schema, document, {}, 'Missing')).toBe(0);
  });

  it('counts introspection normally: the standard introspection query needs maxDepth 15', () => {
    const document = parse(getIntrospectionQuery());
    expect(checkLimits(schema, document, {}, undefined, { maxDepth: 15 })).toEqual([]);
    expect(checkLimits(schema, document, {}, undefined).map((e) => e.message)).toEqual([
      'query depth is limited to 12; operation "IntrospectionQuery" reaches 15',
    ]);
  });
});

describe('checkLimits and assertWithinLimits', () => {
  it('report every broken limit, depth and aliases included', () => {
    const query = `{ a: model(name: "m") { parent { parent { id } } } b: models(first: 500) { edges { node { id } } } }`;
    const errors = checkLimits(schema, parse(query), {}, undefined, { maxDepth: 3, maxAliases: 1, maxCost: 100 });
    expect(errors.map((e) => e.message)).toEqual([
      'query depth is limited to 3; this operation reaches 4',
      'query aliases are limited to 1; this operation uses 2',
      'query cost is limited to 100; this operation costs 1006',
    ]);
    expect(errors.every((e) => e.extensions.code === 'LIMIT_EXCEEDED')).toBe(true);
  });

  it('assertWithinLimits throws the first as a GraphQLError, or returns', () => {
    const document = parse(
      `query Q($n: Int) { models(first: $n) { edges { node { versions(first: $n) { totalCount } } } } }`,
    );
    expect(() => assertWithinLimits(schema, document, { n: 10 }, 'Q', DEFAULT_LIMITS)).not.toThrow();
    let thrown: unknown;
    try {
      assertWithinLimits(schema, document, { n: 100_000 }, 'Q', DEFAULT_LIMITS);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(GraphQLError);
    expect((thrown as GraphQLError).extensions).toEqual({ code: 'LIMIT_EXCEEDED' });
    expect((thrown as GraphQLError).message).toBe('query cost is limited to 50000; operation "Q" costs 300002');
  });
});

describe('requestLimitsPlugin with Apollo Server', () => {
  let server: ApolloServer;
  const limits = { ...DEFAULT_LIMITS, maxCost: 5_000 };
  beforeAll(async () => {
    server = new ApolloServer({ schema, plugins: [requestLimitsPlugin(limits)] });
    await server.start();
  });
  afterAll(async () => {
    await server.stop();
  });

  async function run(query: string, variables?: Record<string, unknown>) {
    const response = await server.executeOperation({ query, variables });
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return { status: response.http.status, result: response.body.singleResult };
  }

  it('refuses an operation over the cost limit with HTTP 400 and LIMIT_EXCEEDED', async () => {
    const query = `query Q($n: Int) { models(first: $n) { edges { node { versions(first: $n) { edges { node { id } } } } } } }`;
    const { status, result } = await run(query, { n: 100 });
    expect(status).toBe(400);
    expect(result.data).toBeUndefined();
    expect(result.errors).toHaveLength(1);
    expect(result.errors?.[0]?.message).toBe(
      `query cost is limited to 5000; operation "Q" costs ${cost(query, { n: 100 })}`,
    );
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'LIMIT_EXCEEDED' });
  });

  it('refuses depth with LIMIT_EXCEEDED too (not GRAPHQL_VALIDATION_FAILED)', async () => {
    const { status, result } = await run(nestedQuery(13));
    expect(status).toBe(400);
    expect(result.errors?.[0]?.extensions?.code).toBe('LIMIT_EXCEEDED');
  });

  it('lets an operation within limits execute', async () => {
    const { status, result } = await run(`{ model(name: "m") { id } }`);
    expect(status).toBeUndefined();
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ model: null });
  });
});
