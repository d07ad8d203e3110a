import { statement } from '../graph/cypher.js';
import type { Tx } from '../graph/executor.js';

/**
 * Every event type the registry writes. Subscriptions, webhooks, the audit
 * log, alias history and time travel all read these, so adding a mutation
 * means adding its type here.
 */
export const EventType = {
  MODEL_CREATED: 'MODEL_CREATED',
  MODEL_UPDATED: 'MODEL_UPDATED',
  MODEL_DELETED: 'MODEL_DELETED',
  MODEL_TAG_SET: 'MODEL_TAG_SET',
  MODEL_TAG_DELETED: 'MODEL_TAG_DELETED',
  VERSION_CREATED: 'VERSION_CREATED',
  VERSION_UPDATED: 'VERSION_UPDATED',
  VERSION_TAG_SET: 'VERSION_TAG_SET',
  VERSION_TAG_DELETED: 'VERSION_TAG_DELETED',
  STAGE_CHANGED: 'STAGE_CHANGED',
  STAGE_ROLLBACK: 'STAGE_ROLLBACK',
  EVIDENCE_ADDED: 'EVIDENCE_ADDED',
  GATES_SET: 'GATES_SET',
  ARCHIVAL_CHECKLIST_SET: 'ARCHIVAL_CHECKLIST_SET',
  ARCHIVAL_CHECKLIST_ITEM_COMPLETED: 'ARCHIVAL_CHECKLIST_ITEM_COMPLETED',
  ROLLBACK_DRILL_RECORDED: 'ROLLBACK_DRILL_RECORDED',
  PROTECTED_ALIASES_SET: 'PROTECTED_ALIASES_SET',
  ALIAS_SET: 'ALIAS_SET',
  ALIAS_DELETED: 'ALIAS_DELETED',
  ROLLBACK: 'ROLLBACK',
  WEBHOOK_CREATED: 'WEBHOOK_CREATED',
  WEBHOOK_DELETED: 'WEBHOOK_DELETED',
  WEBHOOK_UPDATED: 'WEBHOOK_UPDATED',
  TOKEN_CREATED: 'TOKEN_CREATED',
  TOKEN_REVOKED: 'TOKEN_REVOKED',
  MODEL_OWNERS_SET: 'MODEL_OWNERS_SET',
  PROMOTION_REQUESTED: 'PROMOTION_REQUESTED',
  PROMOTION_APPROVAL_ADDED: 'PROMOTION_APPROVAL_ADDED',
  PROMOTION_APPROVED: 'PROMOTION_APPROVED',
  PROMOTION_REJECTED: 'PROMOTION_REJECTED',
  PROMOTION_CANCELLED: 'PROMOTION_CANCELLED',
  DATASET_VERSION_REGISTERED: 'DATASET_VERSION_REGISTERED',
  RUN_CREATED: 'RUN_CREATED',
  RUN_FINISHED: 'RUN_FINISHED',
  PROVIDER_MODEL_REGISTERED: 'PROVIDER_MODEL_REGISTERED',
  PREDICTIONS_LOGGED: 'PREDICTIONS_LOGGED',
  MODEL_RELATION_ADDED: 'MODEL_RELATION_ADDED',
  MODEL_RENAMED: 'MODEL_RENAMED',
  VERSION_DELETED: 'VERSION_DELETED',
  VERSION_CHECKSUM_ATTACHED: 'VERSION_CHECKSUM_ATTACHED',
  MLFLOW_EXPERIMENT_CREATED: 'MLFLOW_EXPERIMENT_CREATED',
  MLFLOW_EXPERIMENT_UPDATED: 'MLFLOW_EXPERIMENT_UPDATED',
  RUN_LOGGED: 'RUN_LOGGED',
  LOGGED_MODEL_CREATED: 'LOGGED_MODEL_CREATED',
  LOGGED_MODEL_UPDATED: 'LOGGED_MODEL_UPDATED',
  DEPLOYMENT_RECORDED: 'DEPLOYMENT_RECORDED',
  DEPLOYMENT_CHECKSUM_MISMATCH: 'DEPLOYMENT_CHECKSUM_MISMATCH',
  MODEL_CARD_SECTION_SET: 'MODEL_CARD_SECTION_SET',
  SIGNING_KEY_CREATED: 'SIGNING_KEY_CREATED',
  PROVIDER_VERSION_RECORDED: 'PROVIDER_VERSION_RECORDED',
  PROVIDER_VERSION_QUALIFICATION_SET: 'PROVIDER_VERSION_QUALIFICATION_SET',
  PROVIDER_VERSION_DEPRECATED: 'PROVIDER_VERSION_DEPRECATED',
  MONITORING_RULE_SET: 'MONITORING_RULE_SET',
  HEALTH_SIGNALS_INGESTED: 'HEALTH_SIGNALS_INGESTED',
  ALERT_RAISED: 'ALERT_RAISED',
  ALERT_RESOLVED: 'ALERT_RESOLVED',
  // OpenLineage ingestion (src/provenance/openlineage): runs and dataset versions
  // use RUN_CREATED, RUN_FINISHED and DATASET_VERSION_REGISTERED like GraphQL.
  VERSION_RUN_LINKED: 'VERSION_RUN_LINKED',
  RUN_UPDATED: 'RUN_UPDATED',
  JOB_RECORDED: 'JOB_RECORDED',
  DATASET_RECORDED: 'DATASET_RECORDED',
  ARTIFACT_STORED: 'ARTIFACT_STORED',
  ARTIFACT_DELETED: 'ARTIFACT_DELETED',
  ARTIFACTS_SEALED: 'ARTIFACTS_SEALED',
  ARTIFACT_CHECKSUM_MISMATCH: 'ARTIFACT_CHECKSUM_MISMATCH',
} as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

/** Event types whose payload is an alias move (they feed aliasChanged and aliasHistory). */
export const ALIAS_EVENT_TYPES: readonly string[] = [EventType.ALIAS_SET, EventType.ALIAS_DELETED, EventType.ROLLBACK];

export interface NewEvent {
  type: EventType | string;
  actor: string;
  modelName?: string | null;
  version?: number | null;
  alias?: string | null;
  /** Id of the node the event is about, when it is not a model version. */
  subjectId?: string | null;
  before?: unknown;
  after?: unknown;
}

export interface AppendedEvent {
  /** Decimal string: sequences are 64-bit. */
  sequence: string;
  at: string;
}

const Q = { append: statement('events/append-events') };

/**
 * Appends an event inside the caller's write transaction: it commits or rolls
 * back with the change it describes. Call it last in the transaction: it takes
 * the global sequence lock, which is held until commit.
 */
export async function appendEvent(tx: Tx, e: NewEvent): Promise<AppendedEvent> {
  return (await appendEvents(tx, [e]))[0]!;
}

/**
 * Appends several events, in order, in one statement: they get consecutive
 * sequences (and times 1 ms apart), and the global sequence lock is taken
 * once. Batched writes append all their events this way, last.
 */
export async function appendEvents(tx: Tx, events: readonly NewEvent[]): Promise<AppendedEvent[]> {
  if (events.length === 0) return [];
  const rows = await tx.run<AppendedEvent>(Q.append, {
    events: events.map((e) => ({
      type: e.type,
      actor: e.actor,
      modelName: e.modelName ?? null,
      version: e.version ?? null,
      alias: e.alias ?? null,
      subjectId: e.subjectId ?? null,
      before: e.before === undefined || e.before === null ? null : JSON.stringify(e.before),
      after: e.after === undefined || e.after === null ? null : JSON.stringify(e.after),
    })),
  });
  if (rows.length !== events.length) throw new Error('event counter missing: migrations have not run');
  return rows;
}
