import { createHash, randomUUID } from 'node:crypto';
import { badInput, notFound } from '../../errors.js';
import { unknownAfter, type ListPage } from '../../paging.js';
import { statement } from '../../graph/cypher.js';
import type { Executor } from '../../graph/executor.js';
import { appendEvent, EventType } from '../event-log.js';
import { EVENT_TYPE_NAME } from '../event-record.js';
import { urlOrigin } from '../event-visibility.js';
import { checkWebhookTarget, type WebhookTargetPolicy } from './ssrf.js';
import { seal } from '../../governance/sealed.js';
import { generateWebhookSecret } from './signature.js';

const Q = {
  create: statement('events/create-webhook'),
  remove: statement('events/delete-webhook'),
  list: statement('events/list-webhooks'),
  get: statement('events/get-webhook'),
  deliveries: statement('events/list-deliveries'),
  countDeliveries: statement('events/count-deliveries'),
};

export interface Webhook {
  id: string;
  url: string;
  /** Empty: every event type. */
  eventTypes: string[];
  description: string | null;
  createdAt: string;
  createdBy: string;
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

/** Registering, listing and removing webhooks; reading their delivery log. */
export class WebhookService {
  constructor(
    private readonly executor: Executor,
    private readonly policy: () => WebhookTargetPolicy,
    /** PEDIGREE_SIGNING_SECRET: with it, webhook secrets are stored sealed. */
    private readonly signingSecret: string | null = null,
  ) {}

  /** Checks the target (SSRF), stores the webhook and returns it with its secret, which is shown only here. */
  async register(input: RegisterWebhookInput, actor: string): Promise<{ webhook: Webhook; secret: string }> {
    if (typeof input.url !== 'string' || input.url.length > MAX_URL) {
      throw badInput(`url must be an http(s) URL of at most ${MAX_URL} characters`, { field: 'url' });
    }
    const eventTypes = [...new Set(input.eventTypes ?? [])];
    if (eventTypes.length > MAX_WEBHOOK_EVENT_TYPES) throw badInput(`eventTypes holds at most ${MAX_WEBHOOK_EVENT_TYPES} types`, { field: 'eventTypes', limit: MAX_WEBHOOK_EVENT_TYPES });
    const bad = eventTypes.find((t) => !EVENT_TYPE_NAME.test(t));
    if (bad !== undefined) throw badInput(`eventTypes must be event type names such as ALIAS_SET, got ${JSON.stringify(bad)}`, { field: 'eventTypes' });
    const target = await checkWebhookTarget(input.url, this.policy());
    const secret = generateWebhookSecret();
    const id = randomUUID();
    const webhook = await this.executor.writeTx(async (tx) => {
      const [row] = await tx.run<Webhook>(Q.create, {
        id,
        url: target.url.toString(),
        eventTypes,
        description: input.description ?? null,
        // Sealed at rest when there is a secret to seal it with (bound to the webhook's id).
        secret: this.signingSecret ? null : secret,
        sealedSecret: this.signingSecret ? seal(secret, this.signingSecret, id) : null,
        actor,
      });
      await appendEvent(tx, { type: EventType.WEBHOOK_CREATED, actor, subjectId: id, after: { ...loggedTarget(row!.url), eventTypes } });
      return row!;
    }, 'registerWebhook');
    return { webhook, secret };
  }

  async remove(id: string, actor: string): Promise<Webhook> {
    const existing = await this.get(id);
    await this.executor.writeTx(async (tx) => {
      const rows = await tx.run(Q.remove, { id });
      if (rows.length === 0) throw notFound(`no webhook with id ${id}`, { field: 'id' });
      await appendEvent(tx, { type: EventType.WEBHOOK_DELETED, actor, subjectId: id, before: { ...loggedTarget(existing.url), eventTypes: existing.eventTypes } });
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
    const [row] = await this.executor.read<{ known: boolean; webhooks: Webhook[] }>(Q.list, { after: page.after, limit: page.first });
    if (!row!.known) throw unknownAfter('webhook');
    return row!.webhooks;
  }

  /** A page of deliveries, newest event first: `limit` rows with sequence < `beforeSequence`. */
  async deliveries(webhookId: string, beforeSequence: string | null, limit: number): Promise<{ rows: WebhookDelivery[]; total: number }> {
    await this.get(webhookId);
    const [rows, [count]] = await Promise.all([
      this.executor.read<WebhookDelivery>(Q.deliveries, { webhookId, beforeSequence, limit }),
      this.executor.read<{ total: number }>(Q.countDeliveries, { webhookId }),
    ]);
    return { rows, total: count?.total ?? 0 };
  }
}
