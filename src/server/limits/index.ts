/**
 * Request limits for GraphQL: depth, aliases, cost and tokens.
 *
 * Apollo Server (HTTP):
 * ```ts
 * new ApolloServer({ schema, plugins: [limitsPlugin(limits)], parseOptions: limitParseOptions(limits) });
 * ```
 * graphql-ws, in `onSubscribe` (returning errors refuses the subscription):
 * ```ts
 * const document = parse(payload.query, limitParseOptions(limits)); // may throw a GraphQLError: return [it]
 * const invalid = validate(schema, document); // or [...specifiedRules, ...createLimitRules(limits)]
 * if (invalid.length > 0) return invalid;
 * const refused = checkLimits(schema, document, payload.variables, payload.operationName, limits);
 * if (refused.length > 0) return refused;
 * ```
 * `checkLimits` covers depth and aliases as well as cost, so the validation
 * rules are optional wherever it runs.
 */
export { DEFAULT_LIMITS, limitParseOptions, resolveLimits, type QueryLimits } from './query-limits.js';
export { createLimitRules } from './limit-rules.js';
export { operationCost, UNBOUNDED_LIST_SIZE, type RawVariables } from './operation-cost.js';
export { assertWithinLimits, checkLimits } from './check-limits.js';
export { limitsPlugin } from './limits.plugin.js';
