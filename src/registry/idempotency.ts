import { createHash } from 'node:crypto';
import { conflict } from '../errors.js';
import { statement } from '../graph/cypher.js';
import type { Tx } from '../graph/executor.js';
import { assertText } from './validation.js';

const Q = {
  get: statement('registry/get-idempotency-key'),
  put: statement('registry/put-idempotency-key'),
};

/** Stable hash of a create's input (keys sorted), without the key itself. */
export function inputHash(input: Record<string, unknown>): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v && typeof v === 'object' && !(v instanceof Date)
        ? Object.fromEntries(
            Object.keys(v as object)
              .filter((k) => k !== 'idempotencyKey' && (v as Record<string, unknown>)[k] !== undefined)
              .sort()
              .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
          )
        : v instanceof Date
          ? v.toISOString()
          : v;
  return createHash('sha256').update(JSON.stringify(canonical(input))).digest('hex');
}

/**
 * Looks up an earlier create under `operation:key`. Returns its result id when
 * the input is the same, throws CONFLICT when it differs, null when unused.
 */
export async function findIdempotent(tx: Tx, operation: string, key: string, hash: string): Promise<string | null> {
  assertText(key, 'idempotencyKey', 200);
  const [row] = await tx.run<{ inputHash: string; resultId: string }>(Q.get, { key: `${operation}:${key}` });
  if (!row) return null;
  if (row.inputHash !== hash) {
    throw conflict(`idempotencyKey "${key}" was already used for a different ${operation} input`, { field: 'idempotencyKey' });
  }
  return row.resultId;
}

/** Records a create's result under its key, in the create's own transaction. */
export async function recordIdempotent(tx: Tx, operation: string, key: string, hash: string, resultId: string): Promise<void> {
  await tx.run(Q.put, { key: `${operation}:${key}`, inputHash: hash, resultId });
}
