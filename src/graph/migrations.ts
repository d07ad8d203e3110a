import type { Logger } from '../logger.js';
import { PEDIGREE_VERSION } from '../version.js';
import { loadMigrations, statement } from './cypher.js';
import type { Executor } from './executor.js';

const Q = {
  applied: statement('system/applied-migrations'),
  record: statement('system/record-migration'),
};

/** The ids of the migrations recorded in the store, in order. */
export async function appliedMigrations(executor: Executor): Promise<string[]> {
  return (await executor.read<{ id: string }>(Q.applied)).map((r) => r.id);
}

/**
 * Applies cypher/migrations/NNN-*.cypher in order. Each statement is
 * idempotent (IF NOT EXISTS, MERGE) and the applied ids are recorded as
 * (:Migration {id, appliedAt, pedigreeVersion}) nodes, so a second run, or two
 * replicas starting at once, is a no-op. Schema statements run one per
 * transaction (Neo4j forbids mixing schema and data writes in one).
 *
 * Forward only: a store with a migration this code does not have was written
 * by a newer Pedigree, and is refused before anything is written to it.
 */
export async function applyMigrations(executor: Executor, log: Logger): Promise<string[]> {
  const migrations = loadMigrations();
  const applied = new Set(await appliedMigrations(executor));
  const known = new Set(migrations.map((m) => m.id));
  const unknown = [...applied].filter((id) => !known.has(id)).sort();
  if (unknown.length) {
    throw new Error(
      `this store was written by a newer Pedigree: it has migrations ${unknown.join(', ')}, which Pedigree ${PEDIGREE_VERSION} does not know. ` +
        'Downgrades are not supported: run the newer version, or restore a backup taken before the upgrade (docs/operations.md)',
    );
  }
  const done: string[] = [];
  for (const m of migrations) {
    if (applied.has(m.id)) continue;
    for (const text of m.statements) await executor.runSchema(text, m.id);
    await executor.write(Q.record, { id: m.id, version: PEDIGREE_VERSION });
    log.info({ migration: m.id }, 'migration applied');
    done.push(m.id);
  }
  return done;
}
