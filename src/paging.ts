import { badInput } from './errors.js';

/** A connection's page when `first` is not given, and the largest `first` any list accepts. */
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 500;

/**
 * A page of a plain list field (alerts, deployment history, ...): `first`
 * items after the item `after` names (its id, or for event-backed lists its
 * sequence). Keyset paging: the service seeks past that item's sort key, so
 * items added between pages neither repeat nor shift a page.
 */
export interface ListPage {
  first: number;
  after: string | null;
}

/** BAD_USER_INPUT for an `after` that names nothing in the list. */
export function unknownAfter(item: string, by = 'id'): Error {
  return badInput(`after must be the ${by} of the last ${item} of the previous page; none has that ${by}`, {
    field: 'after',
  });
}
