import { inspect } from 'node:util';
import type { BackoffOptions } from './backoff.js';
import { downloadArtifact, type ArtifactFetcher, type DownloadOptions, type DownloadResult } from './download.js';
import { ClientCode, PedigreeError } from './errors.js';
import { HttpTransport, type FetchLike } from './http.js';
import { silentLogger, type Logger } from './logger-iface.js';
import { PredictionLogger, type PredictionLoggerOptions } from './predictions.js';
import { ResolveCache, type ResolvedVersion, type ResolveCacheOptions } from './resolve.js';
import { SubscriptionConnection, type HeartbeatOptions } from './subscriptions.js';
import { parseModelUri, toModelRef, type ModelRef } from './uri.js';
import { AliasWatch, type ChangeHandler, type WatchOptions } from './watch.js';

export interface PedigreeClientOptions {
  /** Base URL of the server (`http://host:4000`; a trailing `/graphql` is accepted). Default: PEDIGREE_URL. */
  url?: string;
  /** API token. Default: PEDIGREE_TOKEN. Sent as `Authorization: Bearer …` and in connection_init; never logged. */
  token?: string;
  /** A WebSocket constructor (the global one, or `ws` on Node 20; loaded when absent). */
  webSocketImpl?: unknown;
  /** fetch to use. Default: the global fetch. */
  fetch?: FetchLike;
  /** Per-request timeout of GraphQL calls. Default 30 s. */
  requestTimeoutMs?: number;
  /** Subscription heartbeat. Default: ping every 10 s, dead after 5 s without pong. */
  heartbeat?: HeartbeatOptions;
  /** Opening a websocket up to connection_ack. Default 10 s. */
  connectTimeoutMs?: number;
  /** Reconnect pacing of subscriptions. Default 250 ms … 15 s, full jitter. */
  backoff?: BackoffOptions;
  /** Fetchers for artifact schemes other than Pedigree's own store, by scheme (`s3`, `gs`, `https`, ...). */
  fetchers?: Record<string, ArtifactFetcher>;
  /** The resolve cache. */
  cache?: ResolveCacheOptions;
  /** Where the client reports reconnects and retries (console fits). Default: silent. */
  logger?: Logger;
}

/** A deployment to record once a download has verified. */
export interface DeploymentRecord {
  name: string;
  environment: string;
  endpoint?: string;
  /** Traffic share among the entries of the same model (default 1). */
  weight?: number;
}

/**
 * A client for serving systems: resolve model URIs, follow aliases, download
 * verified artifacts and log predictions. One instance per process; close()
 * it on shutdown.
 */
export class PedigreeClient {
  readonly url: string;
  readonly #http: HttpTransport;
  readonly #ws: SubscriptionConnection;
  readonly #cache: ResolveCache;
  readonly #fetchers: Record<string, ArtifactFetcher>;
  readonly #log: Logger;
  readonly #backoff: BackoffOptions;
  readonly #watches = new Set<AliasWatch>();
  readonly #loggers = new Set<PredictionLogger>();
  #closed = false;

  constructor(opts: PedigreeClientOptions = {}) {
    const url = opts.url ?? process.env.PEDIGREE_URL;
    if (!url)
      throw new PedigreeError(ClientCode.BAD_USER_INPUT, 'the server URL is required: pass url or set PEDIGREE_URL');
    if (!/^https?:\/\//.test(url))
      throw new PedigreeError(
        ClientCode.BAD_USER_INPUT,
        `the server URL must be http(s)://…; got ${JSON.stringify(url.slice(0, 100))}`,
      );
    this.url = url.replace(/\/+$/, '').replace(/\/graphql$/, '');
    const token = opts.token ?? process.env.PEDIGREE_TOKEN ?? null;
    const fetchImpl = opts.fetch ?? globalThis.fetch?.bind(globalThis);
    if (!fetchImpl) throw new PedigreeError(ClientCode.BAD_USER_INPUT, 'no fetch in this runtime: pass fetch');
    this.#log = opts.logger ?? silentLogger;
    this.#backoff = opts.backoff ?? {};
    this.#http = new HttpTransport({
      baseUrl: this.url,
      token: token || null,
      fetch: fetchImpl,
      requestTimeoutMs: opts.requestTimeoutMs ?? 30_000,
    });
    this.#ws = new SubscriptionConnection({
      wsUrl: `${this.url.replace(/^http/, 'ws')}/graphql`,
      authorization: () => this.#http.authorization(),
      webSocketImpl: opts.webSocketImpl,
      heartbeat: { intervalMs: opts.heartbeat?.intervalMs ?? 10_000, timeoutMs: opts.heartbeat?.timeoutMs ?? 5_000 },
      connectTimeoutMs: opts.connectTimeoutMs ?? 10_000,
      log: this.#log,
    });
    this.#cache = new ResolveCache(
      { http: this.#http, ws: this.#ws, backoff: this.#backoff, log: this.#log },
      opts.cache,
    );
    this.#fetchers = { ...opts.fetchers };
  }

  /** The highest sequence this client's own writes committed at (sent as Pedigree-Min-Sequence on reads). */
  get lastWriteSequence(): string | null {
    return this.#http.minSequence;
  }

  /** How many resolve() calls went to the server (the rest came from the cache). */
  get resolveApiCalls(): number {
    return this.#cache.apiCalls;
  }

  /**
   * `models:/NAME@ALIAS`, `models:/NAME/VERSION` or `models:/NAME/STAGE` →
   * version, source and checksum; null when nothing matches. Aliases are
   * answered from a cache kept current by a subscription whenever it can
   * vouch for its answer, otherwise from the server.
   */
  async resolve(uri: string): Promise<ResolvedVersion | null> {
    this.#open();
    return this.#cache.resolve(uri);
  }

  /**
   * Follows an alias: `onChange` gets every move exactly once and in order,
   * across disconnects and server restarts, starting with the current state
   * (type CURRENT) unless `opts.after` resumes from a saved sequence.
   */
  watch(modelName: string, alias: string, onChange: ChangeHandler, opts: WatchOptions = {}): AliasWatch {
    this.#open();
    const w = new AliasWatch(modelName, alias, onChange, opts, {
      http: this.#http,
      ws: this.#ws,
      backoff: this.#backoff,
      log: this.#log,
    });
    this.#watches.add(w);
    void w.done.catch(() => undefined).finally(() => this.#watches.delete(w));
    return w;
  }

  /**
   * Downloads the artifact of `uri`'s version into `dir`, verifying SHA-256
   * against the registry's checksum while it streams. Refuses with
   * CHECKSUM_MISMATCH (ChecksumMismatchError) and leaves nothing in `dir` when
   * the bytes differ. With `deployment`, records the deployment (with the
   * checksum computed from the bytes) only after they verified.
   */
  async download(
    uri: string,
    dir: string,
    opts: DownloadOptions & { deployment?: DeploymentRecord } = {},
  ): Promise<DownloadResult> {
    this.#open();
    parseModelUri(uri);
    const version = await this.#cache.resolve(uri);
    if (!version) throw new PedigreeError('NOT_FOUND', `${uri} names no model version`);
    const result = await downloadArtifact(this.#http, version, uri, dir, this.#fetchers, opts);
    if (opts.deployment) {
      const parsed = parseModelUri(uri);
      const ref: ModelRef =
        parsed.kind === 'alias' && parsed.alias !== 'latest'
          ? { modelName: parsed.modelName, alias: parsed.alias }
          : { modelName: version.modelName, version: version.version };
      await this.recordDeployment(opts.deployment, [
        { ref, checksum: result.checksum, weight: opts.deployment.weight },
      ]);
    }
    return result;
  }

  /**
   * Records what a deployment serves; each checksum must be the one computed from the bytes loaded (download() returns
   * it).
   */
  async recordDeployment(
    deployment: DeploymentRecord,
    models: { ref: string | ModelRef; checksum: string; weight?: number }[],
  ): Promise<{ id: string; sequence: string | null }> {
    const input = {
      name: deployment.name,
      environment: deployment.environment,
      endpoint: deployment.endpoint ?? null,
      models: models.map((m) => ({ ref: toModelRef(m.ref), checksum: m.checksum, weight: m.weight ?? null })),
    };
    const data = await this.#http.graphql<{ recordDeployment: { id: string } }>(
      'mutation PedigreeRecordDeployment($input: RecordDeploymentInput!) { recordDeployment(input: $input) { id } }',
      { input },
      'mutation',
    );
    return { id: data.recordDeployment.id, sequence: this.#http.minSequence };
  }

  /** A buffered, batching, retrying prediction logger; close() it before exiting. */
  predictionLogger(opts: PredictionLoggerOptions = {}): PredictionLogger {
    this.#open();
    const logger = new PredictionLogger(this.#http, this.#log, (m, a) => this.#cache.peek(m, a), opts);
    this.#loggers.add(logger);
    return logger;
  }

  /**
   * Any GraphQL operation, with the token, the consistency token and typed
   * errors. Mutations raise the client's remembered write sequence.
   */
  async request<T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    this.#open();
    const kind = /^\s*(?:#[^\n]*\n\s*)*mutation\b/.test(query) ? 'mutation' : 'query';
    return this.#http.graphql<T>(query, variables, kind);
  }

  /**
   * Closes the websocket as if the network dropped it: subscriptions resume on a new one. For failover drills and
   * tests.
   */
  dropConnection(): void {
    this.#ws.terminate();
  }

  /**
   * Stops watches and loggers (loggers send what they hold first, within their close timeout) and closes the socket.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#loggers].map((l) => l.close()));
    await Promise.all([...this.#watches].map((w) => w.close()));
    await this.#cache.close();
    await this.#ws.dispose();
  }

  /** Neither the token nor anything derived from it shows in logs or the REPL. */
  [inspect.custom](): string {
    return `PedigreeClient { url: ${JSON.stringify(this.url)}, token: ${this.#http.authorization() ? '[redacted]' : 'none'} }`;
  }

  toJSON(): Record<string, unknown> {
    return { url: this.url, token: this.#http.authorization() ? '[redacted]' : null };
  }

  #open(): void {
    if (this.#closed) throw new PedigreeError(ClientCode.CLOSED, 'the client is closed');
  }
}
