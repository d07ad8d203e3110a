import type { Config } from '../config.js';
import type { Executor } from '../graph/executor.js';
import type { Logger } from '../logger.js';
import {
  assertEventFilter,
  EventLogReader,
  type EventFilter,
  type EventRecord,
  parseSequence,
} from './event-record.js';
import { eventStream } from './event-stream.js';
import { eventForReader, type EventReader, type VisibleEvent } from './event-visibility.js';
import { EventTailer } from './tailer.js';
import { WebhookDispatcher, type DeliveryFormat } from './webhooks/dispatcher.js';
import type { WebhookTargetPolicy } from './webhooks/ssrf.js';
import { WebhookService } from './webhooks/webhook.service.js';

export interface SubscribeOptions {
  /** Who reads: decides what of each event is shown (src/events/event-visibility.ts). */
  reader: EventReader;
  /** Replay events after this sequence (a decimal string) first; null or absent: live only. */
  after?: string | null;
  /** Live events held for a consumer that is behind; default config.wsMaxQueuedEvents. */
  maxQueued?: number;
  /** Called when the consumer fell more than `maxQueued` events behind; the stream then ends. */
  onOverflow?: (queued: number) => void;
}

/**
 * Live events for this process: the tailer (commit-ordered fan-out of the
 * event log), subscription streams with replay, and webhooks. `start()` runs
 * with the server and `stop()` with its drain.
 */
export class EventsService {
  readonly reader: EventLogReader;
  readonly tailer: EventTailer;
  readonly webhooks: WebhookService;
  readonly dispatcher: WebhookDispatcher;
  private unsubscribeDispatcher: (() => void) | null = null;
  private readonly maxQueued: number;

  private readonly formats: readonly DeliveryFormat[];

  /** `formats`: delivery bodies besides Standard Webhooks' (OpenLineage emission), each with its webhook. */
  constructor(executor: Executor, config: Config, log: Logger, formats: readonly DeliveryFormat[] = []) {
    this.formats = formats;
    const elog = log.child({ component: 'events' });
    this.maxQueued = config.wsMaxQueuedEvents;
    // Background reads and writes (polls, replays, delivery bookkeeping) go
    // through their own executor on the same driver, so they do not count in
    // the request executor's statement budget, nor nudge the tailer themselves.
    const background = executor.sibling(elog);
    this.reader = new EventLogReader(background);
    this.tailer = new EventTailer(this.reader, config.eventPollMs, elog);
    const policy = (): WebhookTargetPolicy => ({
      allowPrivate: config.webhooks.allowPrivate,
      allowHosts: config.webhooks.allowHosts.length ? config.webhooks.allowHosts : undefined,
    });
    this.webhooks = new WebhookService(executor, policy, config.signingSecret);
    this.dispatcher = new WebhookDispatcher(
      background,
      this.reader,
      {
        policy,
        backoffBaseMs: config.webhooks.backoffBaseMs,
        backoffMaxMs: config.webhooks.backoffMaxMs,
        timeoutMs: config.webhooks.timeoutMs,
        tickMs: Math.max(config.eventPollMs, 50),
        signingSecret: config.signingSecret,
        formats,
      },
      elog,
    );
    // Any committed write through this executor nudges the tailer: local
    // mutations reach local subscribers without waiting for a poll.
    executor.afterCommit.add(() => this.notifyCommitted());
  }

  async start(): Promise<void> {
    for (const f of this.formats) await f.prepare?.();
    await this.tailer.start();
    this.unsubscribeDispatcher ??= this.tailer.subscribe(() => void this.dispatcher.kick());
    this.dispatcher.start();
  }

  async stop(): Promise<void> {
    this.unsubscribeDispatcher?.();
    this.unsubscribeDispatcher = null;
    await Promise.all([this.tailer.stop(), this.dispatcher.stop()]);
  }

  /** Call after a write that appended an event has committed; cheap and safe to call often. */
  notifyCommitted(): void {
    this.tailer.notifyCommitted();
  }

  /**
   * The events matching `filter`, exactly once and in sequence order: with
   * `after`, the missed ones from the log first, then live ones.
   * Throws BAD_USER_INPUT for an `after` that is not a sequence, and for a
   * filter that could never match (see assertEventFilter).
   */
  subscribe(filter: EventFilter, opts: SubscribeOptions): AsyncIterableIterator<VisibleEvent> {
    assertEventFilter(filter);
    const after = opts.after === null || opts.after === undefined ? null : parseSequence(opts.after);
    const stream = eventStream({
      tailer: this.tailer,
      reader: this.reader,
      filter,
      after,
      maxQueued: opts.maxQueued ?? this.maxQueued,
      onOverflow: opts.onOverflow ?? (() => undefined),
    });
    return viewOf(stream, (e) => eventForReader(e, opts.reader));
  }

  /** Events after `after` matching `filter`, oldest first (at most `limit`), as `reader` may see them. */
  async read(after: string, reader: EventReader, filter: EventFilter = {}, limit = 500): Promise<VisibleEvent[]> {
    return (await this.reader.readAfter(parseSequence(after), filter, limit)).map((e) => eventForReader(e, reader));
  }
}

/** `stream` with each event passed through `view`; return() and throw() reach the stream. */
function viewOf(
  stream: AsyncIterableIterator<EventRecord>,
  view: (e: EventRecord) => VisibleEvent,
): AsyncIterableIterator<VisibleEvent> {
  const mapped = (r: IteratorResult<EventRecord>): IteratorResult<VisibleEvent> =>
    r.done ? { done: true, value: undefined } : { done: false, value: view(r.value) };
  return {
    next: async () => mapped(await stream.next()),
    return: async (value?: unknown) => mapped(await stream.return!(value)),
    throw: async (err?: unknown) => mapped(await stream.throw!(err)),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
