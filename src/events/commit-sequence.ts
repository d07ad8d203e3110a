import { AsyncLocalStorage } from 'node:async_hooks';
import { Executor, type Tx, type WriteOptions } from '../graph/executor.js';
import { seq } from './event-record.js';

/**
 * Consistency tokens: the sequence a request's writes committed at.
 *
 * A transport runs each request inside {@link withCommitSequences}; every
 * write transaction the request starts is tracked, and every event its work
 * appends (`appendEvent`) is recorded against the attempt that appended it.
 * A write's work may run more than once (the driver retries transient
 * failures; a group commit that fails replays its writes), and a rolled-back
 * attempt's sequences are reused by later transactions, so only the last
 * attempt of a write that resolved counts: the one that committed. The token
 * is the highest such sequence: a replica that has applied it has applied
 * everything the request wrote.
 */
export class CommitSequences {
  private readonly writes: Write[] = [];

  /** The request's token: the highest sequence its committed writes appended, or null when it committed none. */
  get sequence(): string | null {
    let max: bigint | null = null;
    for (const w of this.writes) {
      if (!w.committed || w.last === null || w.last.max === null) continue;
      if (max === null || w.last.max > max) max = w.last.max;
    }
    return max === null ? null : max.toString();
  }

  /** @internal a write transaction of this request begins. */
  begin(): Write {
    const w = new Write();
    this.writes.push(w);
    return w;
  }
}

class Write {
  last: Attempt | null = null;
  committed = false;

  attempt(): Attempt {
    this.last = new Attempt();
    return this.last;
  }
}

class Attempt {
  max: bigint | null = null;

  record(sequence: string): void {
    const n = seq(sequence);
    if (this.max === null || n > this.max) this.max = n;
  }
}

const scope = new AsyncLocalStorage<{ request: CommitSequences; attempt: Attempt | null }>();

/** Runs `fn` (one request) collecting the sequences its writes commit at. */
export function withCommitSequences<T>(sequences: CommitSequences, fn: () => T): T {
  return scope.run({ request: sequences, attempt: null }, fn);
}

/** The current request's collector, if any (a transport reads the token from it before answering). */
export function currentCommitSequences(): CommitSequences | null {
  return scope.getStore()?.request ?? null;
}

/** Called by appendEvent with the sequence the event was given in the current attempt. */
export function recordAppended(sequence: string): void {
  scope.getStore()?.attempt?.record(sequence);
}

/**
 * The request executor: every write transaction started inside a request's
 * scope is tracked for its consistency token. The work runs with that
 * request's scope even when a group commit runs it from another request's
 * call (src/graph/executor.ts), so events are recorded where they belong.
 * Background executors (`sibling()`) are plain executors.
 */
export class CommitTrackingExecutor extends Executor {
  override writeTx<R>(work: (tx: Tx) => Promise<R>, label: string, options?: WriteOptions): Promise<R> {
    const current = scope.getStore();
    if (!current) return super.writeTx(work, label, options);
    const request = current.request;
    const write = request.begin();
    return super
      .writeTx((tx) => scope.run({ request, attempt: write.attempt() }, () => work(tx)), label, options)
      .then((result) => {
        write.committed = true;
        return result;
      });
  }
}
