import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import {
  getNamedType,
  getNullableType,
  GraphQLError,
  isListType,
  isObjectType,
  type DocumentNode,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { declaredCap, type RawVariables } from './operation-cost.js';
import { planErrors, planOperation, type OperationPlans } from './operation-plan.js';
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
export type ListBound =
  { kind: 'paged' } | { kind: 'page-of-parent' } | { kind: 'capped'; cap: number } | { kind: 'unbounded' };

/** The list fields of `schema` (`Type.field`) with how each is bounded. */
export function listBounds(schema: GraphQLSchema): Map<string, ListBound> {
  const pagedObjects = new Set<string>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (!isListType(getNullableType(field.type)) && field.args.some((a) => a.name === 'first'))
        pagedObjects.add(getNamedType(field.type).name);
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
 * Limit errors for one operation, both transports: first a `first` outside
 * 0–MAX_PAGE_SIZE (BAD_USER_INPUT, the same refusal a resolver would make, but
 * before the cost analysis prices the oversized page), then depth, aliases
 * and cost (LIMIT_EXCEEDED). Plans the operation afresh: the transports go
 * through {@link OperationPlans}, which plans each document once.
 */
export function operationLimitErrors(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: RawVariables,
  limits: Partial<QueryLimits>,
): readonly GraphQLError[] {
  return planErrors(schema, planOperation(schema, document, operation, limits), variables);
}

/**
 * The Apollo Server glue (HTTP), with the introspection exemption above:
 * checks once the operation is resolved (`didResolveOperation`, where the
 * variables are known) and refuses an operation over a limit before execution, with
 * LIMIT_EXCEEDED (or BAD_USER_INPUT for a page over the maximum) and HTTP 400.
 */
export function requestLimitsPlugin<TContext extends BaseContext>(
  limits: Partial<QueryLimits>,
  plans?: OperationPlans,
): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return;
          // Runs on every request, cached document or not: only the walk over the text is reused.
          const [first] =
            plans && plans.schema === schema
              ? plans.limitErrors(document, operation, request.variables)
              : operationLimitErrors(schema, document, operation, request.variables, limits);
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
