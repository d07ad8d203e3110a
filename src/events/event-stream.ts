import { type EventFilter, type EventLogReader, type EventRecord, matches, seq } from './event-record.js';
import type { EventTailer } from './tailer.js';

export interface EventStreamOptions {
  tailer: EventTailer;
  reader: EventLogReader;
  filter: EventFilter;
  /** Replay events after this sequence first; null: live events only. */
  after: string | null;
  /**
   * Live events held while the consumer is behind; past this it catches up from the log, and `onOverflow` runs if it is
   * stuck.
   */
  maxQueued: number;
  onOverflow: (queued: number) => void;
}

const REPLAY_BATCH = 500;

/**
 * A subscription's events: with `after`, the events after it replayed from the
 * log, then live ones, each exactly once and in sequence order. The live
 * listener is attached before the replay reads the log and buffers meanwhile;
 * after the replay the buffer is drained skipping what the replay already
 * gave, so the seam has neither a gap nor a duplicate.
 *
 * Memory is bounded by `maxQueued` events: past it the buffer is dropped and
 * the stream catches up from the log; a consumer that stays stuck meanwhile
 * gets `onOverflow` (the transport closes it; it resumes with `after`).
 *
 * `return()` ends a stream that is waiting for an event at once (a plain async
 * generator would only notice at its next event).
 */
export function eventStream(opts: EventStreamOptions): AsyncIterableIterator<EventRecord> {
  const state: State = { closed: false, wake: null, progress: 0 };
  const gen = run(opts, state);
  return {
    next: () => {
      state.progress++;
      return gen.next();
    },
    return: async (value?: unknown) => {
      state.closed = true;
      state.wake?.();
      return gen.return(value as undefined);
    },
    throw: (err?: unknown) => gen.throw(err),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

interface State {
  closed: boolean;
  wake: (() => void) | null;
  /** Pulls by the consumer and log reads completed: a consumer making none is stuck. */
  progress: number;
}

async function* run(opts: EventStreamOptions, state: State): AsyncGenerator<EventRecord, void, undefined> {
  const { tailer, reader, filter, maxQueued } = opts;
  const buffer: EventRecord[] = [];
  // A full buffer is dropped and the stream reads on from the log, which has
  // every dropped event: memory stays bounded and nothing is lost. A consumer
  // that makes no progress while two more polls' worth of events pile up is
  // stuck (its socket does not drain): it is told at once, since it may never pull again.
  let missed = false;
  let missedAt = { progress: 0, drains: 0 };
  let stuck = false;
  const unsubscribe = tailer.subscribe((event) => {
    if (stuck || !matches(event, filter)) return;
    if (missed) {
      if (state.progress === missedAt.progress && tailer.drains > missedAt.drains + 1) {
        stuck = true;
        opts.onOverflow(maxQueued);
        state.wake?.();
      }
      return;
    }
    if (buffer.length >= maxQueued) {
      missed = true;
      missedAt = { progress: state.progress, drains: tailer.drains };
      buffer.length = 0;
    } else {
      buffer.push(event);
    }
    state.wake?.();
  });
  // Live-only streams start where the tailer is when they attach: everything after it reaches the listener.
  let position = tailer.position;
  try {
    await tailer.start();
    position ??= tailer.position;
    let last: string | null = opts.after;
    let catchUp = last !== null;
    while (!state.closed && !stuck) {
      if (catchUp) {
        // Replay from the log until a full pass ends with nothing dropped meanwhile.
        do {
          missed = false;
          for (;;) {
            const batch = await reader.readAfter(last ?? position ?? '0', filter, REPLAY_BATCH);
            state.progress++;
            for (const event of batch) {
              if (state.closed || stuck) return;
              last = event.sequence;
              yield event;
            }
            if (batch.length < REPLAY_BATCH) break;
          }
        } while (missed && !state.closed && !stuck);
        catchUp = false;
      }
      const event = buffer.shift();
      if (event) {
        if (last !== null && seq(event.sequence) <= seq(last)) continue;
        last = event.sequence;
        yield event;
        continue;
      }
      if (missed) {
        catchUp = true;
        continue;
      }
      await new Promise<void>((resolve) => (state.wake = resolve));
      state.wake = null;
    }
  } finally {
    unsubscribe();
  }
}
