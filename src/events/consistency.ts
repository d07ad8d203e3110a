import { DomainError, ErrorCode } from '../errors.js';
import { parseSequence, seq } from './event-record.js';

/** Where a replica stands in the event log, and how to make it look again now. */
export interface AppliedPosition {
  /** The last sequence whose effects every answer of this replica reflects (null before it knows). */
  applied(): string | null;
  /** Reads the log now rather than at the next poll. */
  pollNow(): void;
  /** Registers a callback for every advance of `applied()`. */
  onAdvance(listener: () => void): () => void;
  /** Whether some answers come from memory fed by the log (the alias view), which shows a write only once applied. */
  fromMemory(): boolean;
}

interface Waiter {
  min: bigint;
  resolve(): void;
}

/**
 * Read-your-writes across replicas: a request carrying a consistency token
 * (`Pedigree-Min-Sequence: N`, the sequence a write committed at, on any
 * replica) is answered only once this replica has applied N, or refused with
 * UNAVAILABLE after `waitMs` (HTTP 503, `Retry-After`), never with
 * an answer older than the token. Without a token, an answer is at most one
 * event poll (PEDIGREE_EVENT_POLL_MS) behind the log.
 *
 * Relies on the event log's order: sequences commit in increasing order with
 * no gap, so "applied N" means every write up to N is reflected
 * (docs/events.md).
 */
export class ConsistencyGate {
  private readonly waiters = new Set<Waiter>();

  constructor(
    private readonly position: AppliedPosition,
    /** Longest wait for a token before UNAVAILABLE (ms). */
    readonly waitMs: number,
  ) {
    position.onAdvance(() => this.wake());
  }

  /** The sequence every answer of this replica reflects now. */
  applied(): string | null {
    return this.position.applied();
  }

  /**
   * Resolves once the replica has applied `minSequence` (a decimal string;
   * BAD_USER_INPUT if it is not one). Throws UNAVAILABLE when that
   * takes longer than the configured wait.
   */
  async waitFor(minSequence: string, field = 'Pedigree-Min-Sequence'): Promise<void> {
    const min = seq(parseSequence(minSequence, field));
    if (this.reached(min)) return;
    this.position.pollNow();
    let timer: NodeJS.Timeout | undefined;
    const waiter: Waiter = { min, resolve: () => undefined };
    try {
      await new Promise<void>((resolve, reject) => {
        waiter.resolve = resolve;
        this.waiters.add(waiter);
        timer = setTimeout(() => reject(this.unavailable(min, field)), this.waitMs);
        // It may have advanced between the check above and now.
        if (this.reached(min)) resolve();
      });
    } finally {
      clearTimeout(timer);
      this.waiters.delete(waiter);
    }
  }

  /**
   * Read-your-writes on the replica that wrote: a write's answer is sent once
   * this replica's answers reflect it (`sequence` is the write's token), so a
   * client reading back through the same replica needs no token. Never
   * throws: after the configured wait the write is acknowledged anyway (it
   * committed), and a token then still works.
   */
  async settle(sequence: string | null): Promise<void> {
    if (sequence === null || !this.position.fromMemory()) return;
    try {
      await this.waitFor(sequence);
    } catch {
      // acknowledged without it: see above
    }
  }

  private reached(min: bigint): boolean {
    const at = this.position.applied();
    return at !== null && seq(at) >= min;
  }

  private wake(): void {
    for (const w of this.waiters) if (this.reached(w.min)) w.resolve();
  }

  private unavailable(min: bigint, field: string): DomainError {
    const applied = this.position.applied();
    return new DomainError(
      ErrorCode.UNAVAILABLE,
      `this replica has applied the event log up to sequence ${applied ?? 'none yet'}, not yet ${min} (the consistency token sent as ${field}) after waiting ${this.waitMs} ms; retry shortly (Retry-After), or ask the replica that wrote it`,
      { retryable: true, minSequence: min.toString(), appliedSequence: applied, retryAfterMs: 1000 },
    );
  }
}
