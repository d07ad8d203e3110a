import { Field, Int, ObjectType } from 'type-graphql';
import { LogConnection } from '../common/connection.js';
import { DateTimeScalar, JSONScalar } from '../common/scalars.js';

@ObjectType({ description: 'One entry of the append-only event log.' })
export class AuditEvent {
  @Field(() => String, { description: 'Position in the global event log (decimal string).' })
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

  @Field(() => String, { nullable: true, description: 'Id of the node the event is about.' })
  subjectId!: string | null;

  @Field(() => JSONScalar, { nullable: true })
  before!: unknown;

  @Field(() => JSONScalar, { nullable: true })
  after!: unknown;
}

export const AuditEventConnection = LogConnection(AuditEvent);

@ObjectType({ description: 'One move of an alias.' })
export class AliasHistoryEntry {
  @Field(() => String)
  sequence!: string;

  @Field(() => String, { description: 'ALIAS_SET, ALIAS_DELETED or ROLLBACK.' })
  type!: string;

  @Field(() => DateTimeScalar)
  at!: string;

  @Field(() => String)
  actor!: string;

  @Field(() => Int, { nullable: true })
  previousVersion!: number | null;

  @Field(() => Int, { nullable: true, description: 'null when the alias was deleted.' })
  version!: number | null;

  @Field(() => String, { nullable: true, description: 'The reason given for a rollback.' })
  reason!: string | null;
}

export const AliasHistoryConnection = LogConnection(AliasHistoryEntry);
