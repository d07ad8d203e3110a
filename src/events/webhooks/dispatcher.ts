import { randomUUID } from 'node:crypto';
import { statement } from '../../graph/cypher.js';
import type { Executor } from '../../graph/executor.js';
import { unseal } from '../../crypto/sealed.js';
import type { Logger } from '../../logger.js';
import type { EventLogReader, EventRecord } from '../event-record.js';
import { MAX_ATTEMPTS, nextAttemptDelayMs } from './backoff.js';
import { postTo } from './sender.js';
import { checkWebhookTarget, type WebhookTargetPolicy } from './ssrf.js';
import { signWebhook } from './signature.js';
import { eventForReader, WEBHOOK_RECEIVER } from '../event-visibility.js';

const Q = {
  position: statement('events/dispatcher-position'),
  createDeliveries: statement('events/create-deliveries'),
  claim: statement('events/claim-deliveries'),
  record: statement('events/record-delivery-attempt'),
};

export interface DispatcherOptions {
  policy: () => WebhookTargetPolicy;
  backoffBaseMs: number;
  backoffMaxMs: number;
  timeoutMs: number;
  /** How often due deliveries are looked for (ms). */
  tickMs: number;
  /** Opens webhook secrets stored sealed (PEDIGREE_SIGNING_SECRET). */
  signingSecret: string | null;
  /** Bodies other than the Standard Webhooks one, for webhooks with a `format` (OpenLineage emission). */
  formats?: readonly DeliveryFormat[];
}

/**
 * One event's delivery in a format: its body, or the body and the topic a
 * webhook of that format subscribes by (MLflow's `model_version.created`);
 * null: nothing is sent for the event.
 */
export type FormattedDelivery = string | { body: string; topic: string } | null;

/** What a format signs an attempt with. */
export interface SignableDelivery {
  /** Stable across the retries of one delivery. */
  deliveryId: string;
  /** The attempt's time. */
  at: Date;
  body: string;
  /** The webhook's secret, opened; null when it has none. */
  secret: string | null;
}

/**
 * Another shape of delivery body, for webhooks whose `format` names it: the
 * same durable deliveries, leases, retries, backoff and SSRF checks, a body
 * built for the receiver (e.g. an OpenLineage event for Marquez, MLflow's
 * webhook payloads).
 */
export interface DeliveryFormat {
  readonly name: string;
  /** One delivery per event, in order. */
  bodies(events: readonly EventRecord[]): Promise<FormattedDelivery[]>;
  /** Headers added to every attempt (the receiver's credentials). */
  headers(): Record<string, string>;
  /** The attempt's signature headers in the format's own scheme; absent: Standard Webhooks'. */
  sign?(delivery: SignableDelivery): Record<string, string>;
  /** Brings the graph in line with configuration before dispatch starts (its webhook, if any). */
  prepare?(): Promise<void>;
}

interface Claimed {
  /** The delivery's id (webhook id and event sequence): stable across its retries. */
  id: string;
  sequence: string;
  body: string;
  attempts: number;
  webhookId: string;
  url: string;
  /** In clear, for a webhook registered without PEDIGREE_SIGNING_SECRET; else null. */
  secret: string | null;
  /** A DeliveryFormat's name, or null for the Standard Webhooks body. */
  format: string | null;
  /** Sealed with PEDIGREE_SIGNING_SECRET, bound to the webhook id; else null. */
  sealedSecret: string | null;
}

const BATCH = 200;
const PARALLEL = 8;

/**
 * Turns events into durable deliveries and sends them. Both halves live in
 * the graph: the dispatcher's position in the event log (so a restart resumes
 * where it stopped and loses nothing) and each delivery's state (PENDING →
 * DELIVERED or DEAD_LETTER after MAX_ATTEMPTS). A sender leases the deliveries
 * it attempts, so replicas do not send the same attempt twice; the HTTP call
 * happens outside any transaction.
 */
export class WebhookDispatcher {
  private readonly owner = randomUUID();
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<void> | null = null;
  private again = false;
  /**
   * Opened webhook secrets by webhook id, with the sealed text they came from:
   * unsealing derives a key with scrypt, once per secret, not per delivery; a
   * rotated secret (new sealed text) is opened again.
   */
  private readonly secrets = new Map<string, { sealed: string; secret: string }>();

  constructor(
    private readonly executor: Executor,
    private readonly reader: EventLogReader,
    private readonly opts: DispatcherOptions,
    private readonly log: Logger,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
    // kick() records its own failures; starting does not wait for the first pass.
    void this.kick();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.pass;
  }

  /** New events may be in the log, or a retry may be due: run a pass now. */
  kick(): Promise<void> {
    if (!this.running) return Promise.resolve();
    if (this.pass) {
      this.again = true;
      return this.pass;
    }
    this.pass = (async () => {
      try {
        do {
          this.again = false;
          // No webhook, no work: the pass is one read, and writes nothing.
          if (await this.createDeliveries()) await this.sendDue();
        } while (this.again && this.running);
      } catch (err) {
        this.log.warn({ err }, 'webhook dispatch pass failed; retrying at the next tick');
      } finally {
        this.pass = null;
      }
    })();
    return this.pass;
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => void this.kick().finally(() => this.schedule()), this.opts.tickMs);
    this.timer.unref();
  }

  /** Turns new events into deliveries; false when there is no webhook at all. */
  private async createDeliveries(): Promise<boolean> {
    const [pos] = await this.executor.read<{ sequence: string; webhooks: number; formats: string[] }>(Q.position);
    if (!pos || pos.webhooks === 0) return false;
    const formats = (this.opts.formats ?? []).filter((f) => pos.formats.includes(f.name));
    let position = pos.sequence;
    while (this.running) {
      const events = await this.reader.readAfter(position, {}, BATCH);
      if (events.length === 0) return true;
      const upTo = events.at(-1)!.sequence;
      const formatted = await Promise.all(formats.map((f) => f.bodies(events)));
      await this.executor.write(Q.createDeliveries, {
        upTo,
        nowMs: Date.now(),
        events: events.map((e, i) => ({
          sequence: e.sequence,
          type: e.type,
          at: e.at,
          body: webhookBody(e),
          formatted: Object.fromEntries(formats.map((f, j) => [f.name, bodyOf(formatted[j]![i] ?? null)])),
          topics: Object.fromEntries(formats.map((f, j) => [f.name, topicOf(formatted[j]![i] ?? null)])),
        })),
      });
      position = upTo;
      if (events.length < BATCH) return true;
    }
    return true;
  }

  private async sendDue(): Promise<void> {
    while (this.running) {
      const claimed = await this.executor.write<Claimed>(Q.claim, {
        nowMs: Date.now(),
        limit: PARALLEL,
        leaseMs: this.opts.timeoutMs * 2 + 5_000,
        owner: this.owner,
      });
      if (claimed.length === 0) return;
      await Promise.all(claimed.map((d) => this.attempt(d)));
    }
  }

  /**
   * The webhook's signing secret. A sealed one that does not open (no
   * PEDIGREE_SIGNING_SECRET here, or another one) fails the attempt with that
   * reason, recorded in the delivery log; the delivery retries as usual.
   */
  private secretOf(d: Claimed): string | null {
    if (d.sealedSecret === null) return d.secret;
    const cached = this.secrets.get(d.webhookId);
    if (cached?.sealed === d.sealedSecret) return cached.secret;
    const opened = this.opts.signingSecret ? unseal(d.sealedSecret, this.opts.signingSecret, d.webhookId) : null;
    if (opened === null)
      throw new Error(
        'the webhook secret is sealed and PEDIGREE_SIGNING_SECRET here is missing or not the one it was sealed with',
      );
    this.secrets.set(d.webhookId, { sealed: d.sealedSecret, secret: opened });
    return opened;
  }

  private async attempt(d: Claimed): Promise<void> {
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      // Checked again before every attempt: DNS may have changed since registration.
      const target = await checkWebhookTarget(d.url, this.opts.policy());
      const format = d.format === null ? undefined : this.opts.formats?.find((f) => f.name === d.format);
      if (d.format !== null && !format) throw new Error(`this replica does not send webhooks of format "${d.format}"`);
      const secret = this.secretOf(d);
      const signed = format?.sign
        ? format.sign({ deliveryId: d.id, at: new Date(), body: d.body, secret })
        : signWebhook({ id: d.sequence, timestamp: new Date(), body: d.body, secret: secret! });
      const headers = { ...signed, ...format?.headers() };
      const result = await postTo(target.url, target.addresses[0]!, headers, d.body, this.opts.timeoutMs);
      statusCode = result.statusCode;
      error =
        result.error ?? (statusCode !== null && (statusCode < 200 || statusCode > 299) ? `HTTP ${statusCode}` : null);
    } catch (err) {
      error = (err as Error).message.slice(0, 200);
    }
    const ok = statusCode !== null && statusCode >= 200 && statusCode <= 299;
    const attempts = d.attempts + 1;
    const status = ok ? 'DELIVERED' : attempts >= MAX_ATTEMPTS ? 'DEAD_LETTER' : 'PENDING';
    const nextAttemptAtMs =
      status === 'PENDING'
        ? Date.now() + nextAttemptDelayMs(attempts, { baseMs: this.opts.backoffBaseMs, maxMs: this.opts.backoffMaxMs })
        : null;
    await this.executor.write(Q.record, {
      id: d.id,
      owner: this.owner,
      status,
      nextAttemptAtMs,
      statusCode,
      error: ok ? null : error,
    });
    if (status === 'PENDING') {
      const wait = Math.max(0, nextAttemptAtMs! - Date.now());
      if (wait < this.opts.tickMs) setTimeout(() => void this.kick(), wait).unref();
    }
  }
}

const bodyOf = (f: FormattedDelivery): string | null => (f === null || typeof f === 'string' ? f : f.body);
const topicOf = (f: FormattedDelivery): string | null => (f === null || typeof f === 'string' ? null : f.topic);

/**
 * The POSTed body, Standard Webhooks style: `type`, `timestamp`, `data`. A
 * receiver is an outside endpoint, not a principal: it gets the event as a
 * VIEWER would (src/events/event-visibility.ts).
 */
export function webhookBody(event: EventRecord): string {
  const e = eventForReader(event, WEBHOOK_RECEIVER);
  return JSON.stringify({
    type: e.type,
    timestamp: e.at,
    data: {
      sequence: e.sequence,
      type: e.type,
      at: e.at,
      actor: e.actor,
      modelName: e.modelName,
      version: e.version,
      alias: e.alias,
      subjectId: e.subjectId,
      before: e.before,
      after: e.after,
      redacted: e.redacted,
    },
  });
}
