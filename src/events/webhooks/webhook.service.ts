import { createHash, randomUUID } from 'node:crypto';
import { badInput, notFound } from '../../errors.js';
import type { Caller } from '../../governance/policy.js';
import { unknownAfter, type ListPage } from '../../paging.js';
import { statement } from '../../graph/cypher.js';
import type { Executor } from '../../graph/executor.js';
import { appendEvent, EventType } from '../event-log.js';
import { EVENT_TYPE_NAME } from '../event-record.js';
import { urlOrigin } from '../event-visibility.js';
import { checkWebhookTarget, type WebhookTargetPolicy } from './ssrf.js';
import { seal } from '../../crypto/sealed.js';
import { generateWebhookSecret } from './signature.js';
import { unseal } from '../../crypto/sealed.js';
import {
  examplePayload,
  MLFLOW_SOURCE_EVENT_TYPES,
  MLFLOW_WEBHOOK_EVENTS,
  MLFLOW_WEBHOOK_FORMAT,
  mlflowBody,
  mlflowHeaders,
  type MlflowWebhookEvent,
} from './mlflow-dialect.js';
import { postTo } from './sender.js';

const Q = {
  create: statement('events/create-webhook'),
  update: statement('events/update-webhook'),
  listFormat: statement('events/list-format-webhooks'),
  remove: statement('events/delete-webhook'),
  list: statement('events/list-webhooks'),
  get: statement('events/get-webhook'),
  deliveries: statement('events/list-deliveries'),
  countDeliveries: statement('events/count-deliveries'),
  secret: statement('events/webhook-secret'),
};

export interface Webhook {
  id: string;
  url: string;
  /** Empty: every event type. */
  eventTypes: string[];
  description: string | null;
  createdAt: string;
  createdBy: string;
  /** The delivery format (null: Standard Webhooks; `mlflow`; `openlineage`). */
  format?: string | null;
  /** MLflow's dialect: the webhook's name, ACTIVE or DISABLED, the MLflow events it subscribes to. */
  name?: string | null;
  status?: string | null;
  topics?: string[] | null;
  updatedAt?: string;
}

/** An MLflow-dialect webhook as MLflow's create_webhook / update_webhook give it. */
export interface MlflowWebhookInput {
  name?: string | null;
  url?: string | null;
  /** MLflow event names (`model_version.created`). */
  events?: readonly string[] | null;
  description?: string | null;
  /** Any string (MLflow's secrets are the user's); empty or null: deliveries go unsigned. */
  secret?: string | null;
  status?: 'ACTIVE' | 'DISABLED' | null;
}

/** What test_webhook answers: MLflow's WebhookTestResult. */
export interface WebhookTestResult {
  success: boolean;
  responseStatus: number | null;
  responseBody: string | null;
  errorMessage: string | null;
}

export type DeliveryStatus = 'PENDING' | 'DELIVERED' | 'DEAD_LETTER';

export interface WebhookDelivery {
  id: string;
  webhookId: string;
  sequence: string;
  eventType: string;
  status: DeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  lastAttemptAt: string | null;
  deliveredAt: string | null;
  nextAttemptAtMs: number | null;
}

export interface RegisterWebhookInput {
  url: string;
  eventTypes?: readonly string[] | null;
  description?: string | null;
}

const MAX_URL = 2048;
/** Event types one webhook filters on (there are fewer kinds of event than this). */
export const MAX_WEBHOOK_EVENT_TYPES = 100;

/**
 * A webhook's target as the append-only log keeps it: the origin and a
 * SHA-256 of the whole URL, never the URL, whose path and query often carry
 * the receiver's credential (a log entry cannot be purged after a rotation).
 * The webhook node holds the URL while it exists (`webhooks`, ADMIN only);
 * the fingerprint lets an admin match a URL they hold against the log.
 */
function loggedTarget(url: string): { url: string | null; urlSha256: string } {
  return { url: urlOrigin(url), urlSha256: createHash('sha256').update(url).digest('hex') };
}

function checkedUrl(url: unknown): string {
  if (typeof url !== 'string' || url === '' || url.length > MAX_URL)
    throw badInput(`url must be an http(s) URL of at most ${MAX_URL} characters`, { field: 'url' });
  return url;
}

function requiredText(v: unknown, field: string, max: number): string {
  if (typeof v !== 'string' || v.trim() === '' || v.length > max)
    throw badInput(`${field} must be a non-empty string of at most ${max} characters`, { field });
  return v;
}

function optionalText(v: unknown, field: string, max: number): string | null {
  if (v === undefined || v === null || v === '') return null;
  return requiredText(v, field, max);
}

function status(v: unknown): 'ACTIVE' | 'DISABLED' | null {
  if (v === undefined || v === null || v === '') return null;
  if (v !== 'ACTIVE' && v !== 'DISABLED')
    throw badInput(`status must be ACTIVE or DISABLED, got ${JSON.stringify(v)}`, { field: 'status' });
  return v;
}

/** MLflow event names, checked and de-duplicated; null when not given and not `required`. */
function mlflowTopics(events: readonly string[] | null | undefined, required: boolean): string[] | null {
  if (!events || events.length === 0) {
    if (required) throw badInput('events must name at least one MLflow event', { field: 'events' });
    return null;
  }
  const bad = events.find((e) => !(MLFLOW_WEBHOOK_EVENTS as readonly string[]).includes(e));
  if (bad !== undefined)
    throw badInput(
      `events must be MLflow webhook events (${MLFLOW_WEBHOOK_EVENTS.join(', ')}), got ${JSON.stringify(bad)}`,
      { field: 'events' },
    );
  return [...new Set(events)];
}

/** Registering, listing and removing webhooks; reading their delivery log. */
export class WebhookService {
  constructor(
    private readonly executor: Executor,
    private readonly policy: () => WebhookTargetPolicy,
    /** PEDIGREE_SIGNING_SECRET: with it, webhook secrets are stored sealed. */
    private readonly signingSecret: string | null = null,
  ) {}

  /** Checks the target (SSRF), stores the webhook and returns it with its secret, which is shown only here. */
  async register(
    caller: Pick<Caller, 'name'>,
    input: RegisterWebhookInput,
  ): Promise<{ webhook: Webhook; secret: string }> {
    if (typeof input.url !== 'string' || input.url.length > MAX_URL) {
      throw badInput(`url must be an http(s) URL of at most ${MAX_URL} characters`, { field: 'url' });
    }
    const eventTypes = [...new Set(input.eventTypes ?? [])];
    if (eventTypes.length > MAX_WEBHOOK_EVENT_TYPES)
      throw badInput(`eventTypes holds at most ${MAX_WEBHOOK_EVENT_TYPES} types`, {
        field: 'eventTypes',
        limit: MAX_WEBHOOK_EVENT_TYPES,
      });
    const bad = eventTypes.find((t) => !EVENT_TYPE_NAME.test(t));
    if (bad !== undefined)
      throw badInput(`eventTypes must be event type names such as ALIAS_SET, got ${JSON.stringify(bad)}`, {
        field: 'eventTypes',
      });
    const target = await checkWebhookTarget(input.url, this.policy());
    const secret = generateWebhookSecret();
    const id = randomUUID();
    const webhook = await this.executor.writeTx(async (tx) => {
      const [row] = await tx.run<Webhook>(Q.create, {
        id,
        url: target.url.toString(),
        eventTypes,
        description: input.description ?? null,
        ...this.secretFields(secret, id),
        format: null,
        name: null,
        status: null,
        topics: null,
        actor: caller.name,
      });
      await appendEvent(tx, {
        type: EventType.WEBHOOK_CREATED,
        actor: caller.name,
        subjectId: id,
        after: { ...loggedTarget(row!.url), eventTypes },
      });
      return row!;
    }, 'registerWebhook');
    return { webhook, secret };
  }

  /** Sealed at rest when there is a secret to seal it with (bound to the webhook's id); null: none. */
  private secretFields(secret: string | null, id: string): { secret: string | null; sealedSecret: string | null } {
    if (secret === null) return { secret: null, sealedSecret: null };
    return {
      secret: this.signingSecret ? null : secret,
      sealedSecret: this.signingSecret ? seal(secret, this.signingSecret, id) : null,
    };
  }

  // ------------------------------------------------------------ MLflow's dialect

  /**
   * Registers a webhook in MLflow's dialect (MLflow's create_webhook): its
   * deliveries are MLflow's payloads for the MLflow events it names, signed
   * MLflow's way with the secret the caller chose, through the same durable,
   * SSRF-checked delivery engine.
   */
  async registerMlflow(caller: Pick<Caller, 'name'>, input: MlflowWebhookInput): Promise<Webhook> {
    const name = requiredText(input.name, 'name', 256);
    const topics = mlflowTopics(input.events, true)!;
    const url = checkedUrl(input.url);
    const target = await checkWebhookTarget(url, this.policy());
    const id = randomUUID();
    return this.executor.writeTx(async (tx) => {
      const [row] = await tx.run<Webhook>(Q.create, {
        id,
        url: target.url.toString(),
        eventTypes: [...MLFLOW_SOURCE_EVENT_TYPES],
        description: optionalText(input.description, 'description', 5000),
        ...this.secretFields(optionalText(input.secret, 'secret', 1024), id),
        format: MLFLOW_WEBHOOK_FORMAT,
        name,
        status: status(input.status) ?? 'ACTIVE',
        topics,
        actor: caller.name,
      });
      await appendEvent(tx, {
        type: EventType.WEBHOOK_CREATED,
        actor: caller.name,
        subjectId: id,
        after: { ...loggedTarget(row!.url), eventTypes: topics, format: MLFLOW_WEBHOOK_FORMAT, name },
      });
      return row!;
    }, 'createMlflowWebhook');
  }

  /** MLflow's update_webhook: each field given replaces the stored one (`secret: ""` removes the secret). */
  async updateMlflow(caller: Pick<Caller, 'name'>, id: string, input: MlflowWebhookInput): Promise<Webhook> {
    await this.getMlflow(id);
    const name = input.name ? requiredText(input.name, 'name', 256) : null;
    const topics = mlflowTopics(input.events, false);
    const url = input.url ? (await checkWebhookTarget(checkedUrl(input.url), this.policy())).url.toString() : null;
    const setSecret = input.secret !== undefined && input.secret !== null;
    return this.executor.writeTx(async (tx) => {
      const [row] = await tx.run<Webhook & { before: Record<string, unknown> }>(Q.update, {
        id,
        format: MLFLOW_WEBHOOK_FORMAT,
        name,
        setDescription: input.description !== undefined && input.description !== null,
        description: optionalText(input.description, 'description', 5000),
        url,
        topics,
        status: status(input.status),
        setSecret,
        ...this.secretFields(setSecret ? optionalText(input.secret, 'secret', 1024) : null, id),
      });
      if (!row) throw notFound(`no MLflow webhook with id ${id}`, { field: 'webhook_id' });
      const { before, ...webhook } = row;
      await appendEvent(tx, {
        type: EventType.WEBHOOK_UPDATED,
        actor: caller.name,
        subjectId: id,
        before: {
          ...loggedTarget(String(before.url)),
          eventTypes: before.topics,
          name: before.name,
          status: before.status,
        },
        after: {
          ...loggedTarget(webhook.url),
          eventTypes: webhook.topics,
          name: webhook.name,
          status: webhook.status,
          ...(setSecret ? { secretChanged: true } : {}),
        },
      });
      return webhook;
    }, 'updateMlflowWebhook');
  }

  /**
   * An MLflow-dialect webhook; NOT_FOUND for any other (a Standard Webhooks or OpenLineage one is not MLflow's to see).
   */
  async getMlflow(id: string): Promise<Webhook> {
    const [row] = await this.executor.read<Webhook>(Q.get, { id });
    if (!row || row.format !== MLFLOW_WEBHOOK_FORMAT)
      throw notFound(`no MLflow webhook with id ${id}`, { field: 'webhook_id' });
    return row;
  }

  /** A page of MLflow-dialect webhooks, oldest first: `limit` from `offset`. */
  listMlflow(offset: number, limit: number): Promise<Webhook[]> {
    return this.executor.read<Webhook>(Q.listFormat, { format: MLFLOW_WEBHOOK_FORMAT, offset, limit });
  }

  async removeMlflow(caller: Pick<Caller, 'name'>, id: string): Promise<Webhook> {
    await this.getMlflow(id);
    return this.remove(caller, id);
  }

  /**
   * MLflow's test_webhook: sends MLflow's example payload for `event` (default:
   * the webhook's first) once, now, through the same SSRF check, signing and
   * sender as deliveries, and reports the answer. Writes nothing: a test is
   * not an event and leaves no delivery.
   */
  async testMlflow(id: string, event: string | null, timeoutMs: number): Promise<WebhookTestResult> {
    const w = await this.getMlflow(id);
    const topic = event ?? w.topics?.[0];
    if (!topic || !(MLFLOW_WEBHOOK_EVENTS as readonly string[]).includes(topic))
      throw badInput(`event must be one of ${MLFLOW_WEBHOOK_EVENTS.join(', ')}`, { field: 'event' });
    const body = mlflowBody(topic, new Date().toISOString(), examplePayload(topic as MlflowWebhookEvent));
    try {
      const target = await checkWebhookTarget(w.url, this.policy());
      const [secrets] = await this.executor.read<{ secret: string | null; sealedSecret: string | null }>(Q.secret, {
        id,
      });
      const secret = secrets?.sealedSecret
        ? this.signingSecret
          ? unseal(secrets.sealedSecret, this.signingSecret, id)
          : null
        : (secrets?.secret ?? null);
      if (secrets?.sealedSecret && secret === null)
        throw new Error(
          'the webhook secret is sealed and PEDIGREE_SIGNING_SECRET here is missing or not the one it was sealed with',
        );
      const headers = mlflowHeaders({ deliveryId: `test:${randomUUID()}`, at: new Date(), body, secret });
      const r = await postTo(target.url, target.addresses[0]!, headers, body, timeoutMs);
      return {
        success: r.statusCode !== null && r.statusCode < 400,
        responseStatus: r.statusCode,
        responseBody: r.responseBody || null,
        errorMessage: r.error,
      };
    } catch (err) {
      return {
        success: false,
        responseStatus: null,
        responseBody: null,
        errorMessage: `Failed to test webhook: ${(err as Error).message.slice(0, 500)}`,
      };
    }
  }

  async remove(caller: Pick<Caller, 'name'>, id: string): Promise<Webhook> {
    const existing = await this.get(id);
    await this.executor.writeTx(async (tx) => {
      const rows = await tx.run(Q.remove, { id });
      if (rows.length === 0) throw notFound(`no webhook with id ${id}`, { field: 'id' });
      await appendEvent(tx, {
        type: EventType.WEBHOOK_DELETED,
        actor: caller.name,
        subjectId: id,
        before: { ...loggedTarget(existing.url), eventTypes: existing.eventTypes },
      });
    }, 'deleteWebhook');
    return existing;
  }

  async get(id: string): Promise<Webhook> {
    const [row] = await this.executor.read<Webhook>(Q.get, { id });
    if (!row) throw notFound(`no webhook with id ${id}`, { field: 'id' });
    return row;
  }

  /** A page of webhooks, oldest first: `first` after the webhook whose id is `after`. */
  async list(page: ListPage): Promise<Webhook[]> {
    const [row] = await this.executor.read<{ known: boolean; webhooks: Webhook[] }>(Q.list, {
      after: page.after,
      limit: page.first,
    });
    if (!row!.known) throw unknownAfter('webhook');
    return row!.webhooks;
  }

  /** A page of deliveries, newest event first: `limit` rows with sequence < `beforeSequence`. */
  async deliveries(
    webhookId: string,
    beforeSequence: string | null,
    limit: number,
  ): Promise<{ rows: WebhookDelivery[]; total: number }> {
    await this.get(webhookId);
    const [rows, [count]] = await Promise.all([
      this.executor.read<WebhookDelivery>(Q.deliveries, { webhookId, beforeSequence, limit }),
      this.executor.read<{ total: number }>(Q.countDeliveries, { webhookId }),
    ]);
    return { rows, total: count?.total ?? 0 };
  }
}
