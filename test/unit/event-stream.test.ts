import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EventFilter, EventLogReader, EventRecord } from '../../src/events/event-record.js';
import { assertEventFilter, matches } from '../../src/events/event-record.js';
import { eventStream } from '../../src/events/event-stream.js';
import { EventTailer } from '../../src/events/tailer.js';
import { createLogger } from '../../src/logger.js';

/** An in-memory event log with the reader's contract; `gate` lets a test interleave appends with reads. */
class MemoryLog {
  events: EventRecord[] = [];
  gate: (() => Promise<void>) | null = null;
  append(modelName: string): void {
    const sequence = String(this.events.length + 1);
    this.events.push({
      sequence,
      type: 'ALIAS_SET',
      at: new Date().toISOString(),
      actor: 't',
      modelName,
      version: 1,
      alias: 'a',
      subjectId: null,
      before: null,
      after: null,
    });
  }
  reader(gated = false): EventLogReader {
    return {
      readAfter: async (after: string, filter: EventFilter = {}, limit = 500) => {
        if (gated) await this.gate?.();
        return this.events.filter((e) => BigInt(e.sequence) > BigInt(after) && matches(e, filter)).slice(0, limit);
      },
      lastSequence: async () => String(this.events.length),
    } as unknown as EventLogReader;
  }
}

const log = createLogger('silent');

describe('eventStream: replay, then live, with no gap and no duplicate at the seam', () => {
  it('yields exactly the matching events after `after`, in order, whatever the interleaving', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 30 }), // events before subscribing
        fc.integer({ min: 0, max: 30 }), // events appended while the stream replays and runs
        fc.nat({ max: 30 }), // resume point
        fc.integer({ min: 1, max: 8 }), // buffer bound (small: forces the catch-up path)
        fc.array(fc.boolean(), { maxLength: 80 }), // when the tailer polls
        async (before, during, afterRaw, maxQueued, polls) => {
          const mem = new MemoryLog();
          for (let i = 0; i < before; i++) mem.append(i % 3 === 0 ? 'other' : 'm');
          const tailer = new EventTailer(mem.reader(), 60_000, log);
          await tailer.start();
          const after = String(Math.min(afterRaw, before));
          let pending = during;
          let p = 0;
          // Every read may first append an event and let the tailer poll: appends land mid-replay.
          mem.gate = async () => {
            if (pending > 0) {
              pending--;
              mem.append(pending % 4 === 0 ? 'other' : 'm');
            }
            if (polls[p++ % Math.max(polls.length, 1)]) await tailer.poll();
          };
          const stream = eventStream({
            tailer,
            reader: mem.reader(true),
            filter: { modelName: 'm' },
            after,
            maxQueued,
            onOverflow: () => undefined,
          });
          const got: string[] = [];
          const expected = () =>
            mem.events.filter((e) => e.modelName === 'm' && BigInt(e.sequence) > BigInt(after)).map((e) => e.sequence);
          const settled = () => pending === 0 && got.length >= expected().length;
          while (!settled()) {
            const next = stream.next();
            // Keep the log moving while the consumer waits for a live event.
            let arrived = false;
            while (
              !(arrived = await Promise.race([
                next.then(() => true),
                new Promise<boolean>((r) => setImmediate(() => r(false))),
              ]))
            ) {
              if (pending > 0) {
                pending--;
                mem.append('m');
              }
              await tailer.poll();
              if (settled()) break;
            }
            if (!arrived) break;
            const r = await next;
            if (r.done) break;
            got.push(r.value.sequence);
          }
          await stream.return!();
          await tailer.stop();
          expect(got).toEqual(expected());
        },
      ),
      { numRuns: 150, interruptAfterTimeLimit: 20_000, markInterruptAsFailure: true, timeout: 2000 },
    );
  });

  it('a stream waiting for a live event ends at once on return()', async () => {
    const mem = new MemoryLog();
    const tailer = new EventTailer(mem.reader(), 60_000, log);
    const stream = eventStream({
      tailer,
      reader: mem.reader(),
      filter: {},
      after: null,
      maxQueued: 10,
      onOverflow: () => undefined,
    });
    const next = stream.next();
    await new Promise((r) => setImmediate(r));
    await stream.return!();
    expect(await next).toEqual({ done: true, value: undefined });
    await tailer.stop();
  });
});

describe('assertEventFilter: a subscription filter that could never match is refused', () => {
  it('accepts names the registry allows and event type names', () => {
    expect(() =>
      assertEventFilter({ modelName: 'fraud/v2.x_y-z', alias: 'production', types: ['ALIAS_SET', 'TEST_BIG_1A2B'] }),
    ).not.toThrow();
    expect(() => assertEventFilter({})).not.toThrow();
  });
  it.each([
    [{ modelName: "'}) DETACH DELETE n //" }, 'modelName'],
    [{ modelName: '' }, 'modelName'],
    [{ modelName: 'm', alias: 'a`b' }, 'alias'],
    [{ modelName: 'm', alias: 'latest' }, 'alias'],
    [{ types: ['alias_set'] }, 'types'],
    [{ types: ['ALIAS_SET', '$name'] }, 'types'],
    [{ types: Array.from({ length: 101 }, () => 'ALIAS_SET') }, 'types'],
  ] as [EventFilter, string][])('%j → BAD_USER_INPUT on %s', (filter, field) => {
    expect(() => assertEventFilter(filter)).toThrow(
      expect.objectContaining({ code: 'BAD_USER_INPUT', details: { field } }),
    );
  });
});
