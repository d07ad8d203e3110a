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
 *
 * A miss whose pointer the view has but whose records it has not read yet
 * names them in `fetch`: the caller asks for them (AliasViewSource.want), so
 * the next lookup is a hit.
 */
export type ViewAnswer =
  | { hit: true; model: ModelRecord | null; version: VersionRecord | null }
  | { hit: false; fetch?: { modelName: string; version: number | null } };

const MISS: ViewAnswer = Object.freeze({ hit: false });

/** One model as the view holds it. */
interface ModelEntry {
  /** The node's id: events that name a model by a name it no longer has are told apart by it. */
  id: string;
  name: string;
  /** The encoded model record; null until first read, and while a refresh is due (lookups miss). */
  record: string | null;
  /** Alias name, version number, alias name, version number, … (a model has at most 100 aliases). */
  aliases: (string | number)[];
  /**
   * Char n-1 is the stage code of version n (0: no such version), as one-byte
   * text; trailing zeros are trimmed, so its length is the latest version.
   */
  stages: string;
  /**
   * Someone looked this model up: events that touch it read its records again
   * (the model's, and those of the versions its pointers name), so its lookups
   * stay hits. A model nobody reads costs only its pointers.
   */
  hot: boolean;
  /** The view's event count when an event last touched this model (see {@link AliasView.needs}). */
  changedAt: number;
  /** Estimated bytes, kept current as the entry changes. */
  bytes: number;
}

/** What a batch of events left to fetch: model records, and records of versions the view names but does not hold. */
export interface RefreshNeeds {
  models: string[];
  versions: { modelName: string; version: number }[];
  /** Pass to the installs: what is read for these needs is installed only where no event applied since. */
  mark: number;
}

/** Figures for /metrics and the bench. */
export interface ViewStats {
  models: number;
  aliases: number;
  /** Models whose records the view reads (someone looked them up). */
  hotModels: number;
  /** Version records in the record cache. */
  cachedVersions: number;
  /** Estimated bytes of the pointers (models, aliases, stages, model records). */
  pointerBytes: number;
  /** Estimated bytes of the version record cache. */
  cacheBytes: number;
  bytes: number;
}

// Estimated V8 costs (64-bit, no pointer compression): an object with its
// slots, a Map entry, a string header, an array header.
const ENTRY_BYTES = 24 + 8 * 8 + 32;
const STRING_BYTES = 24;
const ARRAY_BYTES = 32;
const SLOT = 8;

const strBytes = (s: string | null): number => (s === null ? 0 : STRING_BYTES + s.length);

/**
 * The alias view: what every alias, `latest` and every stage of every model
 * points to, in memory, and the records (model and version) of what is read,
 * in a bounded cache. Pure data and rules, no I/O: {@link AliasViewRuntime}
 * builds the pointers from a snapshot of the graph, feeds the view the event
 * log in sequence order and fetches the records it asks for.
 *
 * Pointers are loaded for every model; records are read when first looked up
 * (that lookup goes to Neo4j and asks for them), and from then on kept
 * current: events that touch a model someone reads read its records again.
 * Version records live in one least-recently-used cache of `recordLimit`
 * entries, so memory is the pointers plus a bounded cache, however many
 * aliases there are.
 *
 * Applying an event changes pointers at once and drops every record it may
 * have changed (so a stale record is never served: the lookup misses until
 * the refresh installs it again). Every change is keyed so that replaying an
 * event the snapshot already reflects changes nothing: aliases and stages are
 * set to the event's value, and events naming a model by a name that now
 * belongs to another node (a rename, a delete and re-create) are told apart by
 * the model's id (the record cache is keyed by it too).
 */
export class AliasView {
  private readonly models = new Map<string, ModelEntry>();
  private readonly touched = new Set<ModelEntry>();
  /** `${modelId}\u0000${version}` → encoded record, least recently used first. */
  private readonly records = new Map<string, string>();
  private readonly aliasNames = new Map<string, string>();
  /** Versions lookups missed that the view should read into its cache (keys of `records`). */
  private readonly wanted = new Map<string, { modelName: string; version: number }>();
  private aliasCount = 0;
  private hotCount = 0;
  /** Events applied so far: the clock that tells a record read before an event from one read after it. */
  private applied = 0;
  private entryBytes = 0;
  private cacheBytes = 0;

  /** `recordLimit`: version records the cache keeps (PEDIGREE_ALIAS_VIEW_RECORDS). */
  constructor(private readonly recordLimit: number) {}

  // ------------------------------------------------------------ lookups

  /** `alias` may be `latest`. */
  byAlias(modelName: string, alias: string): ViewAnswer {
    const e = this.models.get(modelName);
    if (!e) return MISS;
    return this.answer(e, alias === LATEST ? e.stages.length : aliasTarget(e, alias));
  }

  byNumber(modelName: string, version: number): ViewAnswer {
    const e = this.models.get(modelName);
    if (!e) return MISS;
    return this.answer(e, exists(e, version) ? version : 0);
  }

  /** The newest version in `stage`. */
  byStage(modelName: string, stage: Stage): ViewAnswer {
    const e = this.models.get(modelName);
    if (!e) return MISS;
    return this.answer(e, newestIn(e, stage));
  }

  /** Version `n` of the entry (0: none, asked of Neo4j) when both records are in; else a miss naming what to read. */
  private answer(e: ModelEntry, n: number): ViewAnswer {
    if (n === 0) return MISS;
    const key = cacheKey(e.id, n);
    const encoded = this.records.get(key);
    if (encoded === undefined || e.record === null) return { hit: false, fetch: { modelName: e.name, version: n } };
    this.records.delete(key);
    this.records.set(key, encoded);
    const model = decodeModel(e.record, e.name);
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
    this.records.clear();
    this.aliasNames.clear();
    this.aliasCount = 0;
    this.hotCount = 0;
    this.entryBytes = 0;
    this.cacheBytes = 0;
  }

  /** Loads one model's pointers from a snapshot: its id and name, aliases (name → version) and each version's stage. */
  load(
    model: Pick<ModelRecord, 'id' | 'name'>,
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
      record: null,
      aliases: [],
      stages: Buffer.from(codes).toString('latin1'),
      hot: false,
      changedAt: this.applied,
      bytes: 0,
    };
    for (const [alias, n] of aliases) this.setAlias(e, alias, n);
    this.put(e);
  }

  // ------------------------------------------------------------ events

  /** Applies one committed event (in sequence order). */
  apply(ev: EventRecord): void {
    const name = ev.modelName;
    if (name === null) return;
    this.applied++;
    const after = (ev.after ?? {}) as Record<string, unknown>;
    const before = (ev.before ?? {}) as Record<string, unknown>;
    switch (ev.type) {
      case EventType.MODEL_CREATED: {
        const cur = this.models.get(name);
        if (cur && cur.id === ev.subjectId) break;
        if (cur) this.remove(cur);
        if (ev.subjectId) {
          const e: ModelEntry = {
            id: ev.subjectId,
            name,
            record: null,
            aliases: [],
            stages: '',
            hot: false,
            changedAt: this.applied,
            bytes: 0,
          };
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
    const e = this.models.get(name);
    if (!e) return;
    if (POINTER_ONLY.has(ev.type)) {
      // An alias move changes alias nodes only, whose fields no record carries
      // (a version's aliases are read off the pointers): every record stays,
      // and a read in flight stays good. The refresh reads a newly named version.
      if (e.hot) this.touched.add(e);
      return;
    }
    // Whatever else the event changed (an updated time, tags, a description, a
    // checksum, owners, gates...) is read again: the model's record always,
    // the version's when the event names one.
    e.changedAt = this.applied;
    e.record = null;
    if (ev.version !== null) this.uncache(e.id, ev.version);
    if (e.hot) this.touched.add(e);
  }

  /**
   * What to read from the graph now: for every touched model someone reads,
   * its record and those of the versions its pointers name (alias targets,
   * `latest`, the newest per stage) that the cache lacks; and every version
   * a lookup asked for.
   *
   * Events go on being applied while the reads run. A record read after an
   * event was applied reflects it (the event had committed before the log
   * gave it out), but one read before may not: so the installs take the
   * `mark` and install nothing for a model an event touched after it (that
   * event asked for the model's records again, if someone reads it).
   */
  needs(): RefreshNeeds {
    const out: RefreshNeeds = { models: [], versions: [], mark: this.applied };
    const listed = new Set<string>();
    const version = (e: ModelEntry, n: number) => {
      const key = cacheKey(e.id, n);
      if (this.records.has(key) || listed.has(key)) return;
      listed.add(key);
      out.versions.push({ modelName: e.name, version: n });
    };
    for (const e of this.touched) {
      if (this.models.get(e.name) !== e) continue;
      if (e.record === null) out.models.push(e.name);
      for (const n of namedVersions(e)) version(e, n);
    }
    this.touched.clear();
    for (const [key, w] of this.wanted) {
      if (listed.has(key)) continue;
      listed.add(key);
      out.versions.push(w);
    }
    this.wanted.clear();
    return out;
  }

  /**
   * Asks for the records a lookup missed (a miss's `fetch`) to be read at
   * the next needs(): the model's record and, from then on, those of what
   * its pointers name as events move them; and version `version`. False when
   * there is nothing to read (no such model or version, or it is in).
   */
  want(modelName: string, version: number | null): boolean {
    const e = this.models.get(modelName);
    if (!e) return false;
    let more = false;
    if (!e.hot) {
      e.hot = true;
      this.hotCount++;
      this.touched.add(e);
      more = true;
    } else if (e.record === null && !this.touched.has(e)) {
      this.touched.add(e);
      more = true;
    }
    if (version === null || !exists(e, version)) return more;
    const key = cacheKey(e.id, version);
    if (this.records.has(key) || this.wanted.has(key) || this.wanted.size >= 1000) return more;
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
    if (e?.hot) this.touched.add(e);
  }

  /**
   * Installs a model record read after the events that asked for it. A record of another node by that name is ignored.
   */
  installModel(model: ModelRecord, mark: number): void {
    const e = this.models.get(model.name);
    if (!e || e.id !== model.id || e.changedAt > mark) return;
    e.record = encodeModel(model);
    this.measure(e);
  }

  /** Installs a version record (with its run and tags) read after the events that asked for it, into the cache. */
  installVersion(v: VersionRecord, extras: HeldExtras, mark: number): void {
    const e = this.models.get(v.modelName);
    if (!e || e.changedAt > mark || !exists(e, v.version)) return;
    this.cache(e.id, v.version, encodeVersion(v, extras));
  }

  stats(): ViewStats {
    return {
      models: this.models.size,
      aliases: this.aliasCount,
      hotModels: this.hotCount,
      cachedVersions: this.records.size,
      pointerBytes: this.entryBytes,
      cacheBytes: this.cacheBytes,
      bytes: this.bytes,
    };
  }

  /** Estimated bytes held (pointers, model records, interned alias names, the record cache). */
  get bytes(): number {
    return this.entryBytes + this.cacheBytes;
  }

  // ------------------------------------------------------------ internals

  private put(e: ModelEntry): void {
    this.models.set(e.name, e);
    this.measure(e);
  }

  /** Its cached version records are keyed by the model's id, which no other model has: they age out of the cache. */
  private remove(e: ModelEntry): void {
    this.models.delete(e.name);
    this.aliasCount -= e.aliases.length / 2;
    if (e.hot) this.hotCount--;
    this.entryBytes -= e.bytes;
    e.bytes = 0;
  }

  private measure(e: ModelEntry): void {
    const b =
      ENTRY_BYTES +
      strBytes(e.name) +
      strBytes(e.id) +
      strBytes(e.record) +
      strBytes(e.stages) +
      ARRAY_BYTES +
      SLOT * e.aliases.length;
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
    this.records.set(key, encoded);
    this.cacheBytes += STRING_BYTES * 2 + key.length + encoded.length + SLOT * 3;
    while (this.records.size > this.recordLimit) this.dropCached(this.records.keys().next().value as string);
  }

  private uncache(modelId: string, n: number): void {
    this.dropCached(cacheKey(modelId, n));
  }

  private dropCached(key: string): void {
    const v = this.records.get(key);
    if (v === undefined) return;
    this.records.delete(key);
    this.cacheBytes -= STRING_BYTES * 2 + key.length + v.length + SLOT * 3;
  }
}

/** Events that move pointers and change no record the view holds (see AliasView.apply). */
const POINTER_ONLY: ReadonlySet<string> = new Set([EventType.ALIAS_SET, EventType.ROLLBACK, EventType.ALIAS_DELETED]);

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
