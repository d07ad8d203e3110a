/**
 * Retry schedule for failed webhook deliveries: exponential backoff with full
 * jitter (delay drawn uniformly from [0, min(maxMs, baseMs·2^attempt)]), so
 * endpoints that failed together do not get retried together.
 */

/** After this many failed attempts (the first delivery included) a delivery is dead-lettered. */
export const MAX_ATTEMPTS = 8;

export interface BackoffOptions {
  /** Scale of the first retry. Default 1 000 ms. */
  baseMs?: number;
  /** Cap on any single delay. Default 3 600 000 ms (1 hour). */
  maxMs?: number;
  /** Source of uniform numbers in [0, 1). Default Math.random; inject for determinism. */
  random?: () => number;
}

/**
 * Milliseconds to wait before the next attempt, given `attempt` = how many
 * attempts have failed so far (1 after the first failure; 0 is accepted).
 * Always an integer in [0, min(maxMs, baseMs·2^attempt)].
 */
export function nextAttemptDelayMs(
  attempt: number,
  { baseMs = 1000, maxMs = 3_600_000, random = Math.random }: BackoffOptions = {},
): number {
  if (!Number.isInteger(attempt) || attempt < 0) {
    throw new RangeError(`attempt must be a non-negative integer, got ${attempt}`);
  }
  if (!(baseMs >= 0) || !(maxMs >= 0)) {
    throw new RangeError(`baseMs and maxMs must be non-negative, got ${baseMs} and ${maxMs}`);
  }
  // 2 ** attempt overflows to Infinity for huge attempts; min() absorbs it (0 · Infinity would be NaN).
  const ceiling = baseMs === 0 ? 0 : Math.min(maxMs, baseMs * 2 ** attempt);
  if (!Number.isFinite(ceiling)) throw new RangeError('maxMs must be finite when baseMs is not 0');
  // Clamp so a misbehaving random source cannot push the delay out of bounds.
  const raw = random();
  const r = Number.isFinite(raw) ? Math.min(Math.max(raw, 0), 1) : 0;
  return Math.floor(r * ceiling);
}
