import { mlflowEventJson, mlflowEventName } from '../events/webhooks/mlflow-dialect.js';
import type { Webhook } from '../events/webhooks/webhook.service.js';
import type { Services } from '../services.js';
import { MlflowError } from './errors.js';
import { int, optStr, type Body, type Handler } from './request.js';

/** MLflow's largest list_webhooks page (and its default). */
const MAX_PAGE = 1000;

function webhookJson(w: Webhook): Record<string, unknown> {
  return {
    webhook_id: w.id,
    name: w.name,
    ...(w.description ? { description: w.description } : {}),
    url: w.url,
    events: (w.topics ?? []).map(mlflowEventJson),
    status: w.status ?? 'ACTIVE',
    creation_timestamp: Date.parse(w.createdAt),
    last_updated_timestamp: Date.parse(w.updatedAt ?? w.createdAt),
  };
}

function events(body: Body): string[] | null {
  const raw = body.events;
  if (raw === undefined || raw === null) return null;
  if (!Array.isArray(raw))
    throw new MlflowError('INVALID_PARAMETER_VALUE', 'events must be a list of {entity, action}');
  return raw.map((e) => mlflowEventName(e as { entity?: unknown; action?: unknown }));
}

function webhookStatus(body: Body): 'ACTIVE' | 'DISABLED' | null {
  const s = optStr(body, 'status');
  if (s === null) return null;
  if (s !== 'ACTIVE' && s !== 'DISABLED')
    throw new MlflowError('INVALID_PARAMETER_VALUE', `status must be ACTIVE or DISABLED, got ${JSON.stringify(s)}`);
  return s;
}

/**
 * MLflow's webhook API (webhooks.proto, MLflow 3.3+): create, list, get,
 * update, delete and test webhooks in MLflow's dialect — thin handlers over
 * services.events.webhooks, the one webhook service and delivery engine.
 * Managing webhooks is ADMIN in Pedigree (the router's `admin` access), as
 * through GraphQL.
 */
export class MlflowWebhooksApi {
  constructor(
    private readonly services: Services,
    private readonly timeoutMs: number,
  ) {}

  private get w() {
    return this.services.events.webhooks;
  }

  createWebhook: Handler = async ({ body, actor }) => {
    const webhook = await this.w.registerMlflow(actor, {
      name: optStr(body, 'name'),
      url: optStr(body, 'url'),
      events: events(body),
      description: optStr(body, 'description'),
      secret: optStr(body, 'secret'),
      status: webhookStatus(body),
    });
    return { webhook: webhookJson(webhook) };
  };

  listWebhooks: Handler = async ({ body }) => {
    const max = int(body, 'max_results') ?? MAX_PAGE;
    if (max < 1 || max > MAX_PAGE)
      throw new MlflowError('INVALID_PARAMETER_VALUE', `max_results must be between 1 and ${MAX_PAGE}; got ${max}`);
    const offset = pageOffset(optStr(body, 'page_token'));
    const rows = await this.w.listMlflow(offset, max + 1);
    const more = rows.length > max;
    return {
      webhooks: rows.slice(0, max).map(webhookJson),
      ...(more ? { next_page_token: Buffer.from(JSON.stringify({ offset: offset + max })).toString('base64') } : {}),
    };
  };

  getWebhook: Handler = async ({ params }) => ({ webhook: webhookJson(await this.w.getMlflow(params.webhook_id!)) });

  updateWebhook: Handler = async ({ body, params, actor }) => {
    const webhook = await this.w.updateMlflow(actor, params.webhook_id!, {
      name: optStr(body, 'name'),
      url: optStr(body, 'url'),
      events: events(body),
      description: 'description' in body ? String(body.description ?? '') : undefined,
      // MLflow's update sends secret only when it changes; "" clears it.
      secret: 'secret' in body ? String(body.secret ?? '') : undefined,
      status: webhookStatus(body),
    });
    return { webhook: webhookJson(webhook) };
  };

  deleteWebhook: Handler = async ({ params, actor }) => {
    await this.w.removeMlflow(actor, params.webhook_id!);
    return {};
  };

  testWebhook: Handler = async ({ body, params }) => {
    const event = body.event == null ? null : mlflowEventName(body.event as { entity?: unknown; action?: unknown });
    const r = await this.w.testMlflow(params.webhook_id!, event, this.timeoutMs);
    return {
      result: {
        success: r.success,
        ...(r.responseStatus !== null ? { response_status: r.responseStatus } : {}),
        ...(r.responseBody !== null ? { response_body: r.responseBody } : {}),
        ...(r.errorMessage !== null ? { error_message: r.errorMessage } : {}),
      },
    };
  };
}

function pageOffset(token: string | null): number {
  if (!token) return 0;
  try {
    const o = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { offset?: unknown };
    if (typeof o.offset === 'number' && Number.isSafeInteger(o.offset) && o.offset >= 0) return o.offset;
  } catch {
    // refused below
  }
  throw new MlflowError('INVALID_PARAMETER_VALUE', 'page_token is not a token returned by list_webhooks');
}
