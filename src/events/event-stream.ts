import { type EventFilter, type EventLogReader, type EventRecord, matches, seq } from './event-record.js';
import type { EventTailer } from './tailer.js';

export interface EventStreamOptions {
  tailer: EventTailer;
  reader: EventLogReader;
  filter: EventFilter;
  /** Replay events after this sequence first; null: live events only. */
  after: string | null;
  /** Live events held while the consumer is behind; past this the stream ends and `onOverflow` runs. */
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
 * `return()` ends a stream that is waiting for an event at once (a plain async
 * generator would only notice at its next event).
 */
export function eventStream(opts: EventStreamOptions): AsyncIterableIterator<EventRecord> {
  const state: State = { closed: false, wake: null };
  const gen = run(opts, state);
  return {
    next: () => gen.next(),
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
}

async function* run(opts: EventStreamOptions, state: State): AsyncGenerator<EventRecord, void, undefined> {
  const { tailer, reader, filter, maxQueued } = opts;
  const buffer: EventRecord[] = [];
  let overflowed = false;
  const unsubscribe = tailer.subscribe((event) => {
    if (overflowed || !matches(event, filter)) return;
    if (buffer.length >= maxQueued) overflowed = true;
    else buffer.push(event);
    state.wake?.();
  });
  try {
    await tailer.start();
    let last: string | null = opts.after;
    if (last !== null) {
      for (;;) {
        const batch = await reader.readAfter(last, filter, REPLAY_BATCH);
        for (const event of batch) {
          if (state.closed) return;
          last = event.sequence;
          yield event;
        }
        if (batch.length < REPLAY_BATCH) break;
      }
    }
    while (!state.closed) {
      if (overflowed) {
        opts.onOverflow(buffer.length);
        return;
      }
      const event = buffer.shift();
      if (event) {
        if (last !== null && seq(event.sequence) <= seq(last)) continue;
        last = event.sequence;
        yield event;
        continue;
      }
      await new Promise<void>((resolve) => (state.wake = resolve));
      state.wake = null;
    }
  } finally {
    unsubscribe();
  }
}
