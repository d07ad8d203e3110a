import {
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  getNamedType,
  getNullableType,
  getOperationAST,
  getVariableValues,
  isInterfaceType,
  isListType,
  isObjectType,
  isScalarType,
  valueFromAST,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { DEFAULT_LIMITS, type QueryLimits } from './query-limits.js';

/** Expected size of a list field that has no `first`/`last`/`limit` argument and declares no cap. */
export const UNBOUNDED_LIST_SIZE = 10;
/**
 * The field extension a list field declares its hard cap in (type-graphql:
 * `@Extensions({ maxItems: 100 })`): the list never holds more, and its cost
 * counts that many items.
 */
export const MAX_ITEMS_EXTENSION = 'maxItems';

/** Variable values as they arrive on the wire (before coercion). */
export type RawVariables = Readonly<Record<string, unknown>> | null | undefined;

/**
 * The expected work of one operation, counted in field resolutions:
 *
 * - every field costs 1, and `__typename` costs nothing;
 * - the cost of a field's selection is multiplied by the number of items the
 *   field is expected to return:
 *   - a paged object (a Relay connection, or any object field that takes
 *     `first`): `first ?? last ?? defaultListSize` items, which the list
 *     fields of the returned object (`edges`, `nodes`, `modelVersions`) take,
 *     so `pageInfo` or `totalCount` are counted once and `edges` is not
 *     multiplied a second time;
 *   - any other list field: its `first` (or `last`, or `limit`) argument or
 *     that argument's default, else its declared cap (`extensions.maxItems`),
 *     else `defaultListSize` when it takes `first`, else 10;
 * - arguments are read from literals, from `variables` (with the operation's
 *   variable defaults) or from the schema's argument defaults; a negative size
 *   counts as 0, a missing or non-numeric one falls back as above;
 * - fragment spreads and inline fragments are followed; inline fragments on
 *   different types are summed (an over-estimate); a fragment cycle, which
 *   validation rejects anyway, counts as empty.
 *
 * Only selections cost anything: input arguments, such as the `predictions`
 * list of `logPredictions`, are not priced here.
 *
 * A field that returns a paged object passes its size to that object's list
 * fields only: a list field of a list item (a model's `tags` in a page of
 * models) is counted by its own argument or cap.
 *
 * Example: `models(first: 100) { edges { node { versions(first: 100) { edges { node { id } } } } } }`
 * costs 1 + (1 + 100 × (1 + 1 + (1 + 100 × (1 + 1)))) = 20 302.
 *
 * Returns 0 when `document` holds no operation named `operationName`
 * (execution reports that error itself).
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables?: RawVariables,
  operationName?: string | null,
  limits: Pick<Partial<QueryLimits>, 'defaultListSize'> = {},
): number {
  const operation = getOperationAST(document, operationName ?? undefined);
  if (!operation) return 0;
  return costOfOperation(
    schema,
    document,
    operation,
    variables,
    limits.defaultListSize ?? DEFAULT_LIMITS.defaultListSize,
  );
}

/** {@link operationCost} for an operation already picked out of `document`. */
export function costOfOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: RawVariables,
  defaultListSize: number,
): number {
  return priceOperation(schema, document, operation, variables, defaultListSize).cost;
}

/**
 * {@link costOfOperation}, and whether the price read a variable (a size
 * argument such as `first: $n`): when it did not, the cost is fixed by the
 * document's text and the same for every request that sends it.
 */
export function priceOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: RawVariables,
  defaultListSize: number,
): { cost: number; readsVariables: boolean } {
  const root = schema.getRootType(operation.operation);
  if (!root) return { cost: 0, readsVariables: false };
  let readsVariables = false;

  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const inputs = variables ?? {};
  // Sizes are scalars: leave input objects and lists (10 000 logged predictions)
  // to execution rather than coerce them twice.
  const scalarDefinitions = (operation.variableDefinitions ?? []).filter((definition) => {
    const typeNode = definition.type.kind === Kind.NON_NULL_TYPE ? definition.type.type : definition.type;
    return typeNode.kind === Kind.NAMED_TYPE && isScalarType(schema.getType(typeNode.name.value));
  });
  const coerced = getVariableValues(schema, scalarDefinitions, inputs, { maxErrors: 1 });
  // Variables that do not coerce fail execution anyway; price with what was sent.
  const vars: Record<string, unknown> = coerced.coerced ?? { ...inputs };

  // A fragment's cost depends only on its name and the list size it inherits,
  // so fan-outs of spreads are priced once each.
  const fragmentMemo = new Map<string, number>();
  const visiting = new Set<string>();

  /** Reads the first of `names` that the field declares and that has a usable numeric value. */
  function sizeArgument(field: GraphQLField<unknown, unknown>, node: FieldNode, names: readonly string[]) {
    for (const name of names) {
      const definition = field.args.find((arg) => arg.name === name);
      if (!definition) continue;
      const argNode = node.arguments?.find((arg) => arg.name.value === name);
      if (argNode && containsVariable(argNode.value)) readsVariables = true;
      const value = argNode ? valueFromAST(argNode.value, definition.type, vars) : undefined;
      const chosen = value === undefined ? definition.defaultValue : value;
      if (typeof chosen === 'number' && Number.isFinite(chosen)) return Math.max(0, Math.floor(chosen));
    }
    return undefined;
  }

  function fieldCost(parent: GraphQLNamedType | undefined, node: FieldNode, inheritedSize: number | undefined) {
    const field = fieldDefinition(schema, parent, node.name.value);
    // Unknown fields fail validation; price them as a leaf rather than guess.
    if (!field) return 1;
    const type = getNullableType(field.type);
    if (!node.selectionSet) return 1;

    const paged = field.args.some((arg) => arg.name === 'first');
    let multiplier = 1;
    if (isListType(type)) {
      multiplier =
        inheritedSize ??
        sizeArgument(field, node, ['first', 'last', 'limit']) ??
        declaredCap(field) ??
        (paged ? defaultListSize : UNBOUNDED_LIST_SIZE);
    }
    const named = getNamedType(type);
    let sizeForChildren: number | undefined;
    if (!isListType(type) && (paged || named.name.endsWith('Connection'))) {
      sizeForChildren = sizeArgument(field, node, ['first', 'last']) ?? defaultListSize;
    }
    return 1 + multiplier * selectionCost(named, node.selectionSet, sizeForChildren);
  }

  /** `inheritedSize`: the expected item count that list fields of `parent` take (connections, lineage). */
  function selectionCost(
    parent: GraphQLNamedType | undefined,
    selectionSet: SelectionSetNode,
    inheritedSize: number | undefined,
  ): number {
    let cost = 0;
    for (const selection of selectionSet.selections) {
      switch (selection.kind) {
        case Kind.FIELD:
          if (selection.name.value !== '__typename') cost += fieldCost(parent, selection, inheritedSize);
          break;
        case Kind.INLINE_FRAGMENT: {
          const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
          cost += selectionCost(type ?? undefined, selection.selectionSet, inheritedSize);
          break;
        }
        case Kind.FRAGMENT_SPREAD:
          cost += fragmentCost(selection.name.value, inheritedSize);
          break;
      }
    }
    return cost;
  }

  function fragmentCost(name: string, inheritedSize: number | undefined): number {
    const key = `${name}|${inheritedSize ?? ''}`;
    const known = fragmentMemo.get(key);
    if (known !== undefined) return known;
    const fragment = fragments.get(name);
    if (!fragment || visiting.has(name)) return 0;
    visiting.add(name);
    try {
      const type = schema.getType(fragment.typeCondition.name.value) ?? undefined;
      const cost = selectionCost(type, fragment.selectionSet, inheritedSize);
      fragmentMemo.set(key, cost);
      return cost;
    } finally {
      visiting.delete(name);
    }
  }

  return { cost: selectionCost(root, operation.selectionSet, undefined), readsVariables };
}

function containsVariable(value: ValueNode): boolean {
  switch (value.kind) {
    case Kind.VARIABLE:
      return true;
    case Kind.LIST:
      return value.values.some(containsVariable);
    case Kind.OBJECT:
      return value.fields.some((f) => containsVariable(f.value));
    default:
      return false;
  }
}

/** The field's declared hard cap (`extensions.maxItems`), if any. */
export function declaredCap(field: GraphQLField<unknown, unknown>): number | undefined {
  const cap = field.extensions?.[MAX_ITEMS_EXTENSION];
  return typeof cap === 'number' && Number.isFinite(cap) && cap >= 0 ? Math.floor(cap) : undefined;
}

function fieldDefinition(
  schema: GraphQLSchema,
  parent: GraphQLNamedType | undefined,
  name: string,
): GraphQLField<unknown, unknown> | undefined {
  if (parent && parent === schema.getQueryType()) {
    if (name === SchemaMetaFieldDef.name) return SchemaMetaFieldDef;
    if (name === TypeMetaFieldDef.name) return TypeMetaFieldDef;
  }
  if (isObjectType(parent) || isInterfaceType(parent)) return parent.getFields()[name];
  return undefined;
}
