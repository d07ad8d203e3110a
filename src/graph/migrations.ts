import type { Logger } from '../logger.js';
import { loadMigrations, statement } from './cypher.js';
import type { Executor } from './executor.js';

const Q = {
  applied: statement('system/applied-migrations'),
  record: statement('system/record-migration'),
};

/**
 * Applies cypher/migrations/NNN-*.cypher in order. Each statement is
 * idempotent (IF NOT EXISTS, MERGE) and the applied ids are recorded as
 * (:Migration) nodes, so a second run, or two replicas starting at once, is a
 * no-op. Schema statements run one per transaction (Neo4j forbids mixing
 * schema and data writes in one).
 */
export async function applyMigrations(executor: Executor, log: Logger): Promise<string[]> {
  const applied = new Set(
    (await executor.read<{ id: string }>(Q.applied)).map((r) => r.id),
  );
  const done: string[] = [];
  for (const m of loadMigrations()) {
    if (applied.has(m.id)) continue;
    for (const text of m.statements) await executor.runSchema(text, m.id);
    await executor.write(Q.record, { id: m.id });
    log.info({ migration: m.id }, 'migration applied');
    done.push(m.id);
  }
  return done;
}
