import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { checkOperation } from './check-limits.js';
import { resolveLimits, type QueryLimits } from './query-limits.js';

/**
 * Apollo Server glue: checks depth, aliases and cost once the operation is
 * resolved (`didResolveOperation`, where the variables are known) and refuses
 * the request before execution with a `LIMIT_EXCEEDED` error and HTTP 400.
 *
 * Apollo answers an error thrown from `didResolveOperation` with that error
 * alone, but with HTTP 500 unless the error carries `extensions.http.status`;
 * it strips `extensions.http` before the response (and `formatError`) sees it.
 * Depth and aliases are checked here rather than through `validationRules`
 * because Apollo replaces a validation error's code with
 * `GRAPHQL_VALIDATION_FAILED`. Pair with `parseOptions: limitParseOptions(limits)`
 * to enforce `maxTokens`.
 */
export function limitsPlugin<TContext extends BaseContext = BaseContext>(
  limits: Partial<QueryLimits> = {},
): ApolloServerPlugin<TContext> {
  const resolved = resolveLimits(limits);
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          // No operation by that name: Apollo reports it when it executes.
          if (!operation) return;
          const [first] = checkOperation(schema, document, operation, request.variables, resolved);
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
