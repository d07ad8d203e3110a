import { Arg, Args, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { badInput } from '../../errors.js';
import { parseSequence } from '../../events/event-record.js';
import type { WebhookDelivery as DeliveryRow } from '../../events/webhooks/webhook.service.js';
import type { Context } from '../context.js';
import { ListPageArgs, PageArgs, toConnection, toListPage, toPage, type ConnectionResult } from '../common/page.js';
import {
  RegisterWebhookInput,
  Webhook,
  WebhookDelivery,
  WebhookDeliveryConnection,
  WebhookRegistration,
} from './event.types.js';

@Resolver()
export class WebhookResolver {
  @Mutation(() => WebhookRegistration, {
    description:
      'Registers a webhook. The target is checked against the SSRF policy; the secret is returned only here.',
  })
  async registerWebhook(
    @Arg('input', () => RegisterWebhookInput) input: RegisterWebhookInput,
    @Ctx() ctx: Context,
  ): Promise<WebhookRegistration> {
    return ctx.services.events.webhooks.register(ctx.actor, input);
  }

  @Mutation(() => Webhook, { description: 'Removes a webhook and its delivery log.' })
  async deleteWebhook(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Webhook> {
    return ctx.services.events.webhooks.remove(ctx.actor, id);
  }

  @Query(() => [Webhook], {
    description:
      'Registered webhooks, oldest first; a page at a time, `after` being the `id` of the last webhook of the previous page.',
  })
  async webhooks(@Args(() => ListPageArgs) { first, after }: ListPageArgs, @Ctx() ctx: Context): Promise<Webhook[]> {
    return ctx.services.events.webhooks.list(toListPage(first, after));
  }

  @Query(() => WebhookDeliveryConnection, { description: "A webhook's delivery log, newest event first." })
  async webhookDeliveries(
    @Arg('webhookId', () => ID) webhookId: string,
    @Args(() => PageArgs) { first, after }: PageArgs,
    @Ctx() ctx: Context,
  ): Promise<ConnectionResult<WebhookDelivery>> {
    const page = toPage(first, after);
    const before = page.after === null ? null : cursorSequence(page.after);
    const { rows, total } = await ctx.services.events.webhooks.deliveries(webhookId, before, page.first + 1);
    return toConnection(rows.map(toDelivery), page, total, (d) => [d.sequence]);
  }
}

function cursorSequence(key: unknown[]): string {
  const [s] = key;
  if (typeof s !== 'string') throw badInput('after is not a cursor returned by this API', { field: 'after' });
  return parseSequence(s);
}

function toDelivery(d: DeliveryRow): WebhookDelivery {
  const { nextAttemptAtMs, webhookId: _w, ...rest } = d;
  return {
    ...rest,
    status: d.status as WebhookDelivery['status'],
    nextAttemptAt: nextAttemptAtMs === null ? null : new Date(nextAttemptAtMs).toISOString(),
  };
}
