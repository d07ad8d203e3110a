import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import {
  GraphQLError,
  Kind,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { checkOperation } from './limits/check-limits.js';
import type { QueryLimits } from './limits/index.js';

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

/** Limit errors for one operation, both transports. */
export function operationLimitErrors(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>> | null | undefined,
  limits: Partial<QueryLimits>,
): readonly GraphQLError[] {
  return checkOperation(schema, document, operation, variables, limitsFor(document, operation, limits));
}

/**
 * Apollo glue like `limitsPlugin` (src/server/limits), with the introspection
 * exemption above: refuses an operation over a limit before execution, with
 * LIMIT_EXCEEDED and HTTP 400.
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
