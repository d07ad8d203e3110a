import { badInput, type DomainError, notFound } from '../errors.js';
import { statement } from '../graph/cypher.js';
import type { Tx } from '../graph/executor.js';
import type { ModelRecord, VersionRecord, VersionRef } from './types.js';
import { assertAliasName, assertModelName, assertVersionNumber, LATEST } from './validation.js';

const Q = { resolveRefs: statement('registry/resolve-version-refs') };

/** A ref resolved: its model when the model exists, and the version it names (carrying that model). */
export interface Resolved {
  model: ModelRecord | null;
  version: VersionRecord | null;
}

/** A version ref's shape: a model name and exactly one of a version number and an alias. */
export function checkRef(ref: VersionRef): void {
  assertModelName(ref.modelName, 'modelName');
  const hasVersion = ref.version !== null && ref.version !== undefined;
  const hasAlias = ref.alias !== null && ref.alias !== undefined;
  if (hasVersion === hasAlias)
    throw badInput('a model version reference takes exactly one of version and alias', { field: 'ref' });
  if (hasVersion) assertVersionNumber(ref.version!);
  if (hasAlias && ref.alias !== LATEST) assertAliasName(ref.alias!);
}

export function describeRef(ref: VersionRef): string {
  return ref.alias ? `${ref.modelName}@${ref.alias}` : `${ref.modelName} version ${ref.version}`;
}

/** Resolves refs in one round trip (checked first), in order. */
export async function resolveRefsIn(tx: Tx, refs: readonly VersionRef[]): Promise<Resolved[]> {
  if (refs.length === 0) return [];
  for (const ref of refs) checkRef(ref);
  const rows = await tx.run<Resolved>(Q.resolveRefs, {
    refs: refs.map((r) => ({ modelName: r.modelName, version: r.version ?? null, alias: r.alias ?? null })),
  });
  return rows.map((r) => ({
    model: r.model,
    version: r.version ? { ...r.version, ...(r.model ? { model: r.model } : {}) } : null,
  }));
}

/** NOT_FOUND saying whether the model, the version or the alias a ref names is missing; null when it resolved. */
export function unresolved(ref: VersionRef, r: Resolved): DomainError | null {
  if (!r.model) return notFound(`no registered model named "${ref.modelName}"`, { field: 'modelName' });
  if (!r.version)
    return notFound(`model "${ref.modelName}" has no ${ref.alias ? `alias "${ref.alias}"` : `version ${ref.version}`}`);
  return null;
}

/** The version a resolved ref names, or the NOT_FOUND {@link unresolved} gives. */
export function requireResolved(ref: VersionRef, r: Resolved): VersionRecord {
  const missing = unresolved(ref, r);
  if (missing) throw missing;
  return r.version!;
}
