import { statement } from '../../graph/cypher.js';
import type { Executor } from '../../graph/executor.js';
import type { Logger } from '../../logger.js';
import { type EventLogReader, type EventRecord, seq } from '../../events/event-record.js';
import type { EventTailer } from '../../events/tailer.js';
import type { AppliedPosition } from '../../events/consistency.js';
import type { ModelRecord, Tag, VersionRecord } from '../types.js';
import { MAX_TAGS } from '../validation.js';
import { AliasView, type RefreshNeeds, type ViewStats } from './alias-view.js';

const Q = {
  bounds: statement('registry/view-models-bounds'),
  page: statement('registry/view-models-page'),
  versions: statement('registry/view-versions'),
  models: statement('registry/models-by-names'),
};

/** Models per range of the build, keys per refresh statement, and statements in flight at once. */
const PAGE = 2_000;
const KEYS = 2_000;
const IN_FLIGHT = 4;

/**
 * Runs `each` over `items`, IN_FLIGHT at a time (Neo4j answers them on
 * several cores while this process installs the rows); all settle before the
 * first error is thrown, so nothing read here lands after the caller moved on.
 */
async function inFlight<T>(items: readonly T[], each: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await each(items[next++]!);
  };
  const settled = await Promise.allSettled(Array.from({ length: Math.min(IN_FLIGHT, items.length) }, worker));
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

const chunks = <T>(items: readonly T[]): T[][] =>
  Array.from({ length: Math.ceil(items.length / KEYS) }, (_, i) => items.slice(i * KEYS, (i + 1) * KEYS));

export type ViewState = 'off' | 'building' | 'ready' | 'over-budget';

export interface AliasViewOptions {
  enabled: boolean;
  /** Estimated bytes the view may hold; past it the view turns itself off and reads go to Neo4j. */
  maxBytes: number;
  /** Version records kept in the view's cache (least recently used go first). */
  records: number;
}

/** What the registry's lookups ask of the view (src/registry/lookup.ts). */
export interface AliasViewSource {
  /**
   * The view when it can answer now, else null (not built yet, off, over its
   * budget, or not yet through `atLeast`, e.g. this process's own last write): ask Neo4j.
   */
  current(atLeast?: string | null): AliasView | null;
  /** Records a lookup missed (its answer's `fetch`): read them into the view, in the background. */
  want(modelName: string, version: number | null): void;
  /** Lookups answered by the view and sent to Neo4j. */
  readonly lookups: { hit: number; miss: number };
}

/**
 * Builds the alias view and keeps it current, one per process (started and
 * stopped by BackgroundWork, after the event tailer).
 *
 * Build: subscribe to the tailer first (buffering), read the log's last
 * sequence C, then every model's pointers in ranges of names, a few at a
 * time (no record: those are read when first looked up); events after C are
 * then applied on top and the view answers. The snapshot reflects at least
 * every event up to C (an event's sequence is visible only once it committed,
 * and sequences commit in order: docs/events.md), and events it already
 * reflects change nothing when applied again (see AliasView).
 *
 * Then every committed event, in sequence order, as the tailer hands it out:
 * the pointers move and the records it may have changed are dropped, so the
 * position advances at once (every answer reflects at least the position: a
 * lookup the view cannot answer asks Neo4j). The records events and lookups
 * ask for are read behind it, one refresh at a time, guarded against events
 * that overtake the read (AliasView.needs).
 */
export class AliasViewRuntime implements AliasViewSource, AppliedPosition {
  readonly view: AliasView;
  private state: ViewState;
  private through: string | null = null;
  private queue: EventRecord[] = [];
  /** The refresh in flight (one at a time). */
  private refreshing: Promise<void> | null = null;
  private unsubscribe: (() => void) | null = null;
  private readonly advanceListeners = new Set<() => void>();
  private retryTimer: NodeJS.Timeout | undefined;
  /** A refresh failed: events wait for the retry timer rather than hammer the database. */
  private backingOff = false;
  /** Milliseconds the last build took, and the figures it found. */
  lastBuild: { ms: number; models: number; aliases: number } | null = null;
  /** Lookups answered by the view and sent to Neo4j (the registry counts them). */
  readonly lookups = { hit: 0, miss: 0 };

  constructor(
    private readonly executor: Executor,
    private readonly tailer: EventTailer,
    private readonly reader: EventLogReader,
    private readonly options: AliasViewOptions,
    private readonly log: Logger,
  ) {
    this.state = options.enabled ? 'building' : 'off';
    this.view = new AliasView(options.records);
  }

  get status(): ViewState {
    return this.state;
  }

  /** The last sequence applied (null before the build finished, or when the view is off). */
  get position(): string | null {
    return this.state === 'ready' ? this.through : null;
  }

  current(atLeast: string | null = null): AliasView | null {
    if (this.state !== 'ready') return null;
    if (atLeast !== null && (this.through === null || BigInt(this.through) < BigInt(atLeast))) return null;
    return this.view;
  }

  /**
   * The replica's read position (src/events/consistency.ts): what the view
   * has applied while it answers, else what the tailer has read (reads then
   * go to Neo4j, which has every write the tailer has seen).
   */
  applied(): string | null {
    return this.state === 'ready' ? this.through : this.tailer.position;
  }

  fromMemory(): boolean {
    return this.state === 'ready';
  }

  pollNow(): void {
    void this.tailer.poll();
  }

  /** Called after every batch the view installs, and every event the tailer reads while the view does not answer. */
  onAdvance(listener: () => void): () => void {
    this.advanceListeners.add(listener);
    const untail = this.tailer.subscribe(() => {
      if (this.state !== 'ready') listener();
    });
    return () => {
      this.advanceListeners.delete(listener);
      untail();
    };
  }

  /** Building or answering: not stopped, not over its budget. */
  private get running(): boolean {
    return this.state === 'building' || this.state === 'ready';
  }

  /** Whether records are being read, or asked for (the bench and tests wait for it to end). */
  get reading(): boolean {
    return this.refreshing !== null || this.view.pending;
  }

  stats(): ViewStats & { state: ViewState; position: string | null } {
    return { ...this.view.stats(), state: this.state, position: this.position };
  }

  async start(): Promise<void> {
    if (this.state !== 'building' || this.unsubscribe) return;
    this.unsubscribe = this.tailer.subscribe((e) => this.enqueue(e));
    // The build runs beside the server: until it is done, reads go to Neo4j.
    void this.build();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    clearTimeout(this.retryTimer);
    if (this.running) this.state = 'off';
    await this.refreshing;
  }

  private async build(): Promise<void> {
    const started = performance.now();
    for (;;) {
      try {
        this.view.clear();
        const from = await this.reader.lastSequence();
        // Ranges of PAGE models that cover every name up to the greatest, read
        // side by side. A model created after `from` with a greater name is
        // left to its events; one renamed out of a range before it is read is
        // missing from the view, whose lookups then ask Neo4j.
        const [b] = await this.executor.read<{ starts: string[]; last: string | null }>(Q.bounds, { size: PAGE });
        const starts = b?.starts ?? [];
        const ranges = starts.map((start, i) => ({ from: start, to: starts[i + 1] ?? `${b!.last!}\u0000` }));
        let models = 0;
        await inFlight(ranges, async (range) => {
          if (this.state !== 'building') return;
          const rows = await this.executor.read<{
            id: string;
            name: string;
            aliases: [string, number][];
            versions: [number, string][];
          }>(Q.page, range);
          for (const r of rows) this.view.load(r, r.aliases, r.versions);
          models += rows.length;
        });
        if (this.state !== 'building') return;
        // The pointers are in: apply what the tailer read meanwhile, and answer.
        this.through = from;
        const queued = this.queue;
        this.queue = [];
        this.applyEvents(queued);
        if (this.overBudget()) return;
        const stats = this.view.stats();
        const ms = Math.round(performance.now() - started);
        this.lastBuild = { ms, models, aliases: stats.aliases };
        this.state = 'ready';
        this.log.info({ ...this.lastBuild, bytes: stats.bytes, position: this.through }, 'alias view ready');
        for (const listener of this.advanceListeners) listener();
        return;
      } catch (err) {
        if (this.state !== 'building') return;
        this.log.warn({ err }, 'alias view build failed; retrying (reads go to Neo4j meanwhile)');
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  want(modelName: string, version: number | null): void {
    if (this.state !== 'ready') return;
    if (this.view.want(modelName, version)) this.refreshSoon();
  }

  /** Every event the tailer hands out, in sequence order: applied at once, or kept until the snapshot is loaded. */
  private enqueue(e: EventRecord): void {
    if (!this.running) return;
    if (this.through === null) this.queue.push(e);
    else this.applyEvents([e]);
  }

  /**
   * Applies events the snapshot or an earlier call may already reflect (they
   * change nothing then), in sequence order, and advances the position at
   * once: the pointers moved and every record the events may have changed is
   * dropped, so every answer reflects them (a lookup whose record is not back
   * yet asks Neo4j). Waiters (a write's settle, a consistency token) go on
   * now; the records are read again in the background (refreshSoon).
   */
  private applyEvents(events: readonly EventRecord[]): void {
    let last = this.through!;
    for (const e of events) {
      if (seq(e.sequence) <= seq(last)) continue;
      this.view.apply(e);
      last = e.sequence;
    }
    if (last === this.through) return;
    this.through = last;
    if (this.overBudget()) return;
    if (this.state === 'ready') for (const listener of this.advanceListeners) listener();
    this.refreshSoon();
  }

  /**
   * Reads what the view asks for (records events dropped, records lookups
   * missed), one refresh at a time while events go on being applied; a read
   * that an event overtook installs nothing for that model (AliasView.needs).
   * A refresh that fails is retried in a second: answers stay right meanwhile.
   */
  private refreshSoon(): void {
    if (this.refreshing || this.backingOff || !this.running || !this.view.pending) return;
    this.refreshing = (async () => {
      while (this.view.pending && this.running) {
        const needs = this.view.needs();
        try {
          await this.refresh(needs);
        } catch (err) {
          this.log.warn({ err }, 'alias view refresh failed; retrying in 1 s');
          for (const name of [...needs.models, ...needs.versions.map((v) => v.modelName)]) this.view.touch(name);
          this.backingOff = true;
          this.retryTimer = setTimeout(() => {
            this.backingOff = false;
            this.refreshSoon();
          }, 1000);
          this.retryTimer.unref();
          return;
        }
        if (this.overBudget()) return;
      }
    })().finally(() => {
      this.refreshing = null;
      // An event or a lookup may have asked for more after the loop's last look.
      this.refreshSoon();
    });
  }

  /**
   * Reads what `needs` names and installs it, a few statements in flight at
   * once. It returns, or throws, only once every statement has settled, so no
   * record read here lands after events applied later.
   */
  private async refresh(needs: RefreshNeeds): Promise<void> {
    const models = inFlight(chunks(needs.models), async (keys) => {
      const rows = await this.executor.read<{ model: ModelRecord | null }>(Q.models, { keys });
      for (const r of rows) if (r.model) this.view.installModel(r.model, needs.mark);
    });
    const versions = inFlight(chunks(needs.versions), async (keys) => {
      const rows = await this.executor.read<{ version: VersionRecord; runId: string | null; tags: Tag[] }>(Q.versions, {
        keys,
        maxTags: MAX_TAGS,
      });
      for (const r of rows) this.view.installVersion(r.version, { runId: r.runId, tags: r.tags }, needs.mark);
    });
    const settled = await Promise.allSettled([models, versions]);
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private overBudget(): boolean {
    const bytes = this.view.bytes;
    if (bytes <= this.options.maxBytes) return false;
    this.state = 'over-budget';
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.queue = [];
    this.view.clear();
    this.log.error(
      { bytes, maxBytes: this.options.maxBytes },
      'the alias view outgrew PEDIGREE_ALIAS_VIEW_MAX_BYTES and is off: alias reads go to Neo4j (raise the limit and restart)',
    );
    for (const listener of this.advanceListeners) listener();
    return true;
  }
}
