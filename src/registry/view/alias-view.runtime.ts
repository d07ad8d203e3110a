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
  page: statement('registry/view-models-page'),
  versions: statement('registry/view-versions'),
  models: statement('registry/models-by-names'),
};

/** Models per page of the build, keys per refresh statement, and refresh statements in flight at once. */
const PAGE = 2_000;
const KEYS = 2_000;
const IN_FLIGHT = 4;

/** Runs `each` over `items` in chunks of KEYS, IN_FLIGHT at a time; all settle before the first error is thrown. */
async function inChunks<T>(items: readonly T[], each: (chunk: T[]) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const chunk = items.slice(next, (next += KEYS));
      await each(chunk);
    }
  };
  const workers = Math.min(IN_FLIGHT, Math.ceil(items.length / KEYS));
  const settled = await Promise.allSettled(Array.from({ length: workers }, worker));
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

export type ViewState = 'off' | 'building' | 'ready' | 'over-budget';

export interface AliasViewOptions {
  enabled: boolean;
  /** Estimated bytes the view may hold; past it the view turns itself off and reads go to Neo4j. */
  maxBytes: number;
}

/** What the registry's lookups ask of the view (src/registry/lookup.ts). */
export interface AliasViewSource {
  /**
   * The view when it can answer now, else null (not built yet, off, over its
   * budget, or not yet through `atLeast`, e.g. this process's own last write): ask Neo4j.
   */
  current(atLeast?: string | null): AliasView | null;
  /** A version looked up by number that the view could not answer: fetch it into its cache, in the background. */
  want(modelName: string, version: number): void;
  /** Lookups answered by the view and sent to Neo4j. */
  readonly lookups: { hit: number; miss: number };
}

/**
 * Builds the alias view and keeps it current, one per process (started and
 * stopped by BackgroundWork, after the event tailer).
 *
 * Build: subscribe to the tailer first (buffering), read the log's last
 * sequence C, then the graph in pages of models; events after C are then
 * applied on top. The snapshot reflects at least every event up to C (an
 * event's sequence is visible only once it committed, and sequences commit in
 * order: docs/events.md), and events it already reflects change nothing when
 * applied again (see AliasView).
 *
 * Then every committed event, in sequence order: the pointers move at once,
 * the records the events changed or newly name are read in one statement per
 * batch, and the position advances to the batch's last sequence once they are
 * installed. Every answer therefore reflects at least the position.
 */
export class AliasViewRuntime implements AliasViewSource, AppliedPosition {
  readonly view = new AliasView();
  private state: ViewState;
  private through: string | null = null;
  private queue: EventRecord[] = [];
  private processing: Promise<void> | null = null;
  private unsubscribe: (() => void) | null = null;
  private readonly advanceListeners = new Set<() => void>();
  private retryTimer: NodeJS.Timeout | undefined;
  /** A refresh failed: events wait for the retry timer rather than hammer the database. */
  private backingOff = false;
  /** Milliseconds the last build took (all, and reading the models' pages), and the figures it found. */
  lastBuild: { ms: number; pagesMs: number; models: number; aliases: number } | null = null;
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
    if (this.state === 'building' || this.state === 'ready') this.state = 'off';
    await this.processing;
  }

  private async build(): Promise<void> {
    const started = performance.now();
    for (;;) {
      try {
        this.view.clear();
        const from = await this.reader.lastSequence();
        let after = '';
        let models = 0;
        for (;;) {
          if (this.state !== 'building') return;
          const rows = await this.executor.read<{
            model: ModelRecord;
            aliases: [string, number][];
            versions: [number, string][];
          }>(Q.page, { after, limit: PAGE });
          for (const r of rows) this.view.load(r.model, r.aliases, r.versions);
          models += rows.length;
          if (rows.length < PAGE) break;
          after = rows[rows.length - 1]!.model.name;
        }
        const pagesMs = Math.round(performance.now() - started);
        await this.refresh(this.view.needs());
        this.through = from;
        const stats = this.view.stats();
        this.lastBuild = { ms: Math.round(performance.now() - started), pagesMs, models, aliases: stats.aliases };
        if (this.overBudget()) return;
        this.log.info(
          { ...this.lastBuild, bytes: stats.bytes, position: from },
          'alias view built; catching up with the log',
        );
        // It answers once it has applied what the tailer read meanwhile (process() flips it to ready).
        this.kick();
        return;
      } catch (err) {
        if (this.state !== 'building') return;
        this.log.warn({ err }, 'alias view build failed; retrying (reads go to Neo4j meanwhile)');
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  want(modelName: string, version: number): void {
    if (this.state !== 'ready') return;
    if (this.view.want(modelName, version)) this.kick();
  }

  private enqueue(e: EventRecord): void {
    if (this.state !== 'building' && this.state !== 'ready') return;
    this.queue.push(e);
    this.kick();
  }

  /** Whether events can be applied: the snapshot is loaded and the view is not off. */
  private get live(): boolean {
    return this.through !== null && (this.state === 'building' || this.state === 'ready');
  }

  private kick(): void {
    if (this.processing || !this.live || this.backingOff) return;
    this.processing = this.process().finally(() => {
      this.processing = null;
      if (this.queue.length || this.view.pending) this.kick();
    });
  }

  private async process(): Promise<void> {
    for (;;) {
      if (!this.live) return;
      if (!this.queue.length && !this.view.pending) {
        // Caught up with everything the tailer has read: from now on the view
        // answers, and its position never goes behind one already reported.
        if (this.state === 'building') {
          this.state = 'ready';
          this.log.info({ position: this.through }, 'alias view ready');
          for (const listener of this.advanceListeners) listener();
        }
        return;
      }
      const batch = this.queue;
      this.queue = [];
      let last = this.through!;
      for (const e of batch) {
        if (seq(e.sequence) <= seq(last)) continue;
        this.view.apply(e);
        last = e.sequence;
      }
      const needs = this.view.needs();
      let failed = false;
      try {
        await this.refresh(needs);
      } catch (err) {
        // The pointers moved and the stale records are gone, so answers stay
        // right (they go to Neo4j where a record is missing); read them again in a second.
        this.log.warn({ err }, 'alias view refresh failed; retrying in 1 s');
        for (const name of [...needs.models, ...needs.versions.map((v) => v.modelName)]) this.view.touch(name);
        failed = true;
      }
      this.through = last;
      if (this.overBudget()) return;
      if (this.state === 'ready') for (const listener of this.advanceListeners) listener();
      if (failed) {
        this.backingOff = true;
        this.retryTimer = setTimeout(() => {
          this.backingOff = false;
          this.kick();
        }, 1000);
        this.retryTimer.unref();
        return;
      }
    }
  }

  /**
   * Reads what `needs` names and installs it, a few statements in flight at
   * once (Neo4j answers them on several cores while this process installs the
   * rows). It returns, or throws, only once every statement has settled, so no
   * record read here lands after events applied later.
   */
  private async refresh(needs: RefreshNeeds): Promise<void> {
    await inChunks(needs.models, async (keys) => {
      const rows = await this.executor.read<{ model: ModelRecord | null }>(Q.models, { keys });
      for (const r of rows) if (r.model) this.view.installModel(r.model);
    });
    await inChunks(needs.versions, async (keys) => {
      const rows = await this.executor.read<{ version: VersionRecord; runId: string | null; tags: Tag[] }>(Q.versions, {
        keys,
        maxTags: MAX_TAGS,
      });
      for (const r of rows) this.view.installVersion(r.version, { runId: r.runId, tags: r.tags });
    });
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
