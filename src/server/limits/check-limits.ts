import {
  Kind,
  getOperationAST,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLError,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { createMeasurer, type SelectionMeasurer } from './measure.js';
import { costOfOperation, type RawVariables } from './operation-cost.js';
import { describeOperation, limitExceeded, resolveLimits, type QueryLimits } from './query-limits.js';

/**
 * Every limit the operation breaks (depth, aliases, cost), in that order; empty
 * when it is within limits or when `document` holds no operation named
 * `operationName` (execution reports that itself). Needs the request's
 * variables, so call it once the operation is resolved: graphql-ws's
 * `onSubscribe` can return the array as is.
 */
export function checkLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: RawVariables,
  operationName: string | null | undefined,
  limits: Partial<QueryLimits> = {},
): readonly GraphQLError[] {
  const operation = getOperationAST(document, operationName ?? undefined);
  return operation ? checkOperation(schema, document, operation, variables, limits) : [];
}

/**
 * Throws the first `LIMIT_EXCEEDED` error of {@link checkLimits}, if any.
 * For Apollo Server use `requestLimitsPlugin`, which also sets the HTTP status.
 */
export function assertWithinLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: RawVariables,
  operationName: string | null | undefined,
  limits: Partial<QueryLimits> = {},
): void {
  const [first] = checkLimits(schema, document, variables, operationName, limits);
  if (first) throw first;
}

/** {@link checkLimits} for an operation already picked out of `document`. */
export function checkOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: RawVariables,
  limits: Partial<QueryLimits> = {},
): readonly GraphQLError[] {
  const resolved = resolveLimits(limits);
  const cost = costError(
    costOfOperation(schema, document, operation, variables, resolved.defaultListSize),
    operation,
    resolved.maxCost,
  );
  return cost ? [...shapeErrors(document, operation, resolved), cost] : shapeErrors(document, operation, resolved);
}

/** The depth and alias errors of `operation`: fixed by the document's text, whatever the variables. */
export function shapeErrors(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  limits: Pick<QueryLimits, 'maxDepth' | 'maxAliases'>,
): GraphQLError[] {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const measure = createMeasurer((name) => fragments.get(name));
  const errors: GraphQLError[] = [];
  const depth = depthError(operation, measure, limits.maxDepth);
  if (depth) errors.push(depth);
  const aliases = aliasError(operation, measure, limits.maxAliases);
  if (aliases) errors.push(aliases);
  return errors;
}

/** The cost error for an operation priced at `cost`, if it is over `maxCost`. */
export function costError(cost: number, operation: OperationDefinitionNode, maxCost: number): GraphQLError | undefined {
  if (cost <= maxCost) return undefined;
  return limitExceeded(`query cost is limited to ${maxCost}; ${describeOperation(operation)} costs ${cost}`, operation);
}

/** The depth error for `operation`, if it nests deeper than `maxDepth`. */
function depthError(
  operation: OperationDefinitionNode,
  measure: SelectionMeasurer,
  maxDepth: number,
): GraphQLError | undefined {
  const depth = measure.depth(operation.selectionSet);
  if (depth <= maxDepth) return undefined;
  return limitExceeded(
    `query depth is limited to ${maxDepth}; ${describeOperation(operation)} reaches ${depth}`,
    operation,
  );
}

/** The alias error for `operation`, if it aliases more than `maxAliases` fields. */
function aliasError(
  operation: OperationDefinitionNode,
  measure: SelectionMeasurer,
  maxAliases: number,
): GraphQLError | undefined {
  const aliases = measure.aliases(operation.selectionSet);
  if (aliases <= maxAliases) return undefined;
  return limitExceeded(
    `query aliases are limited to ${maxAliases}; ${describeOperation(operation)} uses ${aliases}`,
    operation,
  );
}
