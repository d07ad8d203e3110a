import { ArgsType, Extensions, Field, Int } from 'type-graphql';
import { badInput } from '../../errors.js';
import { parseSequence } from '../../events/event-record.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type ListPage } from '../../paging.js';

export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE };
/**
 * Default page of a plain list field that takes `first`/`after` (alerts,
 * deployment history, ...): larger than a connection's, since those lists
 * were answered whole before they were paged.
 */
export const DEFAULT_LIST_PAGE = 100;

/**
 * Declares a list field's hard cap: the list never holds more (the service
 * that grows it refuses to, or reads at most this many), and the cost
 * analysis (src/server/limits/operation-cost.ts) counts this many items.
 */
export function MaxItems(cap: number): MethodDecorator & PropertyDecorator {
  return Extensions({ maxItems: cap }) as MethodDecorator & PropertyDecorator;
}

/** Relay forward pagination: `first` items after the opaque cursor `after`. */
@ArgsType()
export class PageArgs {
  @Field(() => Int, {
    nullable: true,
    description: `Page size (default ${DEFAULT_PAGE_SIZE}, at most ${MAX_PAGE_SIZE}).`,
  })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'Cursor of the last item of the previous page.' })
  after?: string | null;
}

/**
 * Paging of a plain list field (its type stays a list): `first` items after
 * the item `after` names. What names an item is the field's to say (an id, a
 * sequence); a page shorter than `first` is the last one.
 */
@ArgsType()
export class ListPageArgs {
  @Field(() => Int, {
    nullable: true,
    defaultValue: DEFAULT_LIST_PAGE,
    description: `Page size (at most ${MAX_PAGE_SIZE}).`,
  })
  first?: number | null;

  @Field(() => String, {
    nullable: true,
    description: 'Resume after this item of the previous page (see the field for what names an item).',
  })
  after?: string | null;
}

export function toListPage(first: number | null | undefined, after: string | null | undefined): ListPage {
  return { first: pageSize(first, DEFAULT_LIST_PAGE), after: after ?? null };
}

/** A validated page request as the domain sees it. */
export interface Page {
  first: number;
  /** Decoded cursor (the sort key of the last item seen), or null for the first page. */
  after: unknown[] | null;
}

export function toPage(first: number | null | undefined, after: string | null | undefined): Page {
  return { first: pageSize(first, DEFAULT_PAGE_SIZE), after: after ? decodeCursor(after) : null };
}

function pageSize(first: number | null | undefined, byDefault: number): number {
  const n = first ?? byDefault;
  if (!Number.isInteger(n) || n < 0 || n > MAX_PAGE_SIZE) {
    throw badInput(`first must be an integer from 0 to ${MAX_PAGE_SIZE}, got ${first}`, {
      field: 'first',
      limit: MAX_PAGE_SIZE,
    });
  }
  return n;
}

/** Cursors are opaque to clients: base64url of the JSON sort key. */
export function encodeCursor(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): unknown[] {
  try {
    if (cursor.length > 1024) throw new Error('too long');
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(key)) throw new Error('not a key');
    return key;
  } catch {
    throw badInput('after is not a cursor returned by this API', { field: 'after' });
  }
}

/** The shape every connection resolver returns. */
export interface ConnectionResult<T> {
  totalCount: number;
  /** Read only by capped connections (CappedConnection); true unless a count stopped at its cap. */
  totalCountIsExact?: boolean;
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

/**
 * Builds a connection from `first + 1` rows fetched after the cursor: the
 * extra row only tells whether there is a next page. `totalCountIsExact` is
 * false only for a count that stopped at its cap.
 */
export function toConnection<T>(
  rows: T[],
  page: Page,
  totalCount: number,
  keyOf: (row: T) => unknown[],
  totalCountIsExact = true,
): ConnectionResult<T> {
  const items = rows.slice(0, page.first);
  const edges = items.map((node) => ({ cursor: encodeCursor(keyOf(node)), node }));
  return {
    totalCount,
    totalCountIsExact,
    edges,
    pageInfo: {
      hasNextPage: rows.length > page.first,
      hasPreviousPage: page.after !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

/** Event-log cursors: the encoded sequence of the last event seen. */
export function decodeSequenceCursor(after: string | null | undefined): string | null {
  if (!after) return null;
  const [seq] = decodeCursor(after);
  if (typeof seq !== 'string') throw badInput('after is not a cursor returned by this API', { field: 'after' });
  return parseSequence(seq);
}

/** A page of event-log rows fetched as first + 1, with sequence cursors. */
export function sequencePage<T extends { sequence: string }>(
  rows: T[],
  first: number,
  after: string | null | undefined,
) {
  const items = rows.slice(0, first);
  const edges = items.map((node) => ({ cursor: encodeCursor([node.sequence]), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: rows.length > first,
      hasPreviousPage: Boolean(after),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
