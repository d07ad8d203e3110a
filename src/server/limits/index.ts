/**
 * Request limits for GraphQL: depth, aliases, cost (with page sizes) and
 * tokens — one mechanism for every transport.
 *
 * - HTTP (Apollo Server): `plugins: [requestLimitsPlugin(limits, plans)]`,
 *   `parseOptions: limitParseOptions(limits)`.
 * - graphql-ws, in `onSubscribe`: parse with `limitParseOptions(limits)`,
 *   validate, then return `plans.limitErrors(...)` when it is not empty.
 *
 * `plans` (an {@link OperationPlans}) walks each document once and keeps what
 * its text decides (depth, aliases, a cost without variables, where its
 * `first` arguments are); page sizes and variable costs are read per request.
 *
 * Why our own code rather than a library (graphql-armor,
 * graphql-query-complexity): the cost of a list is the page the schema
 * declares — `first` from variables or the argument's default, passed down to
 * a paged object's lists, or a field's hard cap (`@MaxItems`) — and every list
 * field must declare one of these (`listBounds`, checked by a unit test). The
 * libraries price lists by a fixed multiplier per field or need per-field
 * estimators written again beside the schema; the limits here read the bounds
 * the schema already states, so a new field cannot be priced wrongly by
 * forgetting a second table.
 */
export { DEFAULT_LIMITS, limitParseOptions, resolveLimits, type QueryLimits } from './query-limits.js';
export { operationCost, UNBOUNDED_LIST_SIZE, type RawVariables } from './operation-cost.js';
export { assertWithinLimits, checkLimits } from './check-limits.js';
export { listBounds, operationLimitErrors, requestLimitsPlugin, type ListBound } from './request-limits.js';
export { OperationPlans, PLAN_CACHE_BOUNDS, type OperationPlan } from './operation-plan.js';
