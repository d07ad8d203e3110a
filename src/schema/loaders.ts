import type { Services } from '../services.js';

/**
 * Per-operation DataLoaders: every field resolver that reaches Neo4j goes
 * through one of these, so a request costs a bounded number of round trips
 * however many objects it returns.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface Loaders {}

export function createLoaders(_services: Services): Loaders {
  return {};
}
