import { GraphQLError, type ASTNode, type OperationDefinitionNode, type ParseOptions } from 'graphql';
import { ErrorCode } from '../../errors.js';

/**
 * Per-request ceilings on what one GraphQL operation may ask for.
 *
 * - `maxDepth` (default 12): the longest chain of nested field selections,
 *   followed through fragments; `{ a { b } }` has depth 2. `__typename` is free
 *   at any depth; introspection fields (`__schema`, `__type`) count normally.
 * - `maxAliases` (default 15): fields written with an alias in the whole
 *   operation, fragments included (a fragment spread twice counts twice).
 * - `maxCost` (default 50 000): see {@link operationCost} for the model.
 * - `maxTokens` (no default): lexer tokens per document, enforced by graphql-js
 *   while parsing; pass {@link limitParseOptions} to the parser.
 * - `defaultListSize` (default 20): expected page size of a Relay connection
 *   field queried without `first`/`last`.
 */
export interface QueryLimits {
  readonly maxDepth: number;
  readonly maxAliases: number;
  readonly maxCost: number;
  readonly maxTokens?: number;
  readonly defaultListSize: number;
}

export const DEFAULT_LIMITS: Readonly<QueryLimits> = Object.freeze({
  maxDepth: 12,
  maxAliases: 15,
  maxCost: 50_000,
  defaultListSize: 20,
});

/** Fills what the caller left out from {@link DEFAULT_LIMITS}. */
export function resolveLimits(limits: Partial<QueryLimits> = {}): QueryLimits {
  return { ...DEFAULT_LIMITS, ...stripUndefined(limits) };
}

/**
 * Parser options that enforce `maxTokens`: hand them to Apollo Server's
 * `parseOptions` and to `parse()` in graphql-ws's `onSubscribe`. graphql-js
 * aborts the parse with a syntax error, which Apollo reports as
 * `GRAPHQL_PARSE_FAILED` (HTTP 400).
 */
export function limitParseOptions(limits: Partial<QueryLimits> = {}): ParseOptions {
  return limits.maxTokens === undefined ? {} : { maxTokens: limits.maxTokens };
}

/** A `LIMIT_EXCEEDED` error; `message` states the contract, then what broke. */
export function limitExceeded(message: string, nodes?: ASTNode | readonly ASTNode[]): GraphQLError {
  return new GraphQLError(message, { nodes, extensions: { code: ErrorCode.LIMIT_EXCEEDED } });
}

/** How an error message names the operation it refuses. */
export function describeOperation(operation: OperationDefinitionNode): string {
  return operation.name ? `operation "${operation.name.value}"` : 'this operation';
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
