import { type ClassType, Field, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'Relay page information.' })
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => Boolean)
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true })
  startCursor!: string | null;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

/**
 * Makes `<Name>Connection` and `<Name>Edge` types for a node type, the Relay
 * way: edges { cursor node }, pageInfo, totalCount.
 */
export function Connection<T extends object>(node: ClassType<T>, name = node.name) {
  return makeConnection(node, name, true);
}

/**
 * A connection without totalCount, for logs whose total would cost a full
 * count on every page (the event log).
 */
export function LogConnection<T extends object>(node: ClassType<T>, name = node.name) {
  return makeConnection(node, name, false);
}

function makeConnection<T extends object>(node: ClassType<T>, name: string, withTotal: boolean) {
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field(() => String)
    cursor!: string;

    @Field(() => node)
    node!: T;
  }

  if (!withTotal) {
    @ObjectType(`${name}Connection`)
    class LogConnectionType {
      @Field(() => [Edge])
      edges!: Edge[];

      @Field(() => PageInfo)
      pageInfo!: PageInfo;
    }
    return LogConnectionType;
  }

  @ObjectType(`${name}Connection`)
  class ConnectionType {
    @Field(() => Int, { description: 'Items matching the query across all pages.' })
    totalCount!: number;

    @Field(() => [Edge])
    edges!: Edge[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;
  }
  return ConnectionType;
}
