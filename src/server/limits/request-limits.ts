import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import {
  getNamedType,
  getNullableType,
  GraphQLError,
  isListType,
  isObjectType,
  Kind,
  TypeInfo,
  valueFromAST,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { ErrorCode } from '../../errors.js';
import { MAX_PAGE_SIZE } from '../../paging.js';
import { checkOperation } from './check-limits.js';
import { declaredCap } from './operation-cost.js';
import type { QueryLimits } from './query-limits.js';

/**
 * How one list field is bounded (DESIGN.md rule 10), as the cost analysis
 * counts it (./operation-cost.ts):
 * - `paged`: it takes `first` (and `after`): its `first`, or that argument's
 *   default, else the default page;
 * - `page-of-parent`: it is a list of a paged object (a connection's `edges`,
 *   `datasetImpact { modelVersions }`): the parent field's `first`;
 * - `capped`: it declares a hard cap (`extensions.maxItems`, type-graphql's
 *   `@MaxItems`) that the service behind it never exceeds;
 * - `unbounded`: none of these: the cost analysis would guess 10 items.
 */
export type ListBound = { kind: 'paged' } | { kind: 'page-of-parent' } | { kind: 'capped'; cap: number } | { kind: 'unbounded' };

/** The list fields of `schema` (`Type.field`) with how each is bounded. */
export function listBounds(schema: GraphQLSchema): Map<string, ListBound> {
  const pagedObjects = new Set<string>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (!isListType(getNullableType(field.type)) && field.args.some((a) => a.name === 'first')) pagedObjects.add(getNamedType(field.type).name);
    }
  }
  const bounds = new Map<string, ListBound>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (!isListType(getNullableType(field.type))) continue;
      bounds.set(`${type.name}.${field.name}`, boundOf(field, pagedObjects.has(type.name)));
    }
  }
  return bounds;
}

function boundOf(field: GraphQLField<unknown, unknown>, inPagedObject: boolean): ListBound {
  if (field.args.some((a) => a.name === 'first')) return { kind: 'paged' };
  if (inPagedObject) return { kind: 'page-of-parent' };
  const cap = declaredCap(field);
  return cap === undefined ? { kind: 'unbounded' } : { kind: 'capped', cap };
}

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

/** The limits that apply to `operation`: introspection-only ones get {@link INTROSPECTION_MAX_DEPTH} and no cost limit. */
export function limitsFor(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  limits: Partial<QueryLimits>,
): Partial<QueryLimits> {
  if (!isIntrospectionOnly(document, operation)) return limits;
  return { ...limits, maxDepth: Math.max(limits.maxDepth ?? 0, INTROSPECTION_MAX_DEPTH), maxCost: Number.POSITIVE_INFINITY };
}

/**
 * Limit errors for one operation, both transports: first a `first` outside
 * 0–{@link MAX_PAGE_SIZE} (BAD_USER_INPUT, the same refusal a resolver would
 * make, but before the cost analysis prices the oversized page), then depth,
 * aliases and cost (LIMIT_EXCEEDED).
 */
export function operationLimitErrors(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>> | null | undefined,
  limits: Partial<QueryLimits>,
): readonly GraphQLError[] {
  return [...pageSizeErrors(schema, document, operation, variables), ...checkOperation(schema, document, operation, variables, limitsFor(document, operation, limits))];
}

/** Every `first` argument of the operation (and its fragments) outside 0–MAX_PAGE_SIZE, read as the cost analysis reads it. */
function pageSizeErrors(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>> | null | undefined,
): GraphQLError[] {
  const errors: GraphQLError[] = [];
  const typeInfo = new TypeInfo(schema);
  const scope: DocumentNode = { kind: Kind.DOCUMENT, definitions: [operation, ...document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION)] };
  visit(
    scope,
    visitWithTypeInfo(typeInfo, {
      Argument(node) {
        const arg = typeInfo.getArgument();
        if (node.name.value !== 'first' || !arg || !typeInfo.getFieldDef()) return;
        const value = valueFromAST(node.value, arg.type, variables ?? {});
        if (value === undefined || value === null) return;
        if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_PAGE_SIZE) return;
        errors.push(
          new GraphQLError(`first must be an integer from 0 to ${MAX_PAGE_SIZE}, got ${String(value)}`, {
            nodes: node,
            extensions: { code: ErrorCode.BAD_USER_INPUT, field: 'first', limit: MAX_PAGE_SIZE },
          }),
        );
      },
    }),
  );
  return errors;
}

/**
 * The Apollo Server glue (HTTP), with the introspection exemption above:
 * checks once the operation is resolved (`didResolveOperation`, where the
 * variables are known) and refuses an operation over a limit before execution, with
 * LIMIT_EXCEEDED (or BAD_USER_INPUT for a page over the maximum) and HTTP 400.
 */
export function requestLimitsPlugin<TContext extends BaseContext>(limits: Partial<QueryLimits>): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return;
          const [first] = operationLimitErrors(schema, document, operation, request.variables, limits);
          if (!first) return;
          throw new GraphQLError(first.message, {
            nodes: first.nodes,
            extensions: { ...first.extensions, http: { status: 400 } },
          });
        },
      };
    },
  };
}
