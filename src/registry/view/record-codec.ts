import type { ModelRecord, Stage, Tag, VersionRecord } from '../types.js';
import { STAGES } from '../types.js';

/**
 * Compact, lossless encodings of the records the alias view holds, so that
 * memory per alias stays small (README, "The alias view"). A record is one
 * string: fixed-width binary fields (UUIDs in 16 chars, sha256 digests in 32,
 * instants in 6) and length-prefixed text, every char in 0–255 unless a text
 * field itself has wider characters. V8 stores such a string in one byte per
 * char, with no per-field object or string headers. Decoding builds a fresh
 * object on every read, so no caller can change what the view holds.
 */

/** What the view holds of a version beyond its record: what MLflow's answer and the ModelVersion fields need. */
export interface HeldExtras {
  runId: string | null;
  /** Sorted by key, as the registry's tag loader returns them. */
  tags: Tag[];
}

/** A held version as decoded: the record (without `modelName` and `version`, which the view knows) and its extras. */
export interface DecodedVersion {
  record: Omit<VersionRecord, 'modelName' | 'version' | 'model'>;
  extras: HeldExtras;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SHA256 = /^sha256:[0-9a-f]{64}$/;
/** What `new Date(ms).toISOString()` gives back exactly (the graph edge maps every instant to it). */
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

// Tags of one encoded value.
const T_NULL = 0;
const T_TEXT = 1;
const T_UUID = 2;
const T_SHA256 = 3;
const T_INSTANT = 4;

class Writer {
  private readonly codes: number[] = [];
  private text = '';

  byte(n: number): void {
    this.codes.push(n & 0xff);
  }

  /** Unsigned integer, 7 bits per char (small lengths take one char). */
  varint(n: number): void {
    let v = n;
    while (v >= 0x80) {
      this.byte((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    this.byte(v);
  }

  private flushCodes(): void {
    for (let i = 0; i < this.codes.length; i += 4096)
      this.text += String.fromCharCode(...this.codes.slice(i, i + 4096));
    this.codes.length = 0;
  }

  raw(s: string): void {
    this.flushCodes();
    this.text += s;
  }

  hex(h: string): void {
    for (let i = 0; i < h.length; i += 2) this.byte(parseInt(h.slice(i, i + 2), 16));
  }

  value(v: string | null | undefined): void {
    if (v === null || v === undefined) return this.byte(T_NULL);
    if (UUID.test(v)) {
      this.byte(T_UUID);
      return this.hex(v.replace(/-/g, ''));
    }
    if (SHA256.test(v)) {
      this.byte(T_SHA256);
      return this.hex(v.slice(7));
    }
    if (ISO_MS.test(v)) {
      const ms = Date.parse(v);
      if (Number.isSafeInteger(ms) && ms >= 0 && ms < 2 ** 48 && new Date(ms).toISOString() === v) {
        this.byte(T_INSTANT);
        let x = ms;
        for (let i = 0; i < 6; i++) {
          this.byte(x % 256);
          x = Math.floor(x / 256);
        }
        return;
      }
    }
    this.byte(T_TEXT);
    this.varint(v.length);
    this.raw(v);
  }

  done(): string {
    this.flushCodes();
    return this.text;
  }
}

class Reader {
  private at = 0;
  constructor(private readonly s: string) {}

  byte(): number {
    return this.s.charCodeAt(this.at++);
  }

  varint(): number {
    let n = 0;
    let scale = 1;
    for (;;) {
      const b = this.byte();
      n += (b & 0x7f) * scale;
      if (b < 0x80) return n;
      scale *= 128;
    }
  }

  private hex(bytes: number): string {
    let out = '';
    for (let i = 0; i < bytes; i++) out += HEX[this.byte()]!;
    return out;
  }

  value(): string | null {
    const tag = this.byte();
    switch (tag) {
      case T_NULL:
        return null;
      case T_UUID: {
        const h = this.hex(16);
        return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
      }
      case T_SHA256:
        return `sha256:${this.hex(32)}`;
      case T_INSTANT: {
        let ms = 0;
        let scale = 1;
        for (let i = 0; i < 6; i++) {
          ms += this.byte() * scale;
          scale *= 256;
        }
        return new Date(ms).toISOString();
      }
      case T_TEXT: {
        const n = this.varint();
        const v = this.s.slice(this.at, this.at + n);
        this.at += n;
        return v;
      }
      default:
        throw new Error(`alias view: corrupt record (tag ${tag} at ${this.at - 1})`);
    }
  }
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Stage ↔ one char code (0 is "no version with this number"). */
export const STAGE_CODE: Readonly<Record<Stage, number>> = Object.freeze(
  Object.fromEntries(STAGES.map((s, i) => [s, i + 1])) as Record<Stage, number>,
);
export const stageOfCode = (code: number): Stage | null => STAGES[code - 1] ?? null;

// The fields encoded one by one; any other property of a record (one added
// to the graph later, such as a model's kind) travels as JSON, so the view
// never drops a field the Neo4j path would return.
const VERSION_FIELDS = new Set([
  'id',
  'modelName',
  'version',
  'model',
  'held',
  'stage',
  'everProduction',
  'semver',
  'source',
  'checksum',
  'fingerprint',
  'framework',
  'description',
  'createdAt',
  'updatedAt',
  'createdBy',
  'leftProductionAt',
]);
const MODEL_FIELDS = new Set([
  'id',
  'name',
  'description',
  'owner',
  'createdAt',
  'updatedAt',
  'gates',
  'owners',
  'protectedAliases',
  'archivalChecklist',
]);

function restOf(record: object, known: ReadonlySet<string>): string | null {
  const rest = Object.entries(record).filter(([k, v]) => !known.has(k) && v !== undefined);
  return rest.length ? JSON.stringify(Object.fromEntries(rest)) : null;
}

function parseRest(json: string | null): Record<string, unknown> {
  return json === null ? {} : (JSON.parse(json) as Record<string, unknown>);
}

/** Encodes a version record and its extras (modelName and version are the view's keys, not stored). */
export function encodeVersion(v: VersionRecord, extras: HeldExtras): string {
  const w = new Writer();
  w.byte(STAGE_CODE[v.stage] ?? 0);
  w.byte(v.everProduction ? 1 : 0);
  w.value(v.id);
  w.value(v.semver);
  w.value(v.source);
  w.value(v.checksum);
  w.value(v.fingerprint);
  w.value(v.framework);
  w.value(v.description);
  w.value(v.createdAt);
  w.value(v.updatedAt);
  w.value(v.createdBy);
  w.value(v.leftProductionAt ?? null);
  w.value(restOf(v, VERSION_FIELDS));
  w.value(extras.runId);
  w.varint(extras.tags.length);
  for (const t of extras.tags) {
    w.value(t.key);
    w.value(t.value);
  }
  return w.done();
}

export function decodeVersion(s: string): DecodedVersion {
  const r = new Reader(s);
  const stage = stageOfCode(r.byte()) ?? 'DEVELOPMENT';
  const everProduction = r.byte() === 1;
  const record = {
    id: r.value()!,
    semver: r.value()!,
    source: r.value()!,
    checksum: r.value(),
    fingerprint: r.value(),
    framework: r.value(),
    description: r.value(),
    createdAt: r.value()!,
    updatedAt: r.value()!,
    createdBy: r.value()!,
    leftProductionAt: r.value(),
    stage,
    everProduction,
    ...parseRest(r.value()),
  };
  const runId = r.value();
  const n = r.varint();
  const tags: Tag[] = [];
  for (let i = 0; i < n; i++) tags.push({ key: r.value()!, value: r.value()! });
  return { record, extras: { runId, tags } };
}

/** Encodes a model record without its name (the view's key). */
export function encodeModel(m: ModelRecord): string {
  const w = new Writer();
  w.value(m.id);
  w.value(m.description);
  w.value(m.owner);
  w.value(m.createdAt);
  w.value(m.updatedAt);
  w.value(m.gates);
  for (const list of [m.owners ?? [], m.protectedAliases ?? []]) {
    w.varint(list.length);
    for (const x of list) w.value(x);
  }
  w.value(restOf(m, MODEL_FIELDS));
  const checklist = m.archivalChecklist ?? null;
  w.byte(checklist === null ? 0 : 1);
  if (checklist !== null) {
    w.varint(checklist.length);
    for (const x of checklist) w.value(x);
  }
  return w.done();
}

export function decodeModel(s: string, name: string): ModelRecord {
  const r = new Reader(s);
  const id = r.value()!;
  const description = r.value();
  const owner = r.value();
  const createdAt = r.value()!;
  const updatedAt = r.value()!;
  const gates = r.value();
  const lists: string[][] = [];
  for (let k = 0; k < 2; k++) {
    const n = r.varint();
    const list: string[] = [];
    for (let i = 0; i < n; i++) list.push(r.value()!);
    lists.push(list);
  }
  const rest = parseRest(r.value());
  let archivalChecklist: string[] | null = null;
  if (r.byte() === 1) {
    const n = r.varint();
    archivalChecklist = [];
    for (let i = 0; i < n; i++) archivalChecklist.push(r.value()!);
  }
  return {
    ...rest,
    id,
    name,
    description,
    owner,
    owners: lists[0]!,
    protectedAliases: lists[1]!,
    createdAt,
    updatedAt,
    gates,
    archivalChecklist,
  } as ModelRecord;
}
