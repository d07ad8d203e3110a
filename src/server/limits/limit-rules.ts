import type {
  ASTVisitor,
  GraphQLError,
  OperationDefinitionNode,
  ValidationContext,
  ValidationRule,
} from 'graphql';
import { createMeasurer, type SelectionMeasurer } from './measure.js';
import { describeOperation, limitExceeded, resolveLimits, type QueryLimits } from './query-limits.js';

/**
 * graphql-js validation rules for the limits that need no variables: depth and
 * aliases (cost depends on `first`/`last` values: see `checkLimits`).
 * Every operation in the document is checked; errors carry
 * `extensions.code = 'LIMIT_EXCEEDED'`.
 *
 * Usable as `validate(schema, doc, [...specifiedRules, ...createLimitRules(limits)])`,
 * e.g. in graphql-ws's `onSubscribe`. Apollo Server also accepts them as
 * `validationRules`, but it rewrites every validation error's code to
 * `GRAPHQL_VALIDATION_FAILED`; `limitsPlugin` checks the same limits and keeps
 * the code, so prefer the plugin there.
 */
export function createLimitRules(limits: Partial<QueryLimits> = {}): ValidationRule[] {
  const { maxDepth, maxAliases } = resolveLimits(limits);
  return [
    operationRule((operation, measure) => depthError(operation, measure, maxDepth)),
    operationRule((operation, measure) => aliasError(operation, measure, maxAliases)),
  ];
}

/** The depth error for `operation`, if it nests deeper than `maxDepth`. */
export function depthError(
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
export function aliasError(
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

/** A rule that measures each operation once and reports what `check` finds. */
function operationRule(
  check: (operation: OperationDefinitionNode, measure: SelectionMeasurer) => GraphQLError | undefined,
): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const measure = createMeasurer((name) => context.getFragment(name) ?? undefined);
    return {
      OperationDefinition(operation) {
        const error = check(operation, measure);
        if (error) context.reportError(error);
        // The measurer walks the selections itself; this visitor needs nothing below.
        return false;
      },
    };
  };
}
