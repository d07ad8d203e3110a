import type { HttpTransport } from './http.js';
import { parseModelUri } from './uri.js';
import { AliasWatch, type WatchDeps } from './watch.js';

/** A model version as resolve() and download() see it. `source` and `checksum` never change for a version. */
export interface ResolvedVersion {
  id: string;
  modelName: string;
  version: number;
  /** The artifact URI (s3://…, mlflow-artifacts:/…, runs:/…). */
  source: string;
  /** "sha256:<64 hex>", or null while the version is unverified. */
  checksum: string | null;
}

export interface ResolveCacheOptions {
  /** Answer alias URIs from subscriptions (true) or always ask the server (false). Default true. */
  enabled?: boolean;
  /** Aliases followed at once; the least recently resolved one is dropped past this. Default 100. */
  maxAliases?: number;
  /**
   * How long a version's record is reused (a version can be deleted; its source and checksum never change). Default 60
   * s.
   */
  versionTtlMs?: number;
}

const RESOLVE = `query PedigreeResolve($uri: String!) {
  resolveModelUri(uri: $uri) { id version source checksum model { name } }
}`;

interface AliasEntry {
  watch: AliasWatch;
  /**
   * The watch's state is known to match the server (set at start, and by an API read that agrees after a reconnect).
   */
  confirmed: boolean;
  /** The watch's state is exact at least through this log position. */
  through: bigint;
  lastUsed: number;
}

/**
 * resolve(): alias URIs are answered from a local cache kept current by an
 * aliasChanged subscription per alias, and from the API whenever the cache
 * cannot vouch for its answer: before its first state, while its socket is
 * down or replaying, after a reconnect until an API read agrees with it, and
 * when the client's own last write is newer than what the cache has seen.
 * Version URIs reuse the version's record for `versionTtlMs`; stage URIs and
 * `@latest` always ask the server.
 */
export class ResolveCache {
  readonly #http: HttpTransport;
  readonly #deps: WatchDeps;
  readonly #enabled: boolean;
  readonly #maxAliases: number;
  readonly #ttl: number;
  readonly #aliases = new Map<string, AliasEntry>();
  readonly #records = new Map<string, { record: ResolvedVersion; expires: number }>();
  readonly #fetching = new Map<string, Promise<ResolvedVersion | null>>();
  /** Server round trips resolve() waited for (background fetches of a moved alias's new version are not counted). */
  apiCalls = 0;

  constructor(deps: WatchDeps, opts: ResolveCacheOptions = {}) {
    this.#http = deps.http;
    this.#deps = deps;
    this.#enabled = opts.enabled ?? true;
    this.#maxAliases = opts.maxAliases ?? 100;
    this.#ttl = opts.versionTtlMs ?? 60_000;
  }

  async resolve(uri: string): Promise<ResolvedVersion | null> {
    const parsed = parseModelUri(uri);
    if (parsed.kind === 'version') return this.#version(parsed.modelName, parsed.version);
    if (parsed.kind === 'stage' || parsed.alias === 'latest' || !this.#enabled) return this.#api(uri);
    const key = `${parsed.modelName}@${parsed.alias}`;
    const entry = this.#aliases.get(key);
    const minSequence = this.#http.minSequence === null ? null : BigInt(this.#http.minSequence);
    if (entry) {
      entry.lastUsed = Date.now();
      const upToDate = minSequence === null || minSequence <= entry.through;
      if (entry.confirmed && entry.watch.subscribed && entry.watch.pending === 0 && upToDate) {
        const version = entry.watch.currentVersion;
        return version === null ? null : this.#version(parsed.modelName, version);
      }
    }
    const record = await this.#api(uri);
    if (entry) {
      // After a reconnect the stream has caught up once the API agrees with it.
      if (
        entry.watch.subscribed &&
        entry.watch.pending === 0 &&
        (record?.version ?? null) === entry.watch.currentVersion
      ) {
        entry.confirmed = true;
        if (minSequence !== null && minSequence > entry.through) entry.through = minSequence;
      }
    } else {
      this.#follow(parsed.modelName, parsed.alias, key);
    }
    return record;
  }

  /**
   * The version an alias points to, if the cache can vouch for it right now
   * (no request is made): for the prediction logger, which pins the version
   * that made a prediction at the time it was made.
   */
  peek(modelName: string, alias: string): number | null {
    const entry = this.#aliases.get(`${modelName}@${alias}`);
    if (!entry || !entry.confirmed || !entry.watch.subscribed || entry.watch.pending !== 0) return null;
    return entry.watch.currentVersion;
  }

  /** Stops every alias subscription. */
  async close(): Promise<void> {
    const entries = [...this.#aliases.values()];
    this.#aliases.clear();
    await Promise.all(entries.map((e) => e.watch.close()));
  }

  #follow(modelName: string, alias: string, key: string): void {
    if (this.#aliases.size >= this.#maxAliases) {
      const oldest = [...this.#aliases.entries()].sort((a, b) => a[1].lastUsed - b[1].lastUsed)[0];
      if (oldest) {
        this.#aliases.delete(oldest[0]);
        void oldest[1].watch.close();
      }
    }
    const entry: AliasEntry = {
      watch: undefined as unknown as AliasWatch,
      confirmed: false,
      through: 0n,
      lastUsed: Date.now(),
    };
    entry.watch = new AliasWatch(
      modelName,
      alias,
      (change) => {
        const seq = BigInt(change.sequence);
        if (seq > entry.through) entry.through = seq;
        if (change.type === 'CURRENT') entry.confirmed = true;
        // Fetch the new version's record now, so the next resolve() needs no round trip.
        if (change.version !== null) void this.#version(modelName, change.version, false).catch(() => undefined);
      },
      { onError: () => undefined },
      this.#deps,
    );
    entry.watch.onSubscribed((up) => {
      if (!up) entry.confirmed = false;
    });
    entry.watch.done.catch(() => {
      if (this.#aliases.get(key) === entry) this.#aliases.delete(key);
    });
    this.#aliases.set(key, entry);
  }

  async #version(modelName: string, version: number, counted = true): Promise<ResolvedVersion | null> {
    const key = `${modelName}\n${version}`;
    const hit = this.#records.get(key);
    if (hit && hit.expires > Date.now()) return hit.record;
    const inflight = this.#fetching.get(key);
    if (inflight) return inflight;
    const p = this.#api(`models:/${modelName}/${version}`, counted).finally(() => this.#fetching.delete(key));
    this.#fetching.set(key, p);
    return p;
  }

  async #api(uri: string, counted = true): Promise<ResolvedVersion | null> {
    if (counted) this.apiCalls++;
    const data = await this.#http.graphql<{
      resolveModelUri: {
        id: string;
        version: number;
        source: string;
        checksum: string | null;
        model: { name: string };
      } | null;
    }>(RESOLVE, { uri }, 'query');
    const v = data.resolveModelUri;
    if (!v) return null;
    const record: ResolvedVersion = {
      id: v.id,
      modelName: v.model.name,
      version: v.version,
      source: v.source,
      checksum: v.checksum,
    };
    // A version without a checksum may get one attached later; only a complete record is reused.
    if (record.checksum !== null) {
      this.#records.set(`${record.modelName}\n${record.version}`, { record, expires: Date.now() + this.#ttl });
      if (this.#records.size > 10_000) this.#records.delete(this.#records.keys().next().value!);
    }
    return record;
  }
}
