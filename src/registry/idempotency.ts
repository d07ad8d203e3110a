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
 * Where a key is stored: `<operation>:<principal>:<key>`. Idempotency keys are
 * scoped to the principal who sends them, so another principal's same key is
 * another key: it can neither replay your result nor claim your key first.
 * Neither operations nor principal names (token names) contain ":", so the
 * form is unambiguous; migration 080 gave keys stored before to the principal
 * who created their result.
 */
export function scopedKey(operation: string, principal: string, key: string): string {
  if (operation.includes(':') || principal.includes(':')) throw new Error(`idempotency scope "${operation}" / "${principal}" must not contain ":"`);
  return `${operation}:${principal}:${key}`;
}

/**
 * Looks up an earlier create by `principal` under `key`. Returns its result id
 * when the input is the same, throws CONFLICT when it differs, null when unused.
 */
export async function findIdempotent(tx: Tx, operation: string, principal: string, key: string, hash: string): Promise<string | null> {
  assertText(key, 'idempotencyKey', 200);
  const [row] = await tx.run<{ inputHash: string; resultId: string }>(Q.get, { key: scopedKey(operation, principal, key) });
  if (!row) return null;
  if (row.inputHash !== hash) {
    throw conflict(`idempotencyKey "${key}" was already used by you for a different ${operation} input`, { field: 'idempotencyKey' });
  }
  return row.resultId;
}

/** Records a create's result under `principal`'s key, in the create's own transaction. */
export async function recordIdempotent(tx: Tx, operation: string, principal: string, key: string, hash: string, resultId: string): Promise<void> {
  await tx.run(Q.put, { key: scopedKey(operation, principal, key), principal, inputHash: hash, resultId });
}
