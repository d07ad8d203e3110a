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
 * A connection whose totalCount may stop counting at `cap` (a search over a
 * large graph, where counting every match would cost more than the page):
 * totalCountIsExact says whether it did.
 */
export function CappedConnection<T extends object>(node: ClassType<T>, cap: number, name = node.name) {
  return makeConnection(node, name, true, cap);
}

/**
 * A connection without totalCount, for logs whose total would cost a full
 * count on every page (the event log).
 */
export function LogConnection<T extends object>(node: ClassType<T>, name = node.name) {
  return makeConnection(node, name, false);
}

function makeConnection<T extends object>(node: ClassType<T>, name: string, withTotal: boolean, cap?: number) {
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field(() => String)
    cursor!: string;

    @Field(() => node)
    node!: T;
  }

  // The fields every connection has; its own name is never referenced, so it is no type of the schema.
  @ObjectType(`${name}ConnectionPage`)
  class Page {
    @Field(() => [Edge])
    edges!: Edge[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;
  }

  if (!withTotal) {
    @ObjectType(`${name}Connection`)
    class LogConnectionType extends Page {}
    return LogConnectionType;
  }

  if (cap !== undefined) {
    const counted = cap.toLocaleString('en-US');
    @ObjectType(`${name}Connection`)
    class CappedConnectionType extends Page {
      @Field(() => Int, {
        description: `Items matching the query across all pages. A search counts them only when this field or totalCountIsExact is selected, and stops at ${counted}: then totalCount is ${counted} and totalCountIsExact is false.`,
      })
      totalCount!: number;

      @Field(() => Boolean, {
        description: `False when totalCount stopped at ${counted}: more items match than it says.`,
      })
      totalCountIsExact!: boolean;
    }
    return CappedConnectionType;
  }

  @ObjectType(`${name}Connection`)
  class ConnectionType extends Page {
    @Field(() => Int, { description: 'Items matching the query across all pages.' })
    totalCount!: number;
  }
  return ConnectionType;
}
