import type { EventRecord } from '../../events/event-record.js';
import { EventType } from '../../events/event-log.js';
import type { ModelRecord, Stage, VersionRecord } from '../types.js';
import { STAGES } from '../types.js';
import { LATEST } from '../validation.js';
import { decodeModel, decodeVersion, encodeModel, encodeVersion, STAGE_CODE, type HeldExtras } from './record-codec.js';

/**
 * What the view answers for one lookup: `hit` with the model and the version,
 * or `miss` when it does not hold what the answer needs (the caller then asks
 * Neo4j). Only found versions are hits: "no such model, alias, number or
 * version in that stage" is always asked of Neo4j, so a version or model
 * written through another replica moments ago is never reported missing
 * here while this replica's view has not applied it yet (an alias moved there
 * may still show its old target until then: consistency tokens).
 */
export type ViewAnswer = { hit: true; model: ModelRecord | null; version: VersionRecord | null } | { hit: false };

const MISS: ViewAnswer = Object.freeze({ hit: false });

/** One model as the view holds it. */
interface ModelEntry {
  /** The node's id: events that name a model by a name it no longer has are told apart by it. */
  id: string;
  name: string;
  /** The encoded model record; null while a refresh is due (lookups miss). */
  record: string | null;
  /** Alias name, version number, alias name, version number, … (a model has at most 100 aliases). */
  aliases: (string | number)[];
  /**
   * Char n-1 is the stage code of version n (0: no such version), as one-byte
   * text; trailing zeros are trimmed, so its length is the latest version.
   */
  stages: string;
  /** Version number, encoded record, … of the versions it names (aliases, latest, the newest per stage). */
  held: (number | string)[];
  /** Estimated bytes, kept current as the entry changes. */
  bytes: number;
}

/** What a batch of events left to fetch: model records, and records of versions the view names but does not hold. */
export interface RefreshNeeds {
  models: string[];
  versions: { modelName: string; version: number }[];
}

/** Figures for /metrics and the bench. */
export interface ViewStats {
  models: number;
  aliases: number;
  heldVersions: number;
  cachedVersions: number;
  bytes: number;
}

/** Records of versions looked up by number that no pointer names, kept for the next lookup. */
export const NUMBER_CACHE_SIZE = 10_000;

// Estimated V8 costs (64-bit, no pointer compression): an object with its
// slots, a Map entry, a string header, an array header.
const ENTRY_BYTES = 24 + 7 * 8 + 32;
const STRING_BYTES = 24;
const ARRAY_BYTES = 32;
const SLOT = 8;

const strBytes = (s: string | null): number => (s === null ? 0 : STRING_BYTES + s.length);

/**
 * The alias view: what every alias, `latest` and every stage of every model
 * points to, and the records of the versions they name, in memory. Pure data
 * and rules, no I/O: {@link AliasViewRuntime} builds it from a snapshot of the
 * graph, feeds it the event log in sequence order and fetches the records a
 * batch of events asks for.
 *
 * Applying an event changes pointers at once and drops every held record it
 * may have changed (so a stale record is never served: the lookup misses
 * until the refresh installs it again). Every change is keyed so that
 * replaying an event the snapshot already reflects changes nothing: aliases
 * and stages are set to the event's value, and events naming a model by a
 * name that now belongs to another node (a rename, a delete and re-create)
 * are told apart by the model's id.
 */
export class AliasView {
  private readonly models = new Map<string, ModelEntry>();
  private readonly touched = new Set<ModelEntry>();
  /** `${modelId}\u0000${version}` → encoded record, least recently used first. */
  private readonly numberCache = new Map<string, string>();
  private readonly aliasNames = new Map<string, string>();
  /** Versions looked up by number that the view should fetch into its cache (keys of numberCache). */
  private readonly wanted = new Map<string, { modelName: string; version: number }>();
  private aliasCount = 0;
  private entryBytes = 0;
  private cacheBytes = 0;

  // ------------------------------------------------------------ lookups

  /** `alias` may be `latest`. */
  byAlias(modelName: string, alias: string): ViewAnswer {
    const e = this.models.get(modelName);
    if (!e) return MISS;
    if (e.record === null) return MISS;
    const n = alias === LATEST ? e.stages.length : aliasTarget(e, alias);
    return this.answer(e, n);
  }

  byNumber(modelName: string, version: number): ViewAnswer {
    const e = this.models.get(modelName);
    if (!e) return MISS;
    if (e.record === null) return MISS;
    if (!exists(e, version)) return MISS;
    const held = heldRecord(e, version);
    if (held !== null) return this.answer(e, version, held);
    const key = cacheKey(e.id, version);
    const cached = this.numberCache.get(key);
    if (cached === undefined) return MISS;
    this.numberCache.delete(key);
    this.numberCache.set(key, cached);
    return this.answer(e, version, cached);
  }

  /** The newest version in `stage`. */
  byStage(modelName: string, stage: Stage): ViewAnswer {
    const e = this.models.get(modelName);
    if (!e) return MISS;
    if (e.record === null) return MISS;
    return this.answer(e, newestIn(e, stage));
  }

  /** The model record, when held. */
  model(modelName: string): ViewAnswer {
    const e = this.models.get(modelName);
    if (!e) return MISS;
    if (e.record === null) return MISS;
    return { hit: true, model: decodeModel(e.record, e.name), version: null };
  }

  private answer(e: ModelEntry, n: number, encoded: string | null = n > 0 ? heldRecord(e, n) : null): ViewAnswer {
    if (n === 0 || encoded === null) return MISS;
    const model = decodeModel(e.record!, e.name);
    const { record, extras } = decodeVersion(encoded);
    const version: VersionRecord = {
      ...record,
      modelName: e.name,
      version: n,
      model,
      held: { ...extras, aliases: aliasesOf(e, n) },
    };
    return { hit: true, model, version };
  }

  // ------------------------------------------------------------ building

  /** Replaces everything with a snapshot's model (build start). */
  clear(): void {
    this.models.clear();
    this.touched.clear();
    this.wanted.clear();
    this.numberCache.clear();
    this.aliasNames.clear();
    this.aliasCount = 0;
    this.entryBytes = 0;
    this.cacheBytes = 0;
  }

  /** Loads one model of a snapshot: its record, aliases (name → version) and each version's stage. */
  load(
    model: ModelRecord,
    aliases: readonly (readonly [string, number])[],
    versions: readonly (readonly [number, string])[],
  ): void {
    const codes: number[] = [];
    for (const [n, stage] of versions) {
      if (!Number.isSafeInteger(n) || n < 1) continue;
      while (codes.length < n) codes.push(0);
      codes[n - 1] = STAGE_CODE[stage as Stage] ?? 0;
    }
    while (codes.length && codes[codes.length - 1] === 0) codes.pop();
    const e: ModelEntry = {
      id: model.id,
      name: model.name,
      record: encodeModel(model),
      aliases: [],
      stages: Buffer.from(codes).toString('latin1'),
      held: [],
      bytes: 0,
    };
    for (const [alias, n] of aliases) this.setAlias(e, alias, n);
    this.put(e);
    this.touched.add(e);
  }

  // ------------------------------------------------------------ events

  /** Applies one committed event (in sequence order). */
  apply(ev: EventRecord): void {
    const name = ev.modelName;
    if (name === null) return;
    const after = (ev.after ?? {}) as Record<string, unknown>;
    const before = (ev.before ?? {}) as Record<string, unknown>;
    switch (ev.type) {
      case EventType.MODEL_CREATED: {
        const cur = this.models.get(name);
        if (cur && cur.id === ev.subjectId) break;
        if (cur) this.remove(cur);
        if (ev.subjectId) {
          const e: ModelEntry = { id: ev.subjectId, name, record: null, aliases: [], stages: '', held: [], bytes: 0 };
          this.put(e);
        }
        break;
      }
      case EventType.MODEL_DELETED: {
        const cur = this.models.get(name);
        if (cur && (ev.subjectId === null || cur.id === ev.subjectId)) this.remove(cur);
        return;
      }
      case EventType.MODEL_RENAMED: {
        const old = typeof before.name === 'string' ? before.name : null;
        const cur = old === null ? undefined : this.models.get(old);
        if (cur && cur.id === ev.subjectId) {
          const taken = this.models.get(name);
          if (taken) this.remove(taken);
          this.models.delete(cur.name);
          cur.name = name;
          this.models.set(name, cur);
        }
        break;
      }
      case EventType.VERSION_CREATED:
      case EventType.STAGE_CHANGED:
      case EventType.STAGE_ROLLBACK: {
        const e = this.models.get(name);
        const stage = after.stage;
        if (e && ev.version !== null && typeof stage === 'string' && stage in STAGE_CODE)
          setStage(e, ev.version, STAGE_CODE[stage as Stage]);
        break;
      }
      case EventType.VERSION_DELETED: {
        const e = this.models.get(name);
        if (e && ev.version !== null) {
          setStage(e, ev.version, 0);
          for (let i = 0; i < e.aliases.length; i += 2) {
            if (e.aliases[i + 1] === ev.version) {
              e.aliases.splice(i, 2);
              this.aliasCount--;
              i -= 2;
            }
          }
        }
        break;
      }
      case EventType.ALIAS_SET:
      case EventType.ROLLBACK: {
        const e = this.models.get(name);
        if (e && ev.alias !== null && ev.version !== null) this.setAlias(e, ev.alias, ev.version);
        break;
      }
      case EventType.ALIAS_DELETED: {
        const e = this.models.get(name);
        if (e && ev.alias !== null) {
          const i = aliasIndex(e, ev.alias);
          if (i >= 0) {
            e.aliases.splice(i, 2);
            this.aliasCount--;
          }
        }
        break;
      }
      default:
        break;
    }
    // Whatever else the event changed (an updated time, tags, a description, a
    // checksum, owners, gates...) is read again: the model's record always,
    // the version's when the event names one.
    const e = this.models.get(name);
    if (!e) return;
    e.record = null;
    if (ev.version !== null) {
      dropHeld(e, ev.version);
      this.uncache(e.id, ev.version);
    }
    this.touched.add(e);
  }

  /**
   * What the events applied since the last call need from the graph: the
   * record of every touched model, and of every version they name without
   * holding it. Held records no pointer names any more move to the number
   * cache.
   */
  needs(): RefreshNeeds {
    const out: RefreshNeeds = { models: [], versions: [] };
    for (const e of this.touched) {
      if (this.models.get(e.name) !== e) continue;
      const named = namedVersions(e);
      for (let i = 0; i < e.held.length; i += 2) {
        const n = e.held[i] as number;
        if (!named.has(n)) {
          this.cache(e.id, n, e.held[i + 1] as string);
          e.held.splice(i, 2);
          i -= 2;
        }
      }
      for (const n of named) {
        if (heldRecord(e, n) !== null) continue;
        const cached = this.numberCache.get(cacheKey(e.id, n));
        if (cached !== undefined) {
          this.uncache(e.id, n);
          e.held.push(n, cached);
        } else {
          out.versions.push({ modelName: e.name, version: n });
        }
      }
      if (e.record === null) out.models.push(e.name);
      this.measure(e);
    }
    this.touched.clear();
    for (const w of this.wanted.values()) out.versions.push(w);
    this.wanted.clear();
    return out;
  }

  /**
   * Asks for a version that a lookup by number missed to be fetched at the
   * next needs(), into the number cache. False when there is nothing to
   * fetch (no such version, or it is held already).
   */
  want(modelName: string, version: number): boolean {
    const e = this.models.get(modelName);
    if (!e || !exists(e, version) || heldRecord(e, version) !== null) return false;
    const key = cacheKey(e.id, version);
    if (this.numberCache.has(key) || this.wanted.has(key) || this.wanted.size >= 1000) return false;
    this.wanted.set(key, { modelName, version });
    return true;
  }

  /** Whether the next needs() has something to list (touched models, versions lookups asked for). */
  get pending(): boolean {
    return this.wanted.size > 0 || this.touched.size > 0;
  }

  /** Asks for the model's records again at the next needs() (after a refresh that failed). */
  touch(modelName: string): void {
    const e = this.models.get(modelName);
    if (e) this.touched.add(e);
  }

  /**
   * Installs a model record read after the events that asked for it. A record of another node by that name is ignored.
   */
  installModel(model: ModelRecord): void {
    const e = this.models.get(model.name);
    if (!e || e.id !== model.id) return;
    e.record = encodeModel(model);
    this.measure(e);
  }

  /**
   * Installs a version record (with its run and tags) read after the events
   * that asked for it: held while a pointer names it, else kept in the
   * number cache.
   */
  installVersion(v: VersionRecord, extras: HeldExtras): void {
    const e = this.models.get(v.modelName);
    if (!e || !exists(e, v.version)) return;
    const encoded = encodeVersion(v, extras);
    if (namedVersions(e).has(v.version)) {
      dropHeld(e, v.version);
      e.held.push(v.version, encoded);
      this.measure(e);
    } else {
      this.cache(e.id, v.version, encoded);
    }
  }

  stats(): ViewStats {
    let held = 0;
    for (const e of this.models.values()) held += e.held.length / 2;
    return {
      models: this.models.size,
      aliases: this.aliasCount,
      heldVersions: held,
      cachedVersions: this.numberCache.size,
      bytes: this.bytes,
    };
  }

  /** Estimated bytes held (records, pointers, the number cache, interned alias names). */
  get bytes(): number {
    return this.entryBytes + this.cacheBytes;
  }

  // ------------------------------------------------------------ internals

  private put(e: ModelEntry): void {
    this.models.set(e.name, e);
    this.measure(e);
  }

  private remove(e: ModelEntry): void {
    this.models.delete(e.name);
    this.aliasCount -= e.aliases.length / 2;
    this.entryBytes -= e.bytes;
    e.bytes = 0;
    const prefix = `${e.id}\u0000`;
    for (const key of this.numberCache.keys()) if (key.startsWith(prefix)) this.dropCached(key);
  }

  private measure(e: ModelEntry): void {
    let b =
      ENTRY_BYTES +
      strBytes(e.name) +
      strBytes(e.id) +
      strBytes(e.record) +
      strBytes(e.stages) +
      ARRAY_BYTES * 2 +
      SLOT * (e.aliases.length + e.held.length);
    for (let i = 1; i < e.held.length; i += 2) b += strBytes(e.held[i] as string);
    if (this.models.get(e.name) === e) this.entryBytes += b - e.bytes;
    e.bytes = b;
  }

  private setAlias(e: ModelEntry, alias: string, n: number): void {
    const i = aliasIndex(e, alias);
    if (i >= 0) {
      e.aliases[i + 1] = n;
      return;
    }
    // Alias names repeat across models (production, champion, ...): one string each.
    let name = this.aliasNames.get(alias);
    if (name === undefined) {
      name = alias;
      this.aliasNames.set(alias, alias);
      this.entryBytes += STRING_BYTES * 2 + alias.length;
    }
    e.aliases.push(name, n);
    this.aliasCount++;
  }

  private cache(modelId: string, n: number, encoded: string): void {
    const key = cacheKey(modelId, n);
    this.dropCached(key);
    this.numberCache.set(key, encoded);
    this.cacheBytes += STRING_BYTES * 2 + key.length + encoded.length + SLOT * 3;
    while (this.numberCache.size > NUMBER_CACHE_SIZE) this.dropCached(this.numberCache.keys().next().value as string);
  }

  private uncache(modelId: string, n: number): void {
    this.dropCached(cacheKey(modelId, n));
  }

  private dropCached(key: string): void {
    const v = this.numberCache.get(key);
    if (v === undefined) return;
    this.numberCache.delete(key);
    this.cacheBytes -= STRING_BYTES * 2 + key.length + v.length + SLOT * 3;
  }
}

const cacheKey = (modelId: string, n: number) => `${modelId}\u0000${n}`;

function exists(e: ModelEntry, n: number): boolean {
  return n >= 1 && n <= e.stages.length && e.stages.charCodeAt(n - 1) !== 0;
}

function newestIn(e: ModelEntry, stage: Stage): number {
  return e.stages.lastIndexOf(String.fromCharCode(STAGE_CODE[stage])) + 1;
}

function setStage(e: ModelEntry, n: number, code: number): void {
  if (!Number.isSafeInteger(n) || n < 1) return;
  if (n > e.stages.length && code === 0) return;
  const codes = Buffer.alloc(Math.max(e.stages.length, n));
  codes.write(e.stages, 'latin1');
  codes[n - 1] = code;
  let len = codes.length;
  while (len > 0 && codes[len - 1] === 0) len--;
  e.stages = codes.subarray(0, len).toString('latin1');
}

function aliasIndex(e: ModelEntry, alias: string): number {
  for (let i = 0; i < e.aliases.length; i += 2) if (e.aliases[i] === alias) return i;
  return -1;
}

function aliasTarget(e: ModelEntry, alias: string): number {
  const i = aliasIndex(e, alias);
  return i < 0 ? 0 : (e.aliases[i + 1] as number);
}

function aliasesOf(e: ModelEntry, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < e.aliases.length; i += 2) if (e.aliases[i + 1] === n) out.push(e.aliases[i] as string);
  return out.sort();
}

function heldRecord(e: ModelEntry, n: number): string | null {
  for (let i = 0; i < e.held.length; i += 2) if (e.held[i] === n) return e.held[i + 1] as string;
  return null;
}

function dropHeld(e: ModelEntry, n: number): void {
  for (let i = 0; i < e.held.length; i += 2) {
    if (e.held[i] === n) {
      e.held.splice(i, 2);
      return;
    }
  }
}

/** The versions an entry's pointers name: its aliases' targets, the latest, the newest in each stage. */
function namedVersions(e: ModelEntry): Set<number> {
  const named = new Set<number>();
  for (let i = 1; i < e.aliases.length; i += 2) {
    const n = e.aliases[i] as number;
    if (exists(e, n)) named.add(n);
  }
  if (e.stages.length) named.add(e.stages.length);
  for (const s of STAGES) {
    const n = newestIn(e, s);
    if (n) named.add(n);
  }
  return named;
}
