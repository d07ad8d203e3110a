import { badInput, DomainError } from '../errors.js';
import type { Outcome } from '../graph/executor.js';

/** Most items one bulk call (createModelVersions, setModelVersionTags) carries. */
export const MAX_BULK = 1000;

/** BAD_USER_INPUT when a bulk call's list `field` carries more than MAX_BULK `what`. */
export function assertBulkSize(count: number, field: string, what: string): void {
  if (count > MAX_BULK)
    throw badInput(`at most ${MAX_BULK} ${what} per call; got ${count}`, {
      field,
      limit: MAX_BULK,
    });
}

/** An item's outcome as its single mutation answers it: its value, or its error thrown. */
export function settle<R>(o: Outcome<R>): R {
  if (o.ok) return o.value;
  throw o.error;
}

/**
 * All of a bulk call's items, or the first item's error, naming it (`inputs[3]: …`): the transaction then rolls back.
 */
export function allOrNothing<R>(field: string, outcomes: readonly Outcome<R>[]): R[] {
  const failed = outcomes.findIndex((o) => !o.ok);
  if (failed >= 0) throw forItem(field, failed, (outcomes[failed] as { error: unknown }).error);
  return outcomes.map((o) => (o as { value: R }).value);
}

/**
 * A domain error of item `i` of a bulk call's list `field`, its message prefixed with the item; anything else
 * unchanged.
 */
function forItem(field: string, i: number, err: unknown): unknown {
  if (!(err instanceof DomainError)) return err;
  return new DomainError(err.code, `${field}[${i}]: ${err.message}`, { ...err.details, item: i });
}

export function atItem(field: string, i: number, check: () => void): void {
  try {
    check();
  } catch (err) {
    throw forItem(field, i, err);
  }
}

export async function atItemAsync<R>(field: string, i: number, run: () => Promise<R>): Promise<R> {
  try {
    return await run();
  } catch (err) {
    throw forItem(field, i, err);
  }
}

/** `fn` over `items` with at most `limit` calls in flight; results in input order. */
export async function mapConcurrently<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
