import { Field, Int, ObjectType } from 'type-graphql';
import { LogConnection } from '../common/connection.js';
import { DateTimeScalar } from '../common/scalars.js';
import { RegistryEvent } from '../events/event.types.js';

/** auditLog pages the same events the registryEvents subscription streams. */
export const RegistryEventConnection = LogConnection(RegistryEvent);

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
