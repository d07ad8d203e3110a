import { badInput } from '../errors.js';
import { statement } from '../graph/cypher.js';
import type { Executor } from '../graph/executor.js';
import { assertAliasName, assertModelName } from '../registry/validation.js';

/** One committed event as read back from the log. */
export interface EventRecord {
  /** Decimal string: sequences are 64-bit. */
  sequence: string;
  type: string;
  /** ISO 8601. */
  at: string;
  actor: string;
  modelName: string | null;
  version: number | null;
  alias: string | null;
  subjectId: string | null;
  /** Parsed JSON (the log stores text). */
  before: unknown;
  after: unknown;
}

/** Which events a reader wants; absent fields match everything. */
export interface EventFilter {
  modelName?: string | null;
  alias?: string | null;
  types?: readonly string[] | null;
}

const Q = {
  after: statement('events/read-events-after'),
  last: statement('events/last-sequence'),
};

/** Sequences compare as integers; they travel as decimal strings. */
export const seq = (s: string): bigint => BigInt(s);

/**
 * Parses a client-supplied sequence (an `after` argument). Throws BAD_USER_INPUT
 * unless it is a decimal integer in [0, 2^63).
 */
export function parseSequence(value: string, field = 'after'): string {
  if (typeof value !== 'string' || !/^(0|[1-9][0-9]{0,18})$/.test(value) || BigInt(value) >= 2n ** 63n) {
    throw badInput(
      `${field} must be an event sequence (a decimal integer string such as "42"), got ${JSON.stringify(value)}`,
      {
        field,
      },
    );
  }
  return value;
}

/** Event type names as the log writes them (ALIAS_SET, MODEL_CREATED, …). */
export const EVENT_TYPE_NAME = /^[A-Z][A-Z0-9_]{0,63}$/;

/**
 * Checks a client-supplied filter: a model or alias name no model or alias
 * can have, or a type that is not an event type name, would never match, so
 * it is refused (BAD_USER_INPUT) rather than waited on forever.
 */
export function assertEventFilter(f: EventFilter): void {
  if (f.modelName != null) assertModelName(f.modelName, 'modelName');
  if (f.alias != null) assertAliasName(f.alias);
  if (f.types != null) {
    if (f.types.length > 100)
      throw badInput(`at most 100 event types in a filter; got ${f.types.length}`, { field: 'types' });
    const bad = f.types.find((t) => typeof t !== 'string' || !EVENT_TYPE_NAME.test(t));
    if (bad !== undefined) {
      throw badInput(
        `types must be event type names such as ALIAS_SET (upper-case letters, digits and "_"); got ${JSON.stringify(String(bad).slice(0, 80))}`,
        {
          field: 'types',
        },
      );
    }
  }
}

export function matches(e: EventRecord, f: EventFilter): boolean {
  if (f.modelName != null && e.modelName !== f.modelName) return false;
  if (f.alias != null && e.alias !== f.alias) return false;
  if (f.types != null && !f.types.includes(e.type)) return false;
  return true;
}

interface Row extends Omit<EventRecord, 'before' | 'after'> {
  before: string | null;
  after: string | null;
}

/** Reads the event log by sequence. */
export class EventLogReader {
  constructor(private readonly executor: Executor) {}

  /** Up to `limit` events with sequence > `after` matching `filter`, in sequence order. */
  async readAfter(after: string, filter: EventFilter = {}, limit = 500): Promise<EventRecord[]> {
    const rows = await this.executor.read<Row>(Q.after, {
      after,
      modelName: filter.modelName ?? null,
      alias: filter.alias ?? null,
      types: filter.types && filter.types.length ? [...filter.types] : null,
      limit,
    });
    return rows.map((r) => ({ ...r, before: parseJson(r.before), after: parseJson(r.after) }));
  }

  /** The newest committed sequence ("0" on an empty log). */
  async lastSequence(): Promise<string> {
    const [row] = await this.executor.read<{ sequence: string }>(Q.last);
    return row?.sequence ?? '0';
  }
}

function parseJson(text: string | null): unknown {
  if (text === null || text === undefined) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
