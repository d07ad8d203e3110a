import neo4j from 'neo4j-driver';
import { statement } from './cypher.js';
import type { Executor } from './executor.js';

/**
 * A property value as a backup keeps it: plain JSON where JSON says it
 * exactly (strings, booleans, null, finite floats, lists), and a one-key
 * object otherwise: `{i: "42"}` a 64-bit integer, `{f: "NaN"}` a float JSON
 * cannot write, `{dt: [...]}` a datetime, `{d}` a date, `{ldt}`, `{lt}`, `{t}`
 * the local and offset times, `{du}` a duration, `{p}` a point, `{b}` bytes
 * (base64). A bare number is always a float, as the driver sends it.
 */
export type Encoded = null | boolean | number | string | Encoded[] | { [tag: string]: Encoded };

/** A node as the backup keeps it; `id` is its element id in the database it was read from. */
export interface NodeRecord {
  id: string;
  labels: string[];
  props: Record<string, Encoded>;
}

/** A relationship from node `a` to node `b` (element ids, like NodeRecord.id). */
export interface RelationshipRecord {
  id: string;
  type: string;
  a: string;
  b: string;
  props: Record<string, Encoded>;
}

/** A constraint or index as SHOW lists it. */
export interface SchemaItem {
  kind: 'constraint' | 'index';
  name: string;
  type: string;
  entityType: string;
  labelsOrTypes: string[];
  properties: string[];
}

const Q = {
  exportNodes: statement('backup/export-nodes'),
  exportRelationships: statement('backup/export-relationships'),
  nodesById: statement('backup/nodes-by-id'),
  relationshipsById: statement('backup/relationships-by-id'),
  constraints: statement('backup/schema-constraints'),
  indexes: statement('backup/schema-indexes'),
  neo4jVersion: statement('backup/neo4j-version'),
  lastSequence: statement('events/last-sequence'),
  anyNode: statement('backup/any-node'),
  restoreIndex: statement('backup/restore-index'),
  restoreNodes: statement('backup/restore-nodes'),
  restoreRelationships: statement('backup/restore-relationships'),
  restoreFinish: statement('backup/restore-finish'),
  restoreDropIndex: statement('backup/restore-drop-index'),
  awaitIndexes: statement('backup/await-indexes'),
};

/** Ids re-read per statement, rows loaded per transaction. */
const BATCH = 5000;

/**
 * The graph as records, for the backup (export while writes go on, re-read
 * what changed) and the restore (bulk load into an empty database, then read
 * it back for the digest). Values leave and enter here encoded (see
 * {@link Encoded}), so nothing above sees a driver type.
 */
export class GraphSnapshot {
  constructor(private readonly executor: Executor) {}

  /** Every node, streamed in one read (read committed: writes meanwhile may or may not show). */
  async *nodes(): AsyncGenerator<NodeRecord> {
    for await (const row of this.executor.streamRaw(Q.exportNodes)) yield nodeOf(row);
  }

  /** Every relationship, streamed in one read. */
  async *relationships(): AsyncGenerator<RelationshipRecord> {
    for await (const row of this.executor.streamRaw(Q.exportRelationships)) yield relationshipOf(row);
  }

  /** The nodes with these element ids that exist now (a missing id was deleted). */
  async nodesById(ids: readonly string[]): Promise<NodeRecord[]> {
    const out: NodeRecord[] = [];
    for (let i = 0; i < ids.length; i += BATCH) {
      for (const row of await this.executor.runRaw(Q.nodesById, { ids: ids.slice(i, i + BATCH) }, 'READ'))
        out.push(nodeOf(row));
    }
    return out;
  }

  async relationshipsById(ids: readonly string[]): Promise<RelationshipRecord[]> {
    const out: RelationshipRecord[] = [];
    for (let i = 0; i < ids.length; i += BATCH) {
      for (const row of await this.executor.runRaw(Q.relationshipsById, { ids: ids.slice(i, i + BATCH) }, 'READ'))
        out.push(relationshipOf(row));
    }
    return out;
  }

  /** Constraints and the indexes no constraint owns, by name. */
  async schema(): Promise<SchemaItem[]> {
    const item =
      (kind: SchemaItem['kind']) =>
      (r: Record<string, unknown>): SchemaItem => ({
        kind,
        name: String(r.name),
        type: String(r.type),
        entityType: String(r.entityType),
        labelsOrTypes: ((r.labelsOrTypes as string[] | null) ?? []).map(String),
        properties: ((r.properties as string[] | null) ?? []).map(String),
      });
    const constraints = (await this.executor.runRaw(Q.constraints, {}, 'READ')).map(item('constraint'));
    const indexes = (await this.executor.runRaw(Q.indexes, {}, 'READ')).map(item('index'));
    return [...constraints, ...indexes];
  }

  async neo4jVersion(): Promise<string> {
    const [row] = await this.executor.runRaw(Q.neo4jVersion, {}, 'READ');
    return row ? `${String(row.name)} ${String(row.version)} ${String(row.edition)}` : 'unknown';
  }

  /** The event log's last sequence (a decimal string; "0" before the first event). */
  async lastSequence(): Promise<string> {
    const [row] = await this.executor.runRaw(Q.lastSequence, {}, 'READ');
    return String(row?.sequence ?? '0');
  }

  async isEmpty(): Promise<boolean> {
    const [row] = await this.executor.runRaw(Q.anyNode, {}, 'READ');
    return row?.any !== true;
  }

  /** Before loading: the index that finds restored nodes by their key in the backup. */
  async beginLoad(): Promise<void> {
    await this.executor.runRaw(Q.restoreIndex);
    await this.executor.runRaw(Q.awaitIndexes);
  }

  /** One transaction of nodes (at most a few thousand). */
  async loadNodes(rows: readonly NodeRecord[]): Promise<void> {
    await this.executor.runRaw(Q.restoreNodes, {
      rows: rows.map((n) => ({ key: n.id, labels: n.labels, props: decodeProps(n.props) })),
    });
  }

  /** One transaction of relationships between nodes loaded before. */
  async loadRelationships(rows: readonly RelationshipRecord[]): Promise<void> {
    await this.executor.runRaw(Q.restoreRelationships, {
      rows: rows.map((r) => ({ a: r.a, b: r.b, type: r.type, props: decodeProps(r.props) })),
    });
  }

  /** After loading: removes the restore marks and their index. */
  async finishLoad(): Promise<void> {
    await this.executor.runRaw(Q.restoreFinish);
    await this.executor.runRaw(Q.restoreDropIndex);
  }

  /** Waits until every index and constraint is online. */
  async awaitIndexes(): Promise<void> {
    await this.executor.runRaw(Q.awaitIndexes);
  }
}

function nodeOf(row: Record<string, unknown>): NodeRecord {
  return {
    id: String(row.id),
    labels: (row.labels as string[]).map(String),
    props: encodeProps(row.props as Record<string, unknown>),
  };
}

function relationshipOf(row: Record<string, unknown>): RelationshipRecord {
  return {
    id: String(row.id),
    type: String(row.type),
    a: String(row.a),
    b: String(row.b),
    props: encodeProps(row.props as Record<string, unknown>),
  };
}

function encodeProps(props: Record<string, unknown>): Record<string, Encoded> {
  const out: Record<string, Encoded> = {};
  for (const [k, v] of Object.entries(props)) out[k] = encodeValue(v);
  return out;
}

function decodeProps(props: Record<string, Encoded>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(props)) out[k] = decodeValue(v);
  return out;
}

const n = (x: unknown): number => (neo4j.isInt(x) ? x.toNumber() : Number(x));

/** A driver value as {@link Encoded}; throws on a type a property cannot hold. */
export function encodeValue(v: unknown): Encoded {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number')
    return Number.isFinite(v) && !Object.is(v, -0) ? v : { f: Object.is(v, -0) ? '-0' : String(v) };
  if (typeof v === 'bigint' || neo4j.isInt(v)) return { i: String(v) };
  if (Array.isArray(v)) return v.map(encodeValue);
  if (v instanceof Int8Array || v instanceof Uint8Array)
    return { b: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
  if (neo4j.isDateTime(v)) {
    return {
      dt: [
        n(v.year),
        n(v.month),
        n(v.day),
        n(v.hour),
        n(v.minute),
        n(v.second),
        n(v.nanosecond),
        v.timeZoneOffsetSeconds === undefined || v.timeZoneOffsetSeconds === null ? null : n(v.timeZoneOffsetSeconds),
        v.timeZoneId ?? null,
      ],
    };
  }
  if (neo4j.isLocalDateTime(v))
    return { ldt: [n(v.year), n(v.month), n(v.day), n(v.hour), n(v.minute), n(v.second), n(v.nanosecond)] };
  if (neo4j.isDate(v)) return { d: [n(v.year), n(v.month), n(v.day)] };
  if (neo4j.isTime(v)) return { t: [n(v.hour), n(v.minute), n(v.second), n(v.nanosecond), n(v.timeZoneOffsetSeconds)] };
  if (neo4j.isLocalTime(v)) return { lt: [n(v.hour), n(v.minute), n(v.second), n(v.nanosecond)] };
  if (neo4j.isDuration(v)) return { du: [String(v.months), String(v.days), String(v.seconds), String(v.nanoseconds)] };
  if (neo4j.isPoint(v)) return { p: v.z === undefined ? [n(v.srid), v.x, v.y] : [n(v.srid), v.x, v.y, v.z] };
  throw new Error(`a property value of type ${Object.prototype.toString.call(v)} cannot be backed up`);
}

/** The driver value {@link encodeValue} read; throws on anything it could not have written. */
export function decodeValue(e: Encoded): unknown {
  if (e === null || typeof e === 'string' || typeof e === 'boolean' || typeof e === 'number') return e;
  if (Array.isArray(e)) return e.map(decodeValue);
  const [tag, ...more] = Object.keys(e);
  if (tag === undefined || more.length)
    throw new Error(`not an encoded property value: ${JSON.stringify(e).slice(0, 100)}`);
  const v = e[tag];
  const a = (): number[] => {
    if (!Array.isArray(v)) throw new Error(`encoded ${tag} must be a list`);
    return v as number[];
  };
  switch (tag) {
    case 'i':
      return neo4j.int(String(v));
    case 'f':
      return v === '-0' ? -0 : Number(v);
    case 'b':
      return new Int8Array(Buffer.from(String(v), 'base64'));
    case 'dt': {
      const [y, mo, d, h, mi, s, ns, offset, zone] = a() as unknown as [
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number | null,
        string | null,
      ];
      return new neo4j.types.DateTime(y, mo, d, h, mi, s, ns, offset ?? undefined, zone ?? undefined);
    }
    case 'ldt': {
      const [y, mo, d, h, mi, s, ns] = a() as [number, number, number, number, number, number, number];
      return new neo4j.types.LocalDateTime(y, mo, d, h, mi, s, ns);
    }
    case 'd': {
      const [y, mo, d] = a() as [number, number, number];
      return new neo4j.types.Date(y, mo, d);
    }
    case 't': {
      const [h, mi, s, ns, offset] = a() as [number, number, number, number, number];
      return new neo4j.types.Time(h, mi, s, ns, offset);
    }
    case 'lt': {
      const [h, mi, s, ns] = a() as [number, number, number, number];
      return new neo4j.types.LocalTime(h, mi, s, ns);
    }
    case 'du': {
      const [months, days, seconds, nanos] = a() as unknown as [string, string, string, string];
      return new neo4j.types.Duration(neo4j.int(months), neo4j.int(days), neo4j.int(seconds), neo4j.int(nanos));
    }
    case 'p': {
      const [srid, x, y, z] = a() as [number, number, number, number | undefined];
      return new neo4j.types.Point(srid, x, y, z);
    }
    default:
      throw new Error(`unknown encoded property tag "${tag}"`);
  }
}
