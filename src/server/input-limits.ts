import { getNullableType, isInputObjectType, isListType, type GraphQLArgument, type GraphQLInputType } from 'graphql';
import { badInput } from '../errors.js';
import { MAX_BULK } from '../registry/bulk.js';

/**
 * Size limits on every string and list a client sends, checked centrally
 * before any resolver runs (src/server/authorize.ts). Strings are measured in
 * UTF-16 code units (JS `length`). U+0000 is refused everywhere: no name, tag or
 * URI needs it, and it truncates strings in many downstream tools.
 *
 * Large fields are declared here by name, most specific first:
 * `InputType.field` or `Type.rootField(arg)`, then the bare field or argument
 * name (so every `description` gets the larger limit).
 */
export interface InputLimits {
  maxString: number;
  maxList: number;
  strings: Readonly<Record<string, number>>;
  lists: Readonly<Record<string, number>>;
}

export const DEFAULT_INPUT_LIMITS: InputLimits = Object.freeze({
  maxString: 4 * 1024,
  maxList: 1000,
  strings: Object.freeze({
    description: 64 * 1024,
    summary: 16 * 1024,
    comment: 16 * 1024,
    reason: 16 * 1024,
    markdown: 256 * 1024,
    'Query.verifyAttestation(envelope)': 256 * 1024,
  }),
  lists: Object.freeze({
    // One logPredictions batch; the HTTP body limit is sized for it.
    'LogPredictionsInput.predictions': 10_000,
    // The bulk registry mutations, one transaction each.
    'Mutation.createModelVersions(inputs)': MAX_BULK,
    'Mutation.setModelVersionTags(tags)': MAX_BULK,
  }),
});

/** Throws BAD_USER_INPUT naming the first argument that breaks a limit. */
export function checkInputSizes(
  fieldKey: string,
  args: readonly GraphQLArgument[],
  values: Record<string, unknown>,
  limits: InputLimits = DEFAULT_INPUT_LIMITS,
): void {
  for (const arg of args) {
    walk(values[arg.name], arg.type, `${fieldKey}(${arg.name})`, arg.name, `${fieldKey} argument ${arg.name}`, limits);
  }
}

function walk(
  value: unknown,
  type: GraphQLInputType,
  key: string,
  name: string,
  path: string,
  limits: InputLimits,
): void {
  if (value === null || value === undefined) return;
  const t = getNullableType(type);
  if (isListType(t)) {
    if (!Array.isArray(value)) return walk(value, t.ofType, key, name, path, limits);
    const max = limits.lists[key] ?? limits.lists[name] ?? limits.maxList;
    if (value.length > max)
      throw badInput(`${path} is limited to ${max} items; got ${value.length}`, { argument: path, limit: max });
    value.forEach((item, i) => walk(item, t.ofType, key, name, `${path}[${i}]`, limits));
    return;
  }
  if (isInputObjectType(t)) {
    if (typeof value !== 'object') return;
    const fields = t.getFields();
    for (const f of Object.values(fields)) {
      walk(
        (value as Record<string, unknown>)[f.name],
        f.type,
        `${t.name}.${f.name}`,
        f.name,
        `${path}.${f.name}`,
        limits,
      );
    }
    return;
  }
  if (typeof value === 'string') {
    const max = limits.strings[key] ?? limits.strings[name] ?? limits.maxString;
    if (value.length > max)
      throw badInput(`${path} is limited to ${max} characters; got ${value.length}`, { argument: path, limit: max });
    if (value.includes('\u0000'))
      throw badInput(`${path} must not contain the NUL character (U+0000)`, { argument: path });
  }
}
