import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { backoffDelay, sleep, type BackoffOptions } from './backoff.js';
import { ClientCode, PedigreeError, SpoolFullError } from './errors.js';
import type { HttpTransport } from './http.js';
import type { Logger } from './logger-iface.js';
import { toModelRef, type ModelRef } from './uri.js';

/** The server's cap on predictions per logPredictions call (README, Limits). */
export const SERVER_MAX_PREDICTIONS_PER_CALL = 10_000;

export interface PredictionLoggerOptions {
  /** Deployment name recorded with every prediction (SERVED_BY). */
  deployment?: string;
  /** Predictions per call, at most 10,000 (the server's cap). Default 10,000. */
  batchSize?: number;
  /** Bytes of predictions per call, to stay under the server's 4 MiB body limit. Default 3 MiB. */
  maxBatchBytes?: number;
  /** A partly filled batch is sent after this long. Default 1,000 ms. */
  flushIntervalMs?: number;
  /** Unsent predictions held at most (in memory or in `spoolDir`). Default 100,000. */
  maxPending?: number;
  /**
   * What log() does when `maxPending` predictions are unsent: 'throw' (default)
   * raises SpoolFullError and keeps nothing of that call; 'drop' drops the new
   * prediction, counts it in stats().dropped and reports it to onError.
   */
  onFull?: 'throw' | 'drop';
  /**
   * Keep unsent predictions on disk here (one file per batch, deleted once the
   * server has them), so they survive a restart of this process too; they are
   * sent by the next logger opened on the same directory. Default: in memory.
   */
  spoolDir?: string;
  /** Retry pacing for a batch the server did not take. Default 500 ms … 30 s, full jitter. */
  backoff?: BackoffOptions;
  /** A batch the server refused for good (dead-lettered), a full spool under 'drop', or each failed attempt. */
  onError?: (err: PedigreeError, info: { predictions: number; willRetry: boolean }) => void;
}

export interface PredictionLoggerStats {
  /** Logged and not yet acknowledged by the server. */
  pending: number;
  /** Acknowledged by the server (including ids it already had). */
  sent: number;
  /** Of those, new to the server. */
  created: number;
  /** Refused by the server for good (bad model reference, ...); never retried. */
  deadLettered: number;
  /** Dropped by log() because the spool was full (onFull: 'drop'). */
  dropped: number;
  /** Failed attempts that were retried. */
  retries: number;
}

interface Item {
  id: string;
  modelName: string;
  version?: number;
  alias?: string;
  inputRef?: string;
  at: string;
  deployment?: string;
}

interface Segment {
  n: number;
  items: Item[];
  bytes: number;
  sealed: boolean;
  /** Groups (model + deployment) of this segment the server has taken. */
  done: Set<string>;
  fd: number | null;
  file: string | null;
}

const LOG_PREDICTIONS = `mutation PedigreeLogPredictions($input: LogPredictionsInput!) {
  logPredictions(input: $input) { count created }
}`;

/**
 * Buffers predictions and sends them in batches in the background
 * (logPredictions, idempotent per prediction id on the server). A batch the
 * server did not take (it is down, restarting, overloaded) is retried with
 * jittered backoff until it is taken; nothing is acknowledged before the
 * server answered. Memory (or disk) is bounded by `maxPending`.
 */
export class PredictionLogger {
  readonly #http: HttpTransport;
  readonly #log: Logger;
  readonly #opts: PredictionLoggerOptions;
  readonly #batchSize: number;
  readonly #maxBytes: number;
  readonly #maxPending: number;
  readonly #segments: Segment[] = [];
  readonly #ids = new Set<string>();
  readonly #pin: (modelName: string, alias: string) => number | null;
  #nextSegment = 1;
  #pending = 0;
  #closed = false;
  readonly #stop = new AbortController();
  #wake: (() => void) | null = null;
  readonly #waiters: { upTo: number; resolve: () => void }[] = [];
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #loop: Promise<void>;
  readonly #stats = { sent: 0, created: 0, deadLettered: 0, dropped: 0, retries: 0 };

  constructor(
    http: HttpTransport,
    log: Logger,
    pin: (modelName: string, alias: string) => number | null,
    opts: PredictionLoggerOptions = {},
  ) {
    this.#http = http;
    this.#log = log;
    this.#pin = pin;
    this.#opts = opts;
    this.#batchSize = Math.min(
      SERVER_MAX_PREDICTIONS_PER_CALL,
      Math.max(1, opts.batchSize ?? SERVER_MAX_PREDICTIONS_PER_CALL),
    );
    this.#maxBytes = opts.maxBatchBytes ?? 3 * 1024 * 1024;
    this.#maxPending = Math.max(1, opts.maxPending ?? 100_000);
    if (opts.spoolDir) this.#recover(opts.spoolDir);
    this.#timer = setInterval(() => this.#sealOpen(), opts.flushIntervalMs ?? 1_000);
    this.#timer.unref?.();
    this.#loop = this.#run();
  }

  /**
   * Records that `predictionId` was made by `model` (`models:/NAME/VERSION`,
   * `models:/NAME@ALIAS` or a ModelRef). Returns at once; the prediction is
   * sent in the background. Logging an id again is a no-op. An alias is pinned
   * to the version the client's resolve cache holds for it now, when it has
   * one; otherwise the server resolves it when the batch is written — pass the
   * version you serve for an exact trace.
   */
  log(predictionId: string, model: string | ModelRef, inputRef?: string | null, at: Date = new Date()): void {
    if (this.#closed) throw new PedigreeError(ClientCode.CLOSED, 'the prediction logger is closed');
    if (
      typeof predictionId !== 'string' ||
      predictionId.length === 0 ||
      predictionId.length > 4096 ||
      predictionId.includes('\u0000')
    ) {
      throw new PedigreeError(
        ClientCode.BAD_USER_INPUT,
        'a prediction id is a non-empty string of at most 4096 characters without U+0000',
      );
    }
    if (inputRef !== undefined && inputRef !== null && (inputRef.length > 4096 || inputRef.includes('\u0000'))) {
      throw new PedigreeError(ClientCode.BAD_USER_INPUT, 'inputRef is at most 4096 characters without U+0000');
    }
    const ref = toModelRef(model);
    if (this.#ids.has(predictionId)) return;
    if (this.#pending >= this.#maxPending) {
      const err = new SpoolFullError(this.#maxPending);
      if (this.#opts.onFull === 'drop') {
        this.#stats.dropped++;
        this.#opts.onError?.(err, { predictions: 1, willRetry: false });
        return;
      }
      throw err;
    }
    const pinned = ref.alias !== undefined && ref.alias !== 'latest' ? this.#pin(ref.modelName, ref.alias) : null;
    const item: Item = { id: predictionId, modelName: ref.modelName, at: at.toISOString() };
    if (pinned !== null) item.version = pinned;
    else if (ref.version !== undefined) item.version = ref.version;
    else item.alias = ref.alias!;
    if (inputRef) item.inputRef = inputRef;
    if (this.#opts.deployment) item.deployment = this.#opts.deployment;
    this.#append(item);
  }

  /**
   * Resolves once every prediction logged before the call is acknowledged (or dead-lettered). Rejects with TIMEOUT
   * after `timeoutMs`; nothing is lost then.
   */
  async flush(timeoutMs?: number): Promise<void> {
    const upTo = this.#sealOpen();
    if (this.#segments.every((s) => s.n > upTo)) return;
    const done = new Promise<void>((resolve) => this.#waiters.push({ upTo, resolve }));
    this.#wake?.();
    if (timeoutMs === undefined) return done;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new PedigreeError(
              ClientCode.TIMEOUT,
              `flush did not finish within ${timeoutMs} ms; ${this.#pending} predictions are still spooled and being retried`,
              { retryable: true },
            ),
          ),
        timeoutMs,
      );
    });
    try {
      await Promise.race([done, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Stops accepting predictions, sends what is spooled (for at most
   * `timeoutMs`, default 30 s) and stops. Returns how many were left unsent:
   * with `spoolDir` they stay on disk for the next logger; in memory they are lost.
   */
  async close(timeoutMs = 30_000): Promise<{ unsent: number }> {
    if (!this.#closed) {
      this.#closed = true;
      await this.flush(timeoutMs).catch(() => undefined);
      clearInterval(this.#timer);
      this.#stop.abort();
      this.#wake?.();
      await this.#loop;
      for (const s of this.#segments) if (s.fd !== null) closeSync(s.fd);
      if (this.#pending > 0)
        this.#log.warn?.('pedigree: prediction logger closed with unsent predictions', {
          unsent: this.#pending,
          kept: Boolean(this.#opts.spoolDir),
        });
    }
    return { unsent: this.#pending };
  }

  stats(): PredictionLoggerStats {
    return { pending: this.#pending, ...this.#stats };
  }

  #append(item: Item): void {
    let open = this.#segments[this.#segments.length - 1];
    if (!open || open.sealed) open = this.#newSegment();
    const line = `${JSON.stringify(item)}\n`;
    if (open.fd !== null) writeSync(open.fd, line);
    open.items.push(item);
    open.bytes += Buffer.byteLength(line);
    this.#ids.add(item.id);
    this.#pending++;
    if (open.items.length >= this.#batchSize || open.bytes >= this.#maxBytes) this.#seal(open);
  }

  #newSegment(): Segment {
    const n = this.#nextSegment++;
    let fd: number | null = null;
    let file: string | null = null;
    if (this.#opts.spoolDir) {
      file = join(this.#opts.spoolDir, `batch-${String(n).padStart(12, '0')}.jsonl`);
      fd = openSync(file, 'a', 0o600);
    }
    const s: Segment = { n, items: [], bytes: 0, sealed: false, done: new Set(), fd, file };
    this.#segments.push(s);
    return s;
  }

  /** Seals the open batch (it will be sent); returns the number of the last batch. */
  #sealOpen(): number {
    const last = this.#segments[this.#segments.length - 1];
    if (last && !last.sealed && last.items.length > 0) this.#seal(last);
    return this.#nextSegment - 1;
  }

  #seal(s: Segment): void {
    s.sealed = true;
    if (s.fd !== null) {
      fsyncSync(s.fd);
      closeSync(s.fd);
      s.fd = null;
    }
    this.#wake?.();
  }

  /** Loads the batches a previous logger left in spoolDir; a torn last line (a crash mid-write) is skipped. */
  #recover(dir: string): void {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const files = readdirSync(dir)
      .filter((f) => /^batch-\d+\.jsonl$/.test(f))
      .sort();
    for (const f of files) {
      const n = Number(/\d+/.exec(f)![0]);
      const items: Item[] = [];
      for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
        if (!line) continue;
        try {
          const item = JSON.parse(line) as Item;
          if (typeof item.id === 'string' && !this.#ids.has(item.id)) {
            items.push(item);
            this.#ids.add(item.id);
          }
        } catch {
          // a torn write at a crash: that prediction's log() never returned
        }
      }
      this.#segments.push({ n, items, bytes: 0, sealed: true, done: new Set(), fd: null, file: join(dir, f) });
      this.#pending += items.length;
      this.#nextSegment = Math.max(this.#nextSegment, n + 1);
    }
    if (files.length)
      this.#log.info?.('pedigree: prediction spool recovered', { batches: files.length, predictions: this.#pending });
  }

  async #run(): Promise<void> {
    let attempt = 0;
    for (;;) {
      const next = this.#segments.find((s) => s.sealed);
      if (!next) {
        this.#settleWaiters();
        if (this.#stop.signal.aborted) return;
        await new Promise<void>((resolve) => (this.#wake = resolve));
        this.#wake = null;
        continue;
      }
      try {
        await this.#send(next);
        attempt = 0;
        this.#finish(next);
      } catch (err) {
        if (this.#stop.signal.aborted) return;
        const e =
          err instanceof PedigreeError
            ? err
            : new PedigreeError(ClientCode.NETWORK_ERROR, String(err), { retryable: true });
        this.#stats.retries++;
        const delay = backoffDelay(attempt++, { baseMs: 500, maxMs: 30_000, ...this.#opts.backoff });
        this.#log.warn?.('pedigree: prediction batch not taken; retrying', {
          code: e.code,
          predictions: next.items.length,
          retryInMs: delay,
        });
        this.#opts.onError?.(e, { predictions: next.items.length, willRetry: true });
        await sleep(delay, this.#stop.signal);
      }
    }
  }

  /** Sends a batch group by group (one model and deployment per call); groups already taken are skipped on a retry. */
  async #send(segment: Segment): Promise<void> {
    const groups = new Map<string, Item[]>();
    for (const item of segment.items) {
      const key = JSON.stringify([item.modelName, item.version ?? null, item.alias ?? null, item.deployment ?? null]);
      let g = groups.get(key);
      if (!g) groups.set(key, (g = []));
      g.push(item);
    }
    for (const [key, items] of groups) {
      if (segment.done.has(key)) continue;
      await this.#sendGroup(items);
      segment.done.add(key);
    }
  }

  async #sendGroup(items: Item[]): Promise<void> {
    const first = items[0]!;
    const input = {
      model:
        first.version !== undefined
          ? { modelName: first.modelName, version: first.version }
          : { modelName: first.modelName, alias: first.alias },
      deployment: first.deployment ?? null,
      predictions: items.map((i) => ({ id: i.id, at: i.at, inputRef: i.inputRef ?? null })),
    };
    try {
      const r = await this.#http.graphql<{ logPredictions: { count: number; created: number } }>(
        LOG_PREDICTIONS,
        { input },
        'mutation',
        this.#stop.signal,
      );
      this.#stats.sent += items.length;
      this.#stats.created += r.logPredictions.created;
    } catch (err) {
      if (!(err instanceof PedigreeError)) throw err;
      if (err.status === 413 && items.length > 1) {
        // Too large a body for the server: halves, each idempotent.
        const half = Math.ceil(items.length / 2);
        await this.#sendGroup(items.slice(0, half));
        await this.#sendGroup(items.slice(half));
        return;
      }
      if (isPermanent(err)) {
        this.#stats.deadLettered += items.length;
        this.#log.error?.('pedigree: predictions refused by the server; dead-lettered', {
          code: err.code,
          predictions: items.length,
          modelName: first.modelName,
        });
        this.#deadLetter(items, err);
        this.#opts.onError?.(err, { predictions: items.length, willRetry: false });
        return;
      }
      throw err;
    }
  }

  #deadLetter(items: Item[], err: PedigreeError): void {
    if (!this.#opts.spoolDir) return;
    const file = join(this.#opts.spoolDir, `dead-${Date.now()}-${process.pid}.jsonl`);
    const fd = openSync(file, 'a', 0o600);
    try {
      for (const item of items)
        writeSync(fd, `${JSON.stringify({ ...item, error: { code: err.code, message: err.message } })}\n`);
    } finally {
      closeSync(fd);
    }
  }

  #finish(segment: Segment): void {
    this.#segments.splice(this.#segments.indexOf(segment), 1);
    for (const item of segment.items) this.#ids.delete(item.id);
    this.#pending -= segment.items.length;
    if (segment.file) {
      try {
        unlinkSync(segment.file);
      } catch {
        // already gone
      }
    }
    this.#settleWaiters();
  }

  #settleWaiters(): void {
    const oldest = this.#segments.find((s) => s.items.length > 0 || s.sealed)?.n ?? Infinity;
    for (let i = this.#waiters.length - 1; i >= 0; i--) {
      if (this.#waiters[i]!.upTo < oldest) this.#waiters.splice(i, 1)[0]!.resolve();
    }
  }
}

/** Refusals that a retry cannot change: the batch itself is wrong (bad input, an unknown model or alias). */
function isPermanent(err: PedigreeError): boolean {
  return ['BAD_USER_INPUT', 'NOT_FOUND', 'GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED'].includes(err.code);
}
