import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { MAX_WEBHOOK_EVENT_TYPES } from '../../events/webhooks/webhook.service.js';
import { MaxItems } from '../common/page.js';
import { DateTimeScalar, JSONScalar } from '../common/scalars.js';
import { Connection } from '../common/connection.js';

@ObjectType({ description: 'An alias move, from the event log: ALIAS_SET, ALIAS_DELETED or ROLLBACK.' })
export class AliasChange {
  @Field(() => String, {
    description: 'Position in the global event log (a decimal integer string); resume with `after: sequence`.',
  })
  sequence!: string;

  @Field(() => String, { description: 'ALIAS_SET, ALIAS_DELETED or ROLLBACK.' })
  type!: string;

  @Field(() => String)
  modelName!: string;

  @Field(() => String)
  alias!: string;

  @Field(() => Int, {
    nullable: true,
    description: 'The version the alias pointed to before; null when the alias is new.',
  })
  previousVersion!: number | null;

  @Field(() => Int, { nullable: true, description: 'The version it points to now; null when the alias was deleted.' })
  version!: number | null;

  @Field(() => DateTimeScalar)
  at!: string;

  @Field(() => String)
  actor!: string;
}

@ObjectType({ description: 'One event of the registry event log.' })
export class RegistryEvent {
  @Field(() => String, {
    description: 'Position in the global event log (a decimal integer string); resume with `after: sequence`.',
  })
  sequence!: string;

  @Field(() => String)
  type!: string;

  @Field(() => DateTimeScalar)
  at!: string;

  @Field(() => String)
  actor!: string;

  @Field(() => String, { nullable: true })
  modelName!: string | null;

  @Field(() => Int, { nullable: true })
  version!: number | null;

  @Field(() => String, { nullable: true })
  alias!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Id of the node the event is about, when it is not a model version.',
  })
  subjectId!: string | null;

  @Field(() => JSONScalar, { nullable: true })
  before!: unknown;

  @Field(() => JSONScalar, { nullable: true })
  after!: unknown;

  @Field(() => Boolean, {
    description:
      'True when details were withheld because the reader is below ADMIN: webhook URLs are shown as their origin, token events without subject, before or after.',
  })
  redacted!: boolean;
}

export enum WebhookDeliveryStatus {
  PENDING = 'PENDING',
  DELIVERED = 'DELIVERED',
  DEAD_LETTER = 'DEAD_LETTER',
}
registerEnumType(WebhookDeliveryStatus, {
  name: 'WebhookDeliveryStatus',
  description: 'PENDING until a 2xx answer (DELIVERED) or the last retry fails (DEAD_LETTER).',
});

@ObjectType({ description: 'An HTTP endpoint that receives registry events, signed per Standard Webhooks.' })
export class Webhook {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  url!: string;

  @Field(() => [String], {
    description: `Event types delivered; empty means every type. At most ${MAX_WEBHOOK_EVENT_TYPES}.`,
  })
  @MaxItems(MAX_WEBHOOK_EVENT_TYPES)
  eventTypes!: string[];

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => DateTimeScalar)
  createdAt!: string;

  @Field(() => String)
  createdBy!: string;
}

@ObjectType({ description: 'A new webhook and its signing secret. The secret is shown only here.' })
export class WebhookRegistration {
  @Field(() => Webhook)
  webhook!: Webhook;

  @Field(() => String, { description: '`whsec_` + base64 key for verifying `webhook-signature`.' })
  secret!: string;
}

@InputType()
export class RegisterWebhookInput {
  @Field(() => String, {
    description: 'http(s) URL; loopback, private, link-local and metadata addresses are refused.',
  })
  url!: string;

  @Field(() => [String], {
    nullable: true,
    description: 'Event types to deliver (e.g. ALIAS_SET); empty or absent: all.',
  })
  eventTypes?: string[] | null;

  @Field(() => String, { nullable: true })
  description?: string | null;
}

@ObjectType({ description: 'One event on its way to one webhook.' })
export class WebhookDelivery {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'The event sequence, also sent as `webhook-id`.' })
  sequence!: string;

  @Field(() => String)
  eventType!: string;

  @Field(() => WebhookDeliveryStatus)
  status!: WebhookDeliveryStatus;

  @Field(() => Int)
  attempts!: number;

  @Field(() => Int, { nullable: true, description: 'HTTP status of the last attempt; null when none came back.' })
  lastStatusCode!: number | null;

  @Field(() => String, { nullable: true })
  lastError!: string | null;

  @Field(() => DateTimeScalar)
  createdAt!: string;

  @Field(() => DateTimeScalar, { nullable: true })
  lastAttemptAt!: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  deliveredAt!: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When the next attempt is due (PENDING only).' })
  nextAttemptAt!: string | null;
}

export const WebhookDeliveryConnection = Connection(WebhookDelivery);
