import type { Logger } from '../logger.js';
import { type EventLogReader, type EventRecord, seq } from './event-record.js';

export type EventListener = (event: EventRecord) => void;

const BATCH = 500;

/**
 * One per process: tails the event log by sequence and fans each committed
 * event out to in-process listeners, in sequence order, exactly once.
 *
 * It polls every `pollMs` (events written by other replicas) and polls at once
 * when `notifyCommitted()` says a local write has committed. Appends hold the
 * global counter lock until commit, so commit order is sequence order and
 * reading "sequence > last seen" never skips an event that commits later.
 */
export class EventTailer {
  private readonly listeners = new Set<EventListener>();
  private last: string | null = null;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private polling: Promise<void> | null = null;
  private again = false;
  private started: Promise<void> | null = null;
  /** Completed polls since start: subscribers use it to tell a burst (one poll) from a stuck consumer. */
  drains = 0;

  constructor(
    private readonly reader: EventLogReader,
    private readonly pollMs: number,
    private readonly log: Logger,
  ) {}

  /** Starts tailing from the newest committed event. Idempotent. */
  start(): Promise<void> {
    this.started ??= (async () => {
      this.running = true;
      for (;;) {
        try {
          this.last = await this.reader.lastSequence();
          break;
        } catch (err) {
          if (!this.running) return;
          this.log.warn({ err }, 'event tailer cannot read the log yet; retrying');
          await new Promise((r) => setTimeout(r, this.pollMs));
        }
      }
      this.schedule();
    })();
    return this.started;
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.polling;
  }

  /** The last sequence fanned out (or the start position), null before start. */
  get position(): string | null {
    return this.last;
  }

  /** Listeners get every event committed after they subscribe (plus possibly a few just before). */
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A local write committed: read the log now rather than at the next tick. */
  notifyCommitted(): void {
    if (!this.running || this.last === null) return;
    void this.poll();
  }

  /** Polls now and resolves when every event committed before the call has been fanned out. */
  poll(): Promise<void> {
    if (this.polling) {
      this.again = true;
      return this.polling;
    }
    this.polling = (async () => {
      try {
        do {
          this.again = false;
          await this.drain();
        } while (this.again && this.running);
      } catch (err) {
        this.log.warn({ err }, 'event tailer poll failed; retrying at the next tick');
      } finally {
        this.polling = null;
      }
    })();
    return this.polling;
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      void this.poll().finally(() => this.schedule());
    }, this.pollMs);
    this.timer.unref();
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (this.last === null) return;
      const batch = await this.reader.readAfter(this.last, {}, BATCH);
      for (const event of batch) {
        // A batch read concurrently with a newer one cannot go backwards: guard anyway.
        if (seq(event.sequence) <= seq(this.last)) continue;
        this.last = event.sequence;
        for (const listener of this.listeners) {
          try {
            listener(event);
          } catch (err) {
            this.log.error({ err }, 'event listener failed');
          }
        }
      }
      if (batch.length < BATCH) break;
    }
    this.drains++;
  }
}
