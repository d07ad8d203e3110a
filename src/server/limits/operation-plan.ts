import {
  GraphQLError,
  Kind,
  TypeInfo,
  valueFromAST,
  visit,
  visitWithTypeInfo,
  type ArgumentNode,
  type DocumentNode,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { ErrorCode } from '../../errors.js';
import { MAX_PAGE_SIZE } from '../../paging.js';
import { LruCache, type CacheBounds } from '../lru-cache.js';
import { costError, shapeErrors } from './check-limits.js';
import { priceOperation, type RawVariables } from './operation-cost.js';
import { resolveLimits, type QueryLimits } from './query-limits.js';

/**
 * Introspection-only operations get a depth of at least this, and no cost
 * limit: the standard introspection query (GraphiQL, codegen) has depth 15,
 * over the default 12, and its size is bounded by the schema, not by data.
 * The depth ceiling still stops `ofType { ofType { … } }` bombs, and with
 * introspection off they are refused by validation anyway.
 */
export const INTROSPECTION_MAX_DEPTH = 20;

/** True when every root selection is `__schema`, `__type` or `__typename` (through fragments). */
export function isIntrospectionOnly(document: DocumentNode, operation: OperationDefinitionNode): boolean {
  const fragments = new Map(
    document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])),
  );
  const seen = new Set<string>();
  const only = (set: SelectionSetNode): boolean =>
    set.selections.every((s) => {
      if (s.kind === Kind.FIELD) return s.name.value.startsWith('__');
      if (s.kind === Kind.INLINE_FRAGMENT) return only(s.selectionSet);
      const f = fragments.get(s.name.value);
      if (!f || seen.has(s.name.value)) return true;
      seen.add(s.name.value);
      return only(f.selectionSet);
    });
  return operation.operation === 'query' && only(operation.selectionSet);
}

/**
 * The limits that apply to `operation`: introspection-only ones get {@link INTROSPECTION_MAX_DEPTH} and no cost limit.
 */
export function limitsFor(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  limits: Partial<QueryLimits>,
): Partial<QueryLimits> {
  if (!isIntrospectionOnly(document, operation)) return limits;
  return {
    ...limits,
    maxDepth: Math.max(limits.maxDepth ?? 0, INTROSPECTION_MAX_DEPTH),
    maxCost: Number.POSITIVE_INFINITY,
  };
}

/**
 * What the request limits learn from an operation's text alone, so that a
 * document sent again is not walked again. Everything here is a function of
 * (schema, document, operation, limits) and nothing else: no variable, no
 * caller, no time. What depends on the request is kept as the inputs to
 * decide it with, not as a decision.
 */
export interface OperationPlan {
  readonly operation: OperationDefinitionNode;
  readonly limits: QueryLimits;
  /**
   * Every `first` argument of the operation and its fragments, with its declared type: its value may be a variable, so
   * it is read per request.
   */
  readonly pageArguments: readonly { readonly node: ArgumentNode; readonly type: GraphQLInputType }[];
  /** Depth and alias errors (they never depend on variables). */
  readonly shapeErrors: readonly GraphQLError[];
  /**
   * The cost error when no size argument names a variable (the cost is then
   * the text's): `null` when within the limit. `undefined`: the cost reads a
   * variable (`first: $n`) and is priced again on every request.
   */
  readonly fixedCostError: GraphQLError | null | undefined;
  /** The document, for pricing per request when the cost reads variables. */
  readonly document: DocumentNode;
}

/** Walks `operation` once: see {@link OperationPlan}. */
export function planOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  limits: Partial<QueryLimits>,
): OperationPlan {
  const resolved = resolveLimits(limitsFor(document, operation, limits));
  const priced = priceOperation(schema, document, operation, {}, resolved.defaultListSize);
  return {
    operation,
    limits: resolved,
    document,
    pageArguments: pageArguments(schema, document, operation),
    shapeErrors: shapeErrors(document, operation, resolved),
    fixedCostError: priced.readsVariables ? undefined : (costError(priced.cost, operation, resolved.maxCost) ?? null),
  };
}

/**
 * The limit errors of one request of a planned operation, in the order the
 * transports report them: a `first` outside 0–{@link MAX_PAGE_SIZE}
 * (BAD_USER_INPUT), then depth, aliases and cost (LIMIT_EXCEEDED). Variables
 * are read here, every time.
 */
export function planErrors(schema: GraphQLSchema, plan: OperationPlan, variables: RawVariables): GraphQLError[] {
  const errors = pageSizeErrors(plan, variables);
  errors.push(...plan.shapeErrors);
  const cost =
    plan.fixedCostError === undefined
      ? costError(
          priceOperation(schema, plan.document, plan.operation, variables, plan.limits.defaultListSize).cost,
          plan.operation,
          plan.limits.maxCost,
        )
      : plan.fixedCostError;
  if (cost) errors.push(cost);
  return errors;
}

/**
 * Every `first` argument of the operation (and its fragments) that names a schema argument, with the argument's type.
 */
function pageArguments(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
): OperationPlan['pageArguments'] {
  const found: { node: ArgumentNode; type: GraphQLInputType }[] = [];
  const typeInfo = new TypeInfo(schema);
  const scope: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: [operation, ...document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION)],
  };
  visit(
    scope,
    visitWithTypeInfo(typeInfo, {
      Argument(node) {
        const arg = typeInfo.getArgument();
        if (node.name.value === 'first' && arg && typeInfo.getFieldDef()) found.push({ node, type: arg.type });
      },
    }),
  );
  return found;
}

/** Every `first` outside 0–MAX_PAGE_SIZE, read as the cost analysis reads it. */
function pageSizeErrors(plan: OperationPlan, variables: RawVariables): GraphQLError[] {
  const errors: GraphQLError[] = [];
  for (const { node, type } of plan.pageArguments) {
    const value = valueFromAST(node.value, type, variables ?? {});
    if (value === undefined || value === null) continue;
    if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_PAGE_SIZE) continue;
    errors.push(
      new GraphQLError(`first must be an integer from 0 to ${MAX_PAGE_SIZE}, got ${String(value)}`, {
        nodes: node,
        extensions: { code: ErrorCode.BAD_USER_INPUT, field: 'first', limit: MAX_PAGE_SIZE },
      }),
    );
  }
  return errors;
}

/**
 * How many documents' plans {@link OperationPlans} keeps by default: 1 000
 * documents and 1 MiB of their operation text (a plan holds its document, so
 * the text bounds the memory: the parsed AST of a document is some tens of
 * times its text).
 */
export const PLAN_CACHE_BOUNDS: CacheBounds = Object.freeze({ maxEntries: 1_000, maxWeight: 1 << 20 });

/**
 * The plans of recently seen documents, keyed by the parsed document's
 * identity (Apollo Server's document store and the websocket's document cache
 * hand back the same DocumentNode for the same text), then by operation.
 *
 * Why caching is safe: a plan is a function of the schema (fixed for this
 * cache), the limits (fixed), and the document's text (a DocumentNode is not
 * changed after parsing). The request's variables, the caller and the
 * consistency token are not in it: the page sizes are read from the variables
 * and a cost that reads a variable is priced again on every request, and
 * authentication, the policy decision (per root field, in the schema's
 * wrapped resolvers) and the consistency gate run per request outside it.
 */
export class OperationPlans {
  private readonly cache: LruCache<DocumentNode, Map<OperationDefinitionNode, OperationPlan>>;

  constructor(
    readonly schema: GraphQLSchema,
    private readonly limits: Partial<QueryLimits>,
    bounds: CacheBounds = PLAN_CACHE_BOUNDS,
  ) {
    this.cache = new LruCache(bounds, (document) => document.loc?.source.body.length ?? 1);
  }

  /** Documents whose plans are held, and the characters of their text (at most the bounds). */
  get stats(): { documents: number; characters: number } {
    return { documents: this.cache.size, characters: this.cache.weight };
  }

  /** The operation's plan: computed on the document's first request, then reused. */
  plan(document: DocumentNode, operation: OperationDefinitionNode): OperationPlan {
    let plans = this.cache.get(document);
    if (!plans) {
      plans = new Map();
      this.cache.set(document, plans);
    }
    let plan = plans.get(operation);
    if (!plan) {
      plan = planOperation(this.schema, document, operation, this.limits);
      plans.set(operation, plan);
    }
    return plan;
  }

  /** {@link planErrors} for this request's variables. */
  limitErrors(document: DocumentNode, operation: OperationDefinitionNode, variables: RawVariables): GraphQLError[] {
    return planErrors(this.schema, this.plan(document, operation), variables);
  }
}
