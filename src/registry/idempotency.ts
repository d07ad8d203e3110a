import { createHash } from 'node:crypto';
import { conflict } from '../errors.js';
import { statement } from '../graph/cypher.js';
import type { Tx } from '../graph/executor.js';
import { assertText } from './validation.js';

const Q = {
  get: statement('registry/get-idempotency-key'),
  put: statement('registry/put-idempotency-key'),
  getMany: statement('registry/get-idempotency-keys'),
  putMany: statement('registry/put-idempotency-keys'),
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
  return createHash('sha256')
    .update(JSON.stringify(canonical(input)))
    .digest('hex');
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
  if (operation.includes(':') || principal.includes(':'))
    throw new Error(`idempotency scope "${operation}" / "${principal}" must not contain ":"`);
  return `${operation}:${principal}:${key}`;
}

/**
 * Looks up an earlier create by `principal` under `key`. Returns its result id
 * when the input is the same, throws CONFLICT when it differs, null when unused.
 */
export async function findIdempotent(
  tx: Tx,
  operation: string,
  principal: string,
  key: string,
  hash: string,
): Promise<string | null> {
  assertText(key, 'idempotencyKey', 200);
  const [row] = await tx.run<{ inputHash: string; resultId: string }>(Q.get, {
    key: scopedKey(operation, principal, key),
  });
  if (!row) return null;
  if (row.inputHash !== hash) throw reusedKey(key, operation);
  return row.resultId;
}

/** Records a create's result under `principal`'s key, in the create's own transaction. */
export async function recordIdempotent(
  tx: Tx,
  operation: string,
  principal: string,
  key: string,
  hash: string,
  resultId: string,
): Promise<void> {
  await tx.run(Q.put, { key: scopedKey(operation, principal, key), principal, inputHash: hash, resultId });
}

/** A create's key as the batch statements take it. */
export interface KeyedCreate {
  operation: string;
  principal: string;
  key: string;
  hash: string;
}

/**
 * {@link findIdempotent} for several creates in one statement: for each, its
 * earlier result id, a CONFLICT error when the key was used for a different
 * input, or null when unused. Errors are returned, not thrown, so a batch can
 * answer each item for itself.
 */
export async function findIdempotentMany(tx: Tx, creates: readonly KeyedCreate[]): Promise<(string | Error | null)[]> {
  if (creates.length === 0) return [];
  const keys = creates.map((c) => scopedKey(c.operation, c.principal, c.key));
  const rows = await tx.run<{ key: string; inputHash: string; resultId: string }>(Q.getMany, { keys });
  const found = new Map(rows.map((r) => [r.key, r]));
  return creates.map((c, i) => {
    const row = found.get(keys[i]!);
    if (!row) return null;
    return row.inputHash === c.hash ? row.resultId : reusedKey(c.key, c.operation);
  });
}

/** {@link recordIdempotent} for several creates in one statement. */
export async function recordIdempotentMany(
  tx: Tx,
  creates: readonly (KeyedCreate & { resultId: string })[],
): Promise<void> {
  if (creates.length === 0) return;
  await tx.run(Q.putMany, {
    keys: creates.map((c) => ({
      key: scopedKey(c.operation, c.principal, c.key),
      principal: c.principal,
      inputHash: c.hash,
      resultId: c.resultId,
    })),
  });
}

function reusedKey(key: string, operation: string): Error {
  return conflict(`idempotencyKey "${key}" was already used by you for a different ${operation} input`, {
    field: 'idempotencyKey',
  });
}
