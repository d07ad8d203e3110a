import { AsyncLocalStorage } from 'node:async_hooks';
import { Executor, type Tx, type WriteOptions } from '../graph/executor.js';
import { seq } from './event-record.js';

/**
 * Consistency tokens: the sequence a request's writes committed at.
 *
 * A transport runs each request inside {@link withCommitSequences}. Every
 * write transaction the request starts reports, once it has committed, the
 * highest event sequence its transaction appended (the executor reads it from
 * the append statement of the attempt that committed: a rolled-back attempt's
 * sequences are given out again, so they never count). A write carried in a
 * group commit shares the group's transaction, and so its sequence: the
 * group's events commit together, so a replica that has applied that sequence
 * has applied the write. The token is the highest of the request's writes.
 */
export class CommitSequences {
  private max: bigint | null = null;

  /** The request's token: the highest sequence its committed writes appended, or null when they appended none. */
  get sequence(): string | null {
    return this.max === null ? null : this.max.toString();
  }

  /** @internal one of the request's writes committed, its transaction having appended up to `sequence`. */
  committed(sequence: string | null): void {
    if (sequence === null) return;
    const n = seq(sequence);
    if (this.max === null || n > this.max) this.max = n;
  }
}

const scope = new AsyncLocalStorage<CommitSequences>();

/** Runs `fn` (one request) collecting the sequences its writes commit at. */
export function withCommitSequences<T>(sequences: CommitSequences, fn: () => T): T {
  return scope.run(sequences, fn);
}

/** The current request's collector, if any (a transport reads the token from it before answering). */
export function currentCommitSequences(): CommitSequences | null {
  return scope.getStore() ?? null;
}

/**
 * The request executor: every write transaction started inside a request's
 * scope reports its commit sequence to that request. The request is taken
 * when the write is asked for (in the caller's own async context), not where
 * the work runs: a group commit runs many callers' work, batched ones in one
 * statement, from whichever call started the group.
 * Background executors (`sibling()`) are plain executors.
 */
export class CommitTrackingExecutor extends Executor {
  override async writeTx<R>(work: (tx: Tx) => Promise<R>, label: string, options?: WriteOptions<R>): Promise<R> {
    const request = currentCommitSequences();
    const { value, sequence } = await this.writeCommitted(work, label, options);
    request?.committed(sequence);
    return value;
  }
}
