import { ALIAS_EVENT_TYPES } from '../events/event-log.js';
import { statement } from '../graph/cypher.js';
import type { Executor } from '../graph/executor.js';
import { assertEventFilter, type EventRecord } from '../events/event-record.js';
import { eventForReader, type EventReader, type VisibleEvent } from '../events/event-visibility.js';
import type { VersionRecord } from './types.js';
import { assertAliasName, assertModelName } from './validation.js';

const Q = {
  auditLog: statement('registry/audit-log'),
  aliasHistory: statement('registry/alias-history'),
  aliasAt: statement('registry/alias-at'),
};

export interface AuditFilter {
  modelName?: string | null;
  actor?: string | null;
  types?: string[] | null;
  after?: string | null;
  before?: string | null;
}

export interface AliasHistoryEntry {
  sequence: string;
  type: string;
  at: string;
  actor: string;
  previousVersion: number | null;
  version: number | null;
  reason: string | null;
}

/**
 * Reads of the event log: the audit trail, one alias's history, and time
 * travel. They answer from the same events the mutations appended, so none
 * can disagree with the data.
 */
export class AuditService {
  constructor(private readonly executor: Executor) {}

  /** A page of the log as `reader` may see it (src/events/event-visibility.ts). */
  async auditLog(
    filter: AuditFilter,
    first: number,
    afterSequence: string | null,
    reader: EventReader,
  ): Promise<VisibleEvent[]> {
    // The subscriptions' rule: a type that is not an event type name can match nothing.
    assertEventFilter({ types: filter.types ?? null });
    const rows = await this.executor.read<EventRecord & { before: string | null; after: string | null }>(Q.auditLog, {
      modelName: filter.modelName ?? null,
      actor: filter.actor ?? null,
      types: filter.types?.length ? filter.types : null,
      after: filter.after ?? null,
      before: filter.before ?? null,
      cursor: afterSequence,
      limit: first + 1,
    });
    return rows.map((r) => eventForReader({ ...r, before: parse(r.before), after: parse(r.after) }, reader));
  }

  async aliasHistory(
    modelName: string,
    alias: string,
    first: number,
    afterSequence: string | null,
  ): Promise<AliasHistoryEntry[]> {
    assertModelName(modelName, 'modelName');
    assertAliasName(alias);
    const rows = await this.executor.read<{
      sequence: string;
      type: string;
      at: string;
      actor: string;
      version: number | null;
      before: string | null;
      after: string | null;
    }>(Q.aliasHistory, {
      modelName,
      alias,
      types: ALIAS_EVENT_TYPES,
      cursor: afterSequence,
      limit: first + 1,
    });
    return rows.map((r) => {
      const before = parse(r.before) as { version?: number } | null;
      const after = parse(r.after) as { version?: number; reason?: string } | null;
      return {
        sequence: r.sequence,
        type: r.type,
        at: r.at,
        actor: r.actor,
        previousVersion: before?.version ?? null,
        version: r.version,
        reason: after?.reason ?? null,
      };
    });
  }

  /** The version the alias pointed to at `at` (inclusive of a move at that instant), or null. */
  async aliasAt(modelName: string, alias: string, at: string): Promise<VersionRecord | null> {
    assertModelName(modelName, 'modelName');
    assertAliasName(alias);
    const [row] = await this.executor.read<{ type: string; version: VersionRecord | null }>(Q.aliasAt, {
      modelName,
      alias,
      at,
      types: ALIAS_EVENT_TYPES,
    });
    return row?.version ?? null;
  }
}

function parse(text: string | null): unknown {
  return text === null ? null : JSON.parse(text);
}
