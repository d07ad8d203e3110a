import { Field, ObjectType } from 'type-graphql';

@ObjectType({ description: 'The server and the database behind it.' })
export class ServerInfo {
  @Field(() => String, { description: 'Pedigree version.' })
  version!: string;

  @Field(() => String, { description: 'Current time on the Neo4j server (ISO 8601).' })
  databaseTime!: string;

  @Field(() => String, { description: 'Sequence of the newest event in the log, as a decimal string.' })
  lastSequence!: string;
}
