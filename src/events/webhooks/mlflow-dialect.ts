import { createHmac } from 'node:crypto';
import { badInput } from '../../errors.js';
import { statement } from '../../graph/cypher.js';
import type { Executor } from '../../graph/executor.js';
import { EventType } from '../event-log.js';
import type { EventRecord } from '../event-record.js';
import { PROMPT_TEXT_TAG } from '../../registry/prompts.js';
import type { DeliveryFormat, FormattedDelivery, SignableDelivery } from './dispatcher.js';

const Q = {
  subjects: statement('events/mlflow-webhook-subjects'),
};

/**
 * MLflow's webhook dialect (MLflow 3.3+): the events MLflow's webhooks
 * subscribe to, the payloads its server sends and the signature its receivers
 * check, over Pedigree's one delivery engine (durable deliveries, leases,
 * retries with backoff, dead letters, SSRF checks before every attempt).
 *
 * Signature, as MLflow's receivers verify it: `X-MLflow-Signature: v1,<base64
 * HMAC-SHA256(secret as UTF-8, "<delivery id>.<timestamp>.<body>")>`, with
 * `X-MLflow-Delivery-Id` and `X-MLflow-Timestamp` (unix seconds). The delivery
 * id is stable across the retries of one delivery (receivers may use it to
 * drop duplicates); the timestamp is the attempt's.
 */
export const MLFLOW_WEBHOOK_FORMAT = 'mlflow';

/**
 * Every `entity.action` MLflow's webhooks may subscribe to that Pedigree sends (budget policies are not Pedigree's).
 */
export const MLFLOW_WEBHOOK_EVENTS = [
  'registered_model.created',
  'model_version.created',
  'model_version_tag.set',
  'model_version_tag.deleted',
  'model_version_alias.created',
  'model_version_alias.deleted',
  'prompt.created',
  'prompt_version.created',
  'prompt_tag.set',
  'prompt_tag.deleted',
  'prompt_version_tag.set',
  'prompt_version_tag.deleted',
  'prompt_alias.created',
  'prompt_alias.deleted',
] as const;
export type MlflowWebhookEvent = (typeof MLFLOW_WEBHOOK_EVENTS)[number];

/** The Pedigree events an MLflow webhook can be sent for: the dispatcher turns only these into its deliveries. */
export const MLFLOW_SOURCE_EVENT_TYPES: readonly string[] = [
  EventType.MODEL_CREATED,
  EventType.VERSION_CREATED,
  EventType.VERSION_TAG_SET,
  EventType.VERSION_TAG_DELETED,
  EventType.MODEL_TAG_SET,
  EventType.MODEL_TAG_DELETED,
  EventType.ALIAS_SET,
  EventType.ROLLBACK,
  EventType.ALIAS_DELETED,
];

/** Tags MLflow keeps for itself on prompts: its payloads leave them out. */
const INTERNAL_PROMPT_TAGS = new Set(['mlflow.prompt.is_prompt', 'mlflow.prompt.text', '_mlflow_prompt_type']);

/** `{entity, action}` as MLflow's REST API spells it (proto enum names) ↔ `entity.action`. */
export function mlflowEventName(e: { entity?: unknown; action?: unknown }): MlflowWebhookEvent {
  const name = `${String(e?.entity ?? '').toLowerCase()}.${String(e?.action ?? '').toLowerCase()}`;
  if (!(MLFLOW_WEBHOOK_EVENTS as readonly string[]).includes(name)) {
    throw badInput(
      `webhook event ${JSON.stringify(e)} is not one Pedigree sends; events are {entity, action} of ${MLFLOW_WEBHOOK_EVENTS.join(', ')}`,
      { field: 'events' },
    );
  }
  return name as MlflowWebhookEvent;
}

export function mlflowEventJson(name: string): { entity: string; action: string } {
  const [entity, action] = name.split('.');
  return { entity: entity!.toUpperCase(), action: action!.toUpperCase() };
}

/** MLflow's signature header value for one attempt. */
export function mlflowSignature(secret: string, deliveryId: string, timestamp: string, body: string): string {
  return `v1,${createHmac('sha256', Buffer.from(secret, 'utf8')).update(`${deliveryId}.${timestamp}.${body}`).digest('base64')}`;
}

/** Headers of one attempt: signed when the webhook has a secret (MLflow's webhooks may have none). */
export function mlflowHeaders(d: SignableDelivery): Record<string, string> {
  const timestamp = String(Math.floor(d.at.getTime() / 1000));
  return {
    'x-mlflow-delivery-id': d.deliveryId,
    'x-mlflow-timestamp': timestamp,
    ...(d.secret ? { 'x-mlflow-signature': mlflowSignature(d.secret, d.deliveryId, timestamp, d.body) } : {}),
  };
}

/** The body MLflow's server POSTs: entity, action, timestamp (ISO), data. */
export function mlflowBody(event: string, timestamp: string, data: Record<string, unknown>): string {
  const [entity, action] = event.split('.');
  return JSON.stringify({ entity, action, timestamp, data });
}

/** MLflow's example payload for `event` (what test_webhook sends). */
export function examplePayload(event: MlflowWebhookEvent): Record<string, unknown> {
  const tags = { example_key: 'example_value' };
  switch (event) {
    case 'registered_model.created':
      return { name: 'example_model', tags, description: 'An example registered model' };
    case 'model_version.created':
      return {
        name: 'example_model',
        version: '1',
        source: 'models:/123',
        run_id: 'abcd1234abcd5678',
        tags,
        description: 'An example model version',
      };
    case 'model_version_tag.set':
      return { name: 'example_model', version: '1', key: 'example_key', value: 'example_value' };
    case 'model_version_tag.deleted':
      return { name: 'example_model', version: '1', key: 'example_key' };
    case 'model_version_alias.created':
      return { name: 'example_model', alias: 'example_alias', version: '1' };
    case 'model_version_alias.deleted':
      return { name: 'example_model', alias: 'example_alias' };
    case 'prompt.created':
      return { name: 'example_prompt', tags, description: 'An example prompt' };
    case 'prompt_version.created':
      return {
        name: 'example_prompt',
        version: '1',
        template: 'Hello {{name}}!',
        tags,
        description: 'An example prompt version',
      };
    case 'prompt_tag.set':
      return { name: 'example_prompt', key: 'example_key', value: 'example_value' };
    case 'prompt_tag.deleted':
      return { name: 'example_prompt', key: 'example_key' };
    case 'prompt_version_tag.set':
      return { name: 'example_prompt', version: '1', key: 'example_key', value: 'example_value' };
    case 'prompt_version_tag.deleted':
      return { name: 'example_prompt', version: '1', key: 'example_key' };
    case 'prompt_alias.created':
      return { name: 'example_prompt', alias: 'example_alias', version: '1' };
    case 'prompt_alias.deleted':
      return { name: 'example_prompt', alias: 'example_alias' };
  }
}

interface Subject {
  key: string;
  isPrompt: boolean;
  version: {
    source: string;
    description: string | null;
    runId: string | null;
    tags: { key: string; value: string }[];
  } | null;
}

const userTags = (tags: { key: string; value: string }[], prompt: boolean) =>
  Object.fromEntries(tags.filter((t) => !(prompt && INTERNAL_PROMPT_TAGS.has(t.key))).map((t) => [t.key, t.value]));

const onlyEntry = (o: unknown): [string, string] | null => {
  const entries = o && typeof o === 'object' ? Object.entries(o as Record<string, unknown>) : [];
  return entries.length === 1 ? [entries[0]![0], String(entries[0]![1])] : null;
};

/**
 * The MLflow delivery format: for each registry event the MLflow event it is
 * (a prompt's events under MLflow's prompt names) and its payload. A
 * registered model is a prompt when it was created as one (kind PROMPT:
 * MLflow's `mlflow.prompt.is_prompt` tag). Events MLflow has no name for get
 * no delivery.
 */
export class MlflowWebhookFormat implements DeliveryFormat {
  readonly name = MLFLOW_WEBHOOK_FORMAT;

  constructor(private readonly executor: Executor) {}

  headers(): Record<string, string> {
    return {};
  }

  sign(d: SignableDelivery): Record<string, string> {
    return mlflowHeaders(d);
  }

  async bodies(events: readonly EventRecord[]): Promise<FormattedDelivery[]> {
    const wanted = events.filter((e) => MLFLOW_SOURCE_EVENT_TYPES.includes(e.type) && e.modelName);
    if (wanted.length === 0) return events.map(() => null);
    const rows = await this.executor.read<Subject>(Q.subjects, {
      keys: wanted.map((e) => ({
        key: e.sequence,
        modelName: e.modelName,
        versionId: e.type === EventType.VERSION_CREATED ? e.subjectId : null,
      })),
    });
    const bySequence = new Map(rows.map((r) => [r.key, r]));
    return events.map((e) => {
      const s = bySequence.get(e.sequence);
      if (!s) return null;
      const topic = topicOf(e, s.isPrompt);
      if (!topic) return null;
      const data = payloadOf(e, topic, s);
      return data ? { topic, body: mlflowBody(topic, e.at, data) } : null;
    });
  }
}

function topicOf(e: EventRecord, prompt: boolean): MlflowWebhookEvent | null {
  switch (e.type) {
    case EventType.MODEL_CREATED:
      return prompt ? 'prompt.created' : 'registered_model.created';
    case EventType.VERSION_CREATED:
      return prompt ? 'prompt_version.created' : 'model_version.created';
    case EventType.VERSION_TAG_SET:
      return prompt ? 'prompt_version_tag.set' : 'model_version_tag.set';
    case EventType.VERSION_TAG_DELETED:
      return prompt ? 'prompt_version_tag.deleted' : 'model_version_tag.deleted';
    // MLflow names tag events of prompts only; a registered model's tags have none.
    case EventType.MODEL_TAG_SET:
      return prompt ? 'prompt_tag.set' : null;
    case EventType.MODEL_TAG_DELETED:
      return prompt ? 'prompt_tag.deleted' : null;
    case EventType.ALIAS_SET:
    case EventType.ROLLBACK:
      return prompt ? 'prompt_alias.created' : 'model_version_alias.created';
    case EventType.ALIAS_DELETED:
      return prompt ? 'prompt_alias.deleted' : 'model_version_alias.deleted';
  }
  return null;
}

function payloadOf(e: EventRecord, topic: MlflowWebhookEvent, s: Subject): Record<string, unknown> | null {
  const name = e.modelName!;
  const version = e.version == null ? null : String(e.version);
  const after = (e.after ?? {}) as Record<string, unknown>;
  switch (topic) {
    case 'registered_model.created':
    case 'prompt.created': {
      const tags = Array.isArray(after.tags) ? (after.tags as { key: string; value: string }[]) : [];
      return { name, tags: userTags(tags, s.isPrompt), description: (after.description as string | null) ?? null };
    }
    case 'model_version.created':
      return s.version
        ? {
            name,
            version,
            source: s.version.source,
            run_id: s.version.runId,
            tags: userTags(s.version.tags, false),
            description: s.version.description,
          }
        : null;
    case 'prompt_version.created':
      return s.version
        ? {
            name,
            version,
            template: s.version.tags.find((t) => t.key === PROMPT_TEXT_TAG)?.value ?? '',
            tags: userTags(s.version.tags, true),
            description: s.version.description,
          }
        : null;
    case 'model_version_tag.set':
    case 'prompt_version_tag.set':
    case 'prompt_tag.set': {
      const kv = onlyEntry(e.after);
      if (!kv) return null;
      return { name, ...(topic === 'prompt_tag.set' ? {} : { version }), key: kv[0], value: kv[1] };
    }
    case 'model_version_tag.deleted':
    case 'prompt_version_tag.deleted':
    case 'prompt_tag.deleted': {
      const kv = onlyEntry(e.before);
      if (!kv) return null;
      return { name, ...(topic === 'prompt_tag.deleted' ? {} : { version }), key: kv[0] };
    }
    case 'model_version_alias.created':
    case 'prompt_alias.created':
      return { name, alias: e.alias, version };
    case 'model_version_alias.deleted':
    case 'prompt_alias.deleted':
      return { name, alias: e.alias };
  }
}
