import { backoffDelay, sleep, type BackoffOptions } from './backoff.js';
import { ClientCode, PedigreeError, type GraphQLErrorShape } from './errors.js';
import type { HttpTransport } from './http.js';
import type { Logger } from './logger-iface.js';
import type { SubscriptionConnection } from './subscriptions.js';

/** One move of an alias, or (type CURRENT) where it pointed when the watch started. */
export interface AliasChange {
  modelName: string;
  alias: string;
  /** ALIAS_SET, ALIAS_DELETED, ROLLBACK, or CURRENT for the state a watch starts from. */
  type: 'ALIAS_SET' | 'ALIAS_DELETED' | 'ROLLBACK' | 'CURRENT' | (string & {});
  /** The version before the move (null when the alias was new; always null for CURRENT). */
  previousVersion: number | null;
  /** The version after the move (null when the alias was deleted or does not exist). */
  version: number | null;
  /** Position in the event log (decimal string): persist it and pass it as `after` to resume. */
  sequence: string;
  at: string | null;
  actor: string | null;
}

export type ChangeHandler = (change: AliasChange) => void | Promise<void>;

export interface WatchOptions {
  /**
   * Resume: deliver the moves after this sequence (one you persisted from an
   * AliasChange). Without it the watch starts now, with a CURRENT change.
   */
  after?: string;
  /**
   * Moves received but not yet handled, at most; past it the watch pauses its subscription and resumes from the log.
   * Default 10,000.
   */
  maxQueued?: number;
  /** Called for a handler that threw (the watch goes on with the next move) and for the error that ends the watch. */
  onError?: (err: unknown) => void;
}

export interface WatchDeps {
  http: HttpTransport;
  ws: SubscriptionConnection;
  backoff: BackoffOptions;
  log: Logger;
}

const SUBSCRIPTION = `subscription PedigreeAliasChanged($modelName: String!, $alias: String, $after: String) {
  aliasChanged(modelName: $modelName, alias: $alias, after: $after) { sequence type modelName alias previousVersion version at actor }
}`;
const LAST_SEQUENCE = 'query PedigreeLastSequence { serverInfo { lastSequence } }';
const ALIAS_NOW =
  'query PedigreeAliasNow($modelName: String!, $alias: String!) { modelVersionByAlias(modelName: $modelName, alias: $alias) { version } }';
/** Attempts at reading the alias between two equal log positions before settling for the first. */
const START_ATTEMPTS = 5;
/** A subscription up this long counts as healthy: the next failure backs off from the start again. */
const STABLE_MS = 5_000;

/**
 * Follows one alias: every move exactly once and in sequence order, across
 * disconnects and server restarts. Moves are queued as they arrive and handed
 * to the handler one at a time (the next only after the previous handler's
 * promise settles), so a slow handler delays moves but never loses them; past
 * `maxQueued` the subscription is paused and later resumed from the log.
 */
export class AliasWatch {
  readonly modelName: string;
  readonly alias: string;
  /** Resolves once the starting state is known and the subscription is requested; rejects if the watch cannot start. */
  readonly ready: Promise<void>;
  /** Resolves after close(); rejects with the error that ended the watch (an auth failure, a refused subscription). */
  readonly done: Promise<void>;

  readonly #deps: WatchDeps;
  readonly #handler: ChangeHandler;
  readonly #opts: WatchOptions;
  readonly #maxQueued: number;
  readonly #queue: AliasChange[] = [];
  readonly #stop = new AbortController();
  #lastDelivered: string | null = null;
  #lastReceived: bigint | null = null;
  #current: number | null = null;
  #cancel: (() => void) | null = null;
  #paused = false;
  #pumping = false;
  #resolveDone!: () => void;
  #rejectDone!: (err: unknown) => void;
  #wakeLoop: (() => void) | null = null;
  readonly #stateListeners = new Set<(subscribed: boolean) => void>();
  #subscribed = false;
  /** Undo functions of the current attempt (its socket-state listener). */
  readonly #stopHooks: (() => void)[] = [];

  constructor(modelName: string, alias: string, handler: ChangeHandler, opts: WatchOptions, deps: WatchDeps) {
    this.modelName = modelName;
    this.alias = alias;
    this.#handler = handler;
    this.#opts = opts;
    this.#deps = deps;
    this.#maxQueued = Math.max(1, opts.maxQueued ?? 10_000);
    this.done = new Promise<void>((resolve, reject) => {
      this.#resolveDone = resolve;
      this.#rejectDone = reject;
    });
    this.done.catch(() => undefined);
    this.ready = this.#start();
    this.ready.catch(() => undefined);
  }

  /** The sequence of the last move handed to the handler (persist it to resume with `after`). */
  get lastSequence(): string | null {
    return this.#lastDelivered;
  }

  /** The version the alias points to after the last move handed to the handler. */
  get currentVersion(): number | null {
    return this.#current;
  }

  /** Moves received and not yet handled. */
  get pending(): number {
    return this.#queue.length;
  }

  /** True while the subscription is open on an acknowledged socket. */
  get subscribed(): boolean {
    return this.#subscribed;
  }

  /** For the resolve cache: told when the subscription comes up or goes down. */
  onSubscribed(listener: (subscribed: boolean) => void): () => void {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }

  /** Stops the watch; moves still queued are not handed on (their sequences are after `lastSequence`). */
  async close(): Promise<void> {
    if (this.#stop.signal.aborted) return this.done.catch(() => undefined);
    this.#stop.abort();
    this.#cancel?.();
    this.#cancel = null;
    this.#setSubscribed(false);
    this.#wakeLoop?.();
    this.#resolveDone();
    await this.done.catch(() => undefined);
  }

  async #start(): Promise<void> {
    let after: string;
    if (this.#opts.after !== undefined) {
      if (!/^\d{1,30}$/.test(this.#opts.after))
        throw new PedigreeError(
          ClientCode.BAD_USER_INPUT,
          `after must be a sequence (a decimal string); got ${JSON.stringify(this.#opts.after)}`,
        );
      after = this.#opts.after;
      this.#lastDelivered = after;
    } else {
      try {
        const start = await this.#startingPoint();
        after = start.sequence;
        this.#enqueue(
          {
            modelName: this.modelName,
            alias: this.alias,
            type: 'CURRENT',
            previousVersion: null,
            version: start.version,
            sequence: after,
            at: null,
            actor: null,
          },
          true,
        );
      } catch (err) {
        this.#fail(err);
        throw err;
      }
    }
    this.#lastReceived = BigInt(after);
    void this.#loop();
  }

  /**
   * Where the alias points and the log position that state is exact at: the
   * alias read between two reads of the log's last sequence that agree. Under
   * a constant stream of writes they may never agree; then the first position
   * is used, and a move between it and the read is delivered although the
   * CURRENT change already shows its result (harmless for a handler that
   * loads `version`).
   */
  async #startingPoint(): Promise<{ sequence: string; version: number | null }> {
    const { http } = this.#deps;
    let first: { sequence: string; version: number | null } | null = null;
    for (let i = 0; i < START_ATTEMPTS; i++) {
      const before = (await http.graphql<{ serverInfo: { lastSequence: string } }>(LAST_SEQUENCE, {}, 'query'))
        .serverInfo.lastSequence;
      // Read at least at `before`: a replica's alias view may be behind the log's head (Pedigree-Min-Sequence).
      const now = await http.graphql<{ modelVersionByAlias: { version: number } | null }>(
        ALIAS_NOW,
        { modelName: this.modelName, alias: this.alias },
        'query',
        undefined,
        before,
      );
      const after = (await http.graphql<{ serverInfo: { lastSequence: string } }>(LAST_SEQUENCE, {}, 'query'))
        .serverInfo.lastSequence;
      const state = { sequence: before, version: now.modelVersionByAlias?.version ?? null };
      if (before === after) return state;
      first ??= state;
    }
    return first!;
  }

  /** Subscribes, and on every failure backs off and resubscribes after the last move received. */
  async #loop(): Promise<void> {
    const { ws, backoff, log } = this.#deps;
    let attempt = 0;
    while (!this.#stop.signal.aborted) {
      if (this.#paused) {
        await new Promise<void>((resolve) => (this.#wakeLoop = resolve));
        this.#wakeLoop = null;
        continue;
      }
      const started = Date.now();
      let over = false;
      const outcome = await new Promise<{ kind: 'error'; err: unknown } | { kind: 'complete' } | { kind: 'paused' }>(
        (resolve) => {
          this.#wakeLoop = () => resolve({ kind: 'paused' });
          const after = this.#lastReceived!.toString();
          this.#stopHooks.push(ws.onState((connected) => this.#setSubscribed(connected)));
          ws.subscribe<{ aliasChanged: AliasChange }>(
            SUBSCRIPTION,
            { modelName: this.modelName, alias: this.alias, after },
            {
              next: (result) => {
                if (result.errors?.length) {
                  resolve({
                    kind: 'error',
                    err: PedigreeError.fromGraphQL(result.errors as GraphQLErrorShape[], undefined),
                  });
                  return;
                }
                const change = result.data?.aliasChanged;
                if (change) {
                  attempt = 0;
                  this.#enqueue(change, false);
                }
              },
              error: (err) => resolve({ kind: 'error', err }),
              complete: () => resolve({ kind: 'complete' }),
            },
          )
            .then((cancel) => {
              // The attempt may be over already (paused, failed, closed): then this subscription is not wanted.
              if (over) return cancel();
              this.#cancel = cancel;
              if (ws.connected) this.#setSubscribed(true);
            })
            .catch((err: unknown) => resolve({ kind: 'error', err }));
        },
      );
      over = true;
      for (const hook of this.#stopHooks.splice(0)) hook();
      this.#wakeLoop = null;
      this.#cancel?.();
      this.#cancel = null;
      this.#setSubscribed(false);
      if (this.#stop.signal.aborted) return;
      if (outcome.kind === 'paused') continue;
      if (outcome.kind === 'error' && isFatal(outcome.err)) {
        this.#fail(toError(outcome.err));
        return;
      }
      if (Date.now() - started > STABLE_MS) attempt = 0;
      const delay = backoffDelay(attempt++, backoff);
      log.info?.('pedigree: alias subscription interrupted; resuming after the last sequence', {
        modelName: this.modelName,
        alias: this.alias,
        after: this.#lastReceived?.toString(),
        reason: outcome.kind === 'complete' ? 'completed by the server' : describeClose(outcome.err),
        retryInMs: delay,
      });
      await sleep(delay, this.#stop.signal);
    }
  }

  #setSubscribed(value: boolean): void {
    if (this.#subscribed === value) return;
    this.#subscribed = value;
    for (const l of this.#stateListeners) l(value);
  }

  /** Queues a move unless it was received before (a replay overlapping what arrived live). */
  #enqueue(change: AliasChange, initial: boolean): void {
    if (!initial) {
      // While paused, moves still in flight are left to the log: the resumed subscription replays them.
      if (this.#paused) return;
      const seq = BigInt(change.sequence);
      if (this.#lastReceived !== null && seq <= this.#lastReceived) return;
      this.#lastReceived = seq;
    }
    this.#queue.push(change);
    if (this.#queue.length >= this.#maxQueued && !this.#paused) {
      // Stop receiving; the log keeps every move, and the loop resubscribes after the last one received.
      this.#paused = true;
      this.#wakeLoop?.();
    }
    void this.#pump();
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#queue.length > 0 && !this.#stop.signal.aborted) {
        const change = this.#queue[0]!;
        try {
          await this.#handler(change);
        } catch (err) {
          this.#deps.log.error?.('pedigree: alias change handler threw; going on with the next move', {
            modelName: this.modelName,
            alias: this.alias,
            sequence: change.sequence,
          });
          this.#opts.onError?.(err);
        }
        this.#queue.shift();
        this.#lastDelivered = change.sequence;
        this.#current = change.version;
        if (this.#paused && this.#queue.length <= this.#maxQueued / 2) {
          this.#paused = false;
          this.#wakeLoop?.();
        }
      }
    } finally {
      this.#pumping = false;
    }
  }

  #fail(err: unknown): void {
    if (this.#stop.signal.aborted) return;
    this.#stop.abort();
    this.#cancel?.();
    this.#setSubscribed(false);
    this.#deps.log.error?.('pedigree: alias watch stopped', {
      modelName: this.modelName,
      alias: this.alias,
      code: (err as PedigreeError).code,
    });
    this.#opts.onError?.(err);
    this.#rejectDone(err);
  }
}

/**
 * Close codes that retrying cannot fix: 4400 bad request, 4401 no token, 4403 bad or revoked token, 4406 subprotocol,
 * 4409 duplicate id.
 */
const FATAL_CLOSE = new Set([4400, 4401, 4403, 4406, 4409]);

function isFatal(err: unknown): boolean {
  if (err instanceof PedigreeError) return !err.retryable && err.code !== ClientCode.NETWORK_ERROR;
  if (Array.isArray(err)) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' && FATAL_CLOSE.has(code);
}

function toError(err: unknown): PedigreeError {
  if (err instanceof PedigreeError) return err;
  if (Array.isArray(err)) return PedigreeError.fromGraphQL(err as GraphQLErrorShape[], undefined);
  const close = err as { code?: number; reason?: string };
  const code = close?.code === 4401 ? 'UNAUTHENTICATED' : close?.code === 4403 ? 'FORBIDDEN' : 'BAD_REQUEST';
  return new PedigreeError(
    code,
    `the server closed the subscription socket with ${close?.code}: ${close?.reason ?? ''}`.trim(),
  );
}

function describeClose(err: unknown): string {
  if (err instanceof Error) return err.message;
  const close = err as { code?: number; reason?: string } | null;
  if (close && typeof close.code === 'number') return `closed ${close.code}${close.reason ? ` ${close.reason}` : ''}`;
  return String(err);
}
