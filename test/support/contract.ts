import { existsSync, readFileSync } from 'node:fs';
import { parse, print, type OperationDefinitionNode } from 'graphql';

const candidates = [
  new URL('../../../shared/contract/operations.graphql', import.meta.url),
  new URL('../../shared/contract/operations.graphql', import.meta.url),
];
const path = candidates.find((u) => existsSync(u));

let ops: Map<string, string> | undefined;

/**
 * The text of one operation from shared/contract/operations.graphql, exactly
 * as clients send it: tests run the contract, not a paraphrase of it.
 */
export function contractOp(name: string): string {
  if (!path) throw new Error('shared/contract/operations.graphql not found beside the repository');
  ops ??= new Map(
    parse(readFileSync(path, 'utf8'))
      .definitions.filter((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')
      .map((d) => [d.name!.value, print(d)]),
  );
  const op = ops.get(name);
  if (!op) throw new Error(`no operation ${name} in the contract`);
  return op;
}
