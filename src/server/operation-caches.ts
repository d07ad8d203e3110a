import type { DocumentNode, GraphQLSchema } from 'graphql';
import { LruCache, type CacheBounds } from './lru-cache.js';
import { OperationPlans, type QueryLimits } from './limits/index.js';
import type { Metrics } from './metrics.js';

/** Characters of operation text each cache holds at most, whatever its entry bound: 2 MiB. */
export const OPERATION_CACHE_CHARACTERS = 2 * 1024 * 1024;

/**
 * The per-document caches of the GraphQL fast path, each bounded by
 * PEDIGREE_OPERATION_CACHE_ENTRIES entries and {@link OPERATION_CACHE_CHARACTERS}
 * characters of operation text (least recently used first out):
 *
 * - `documents`: Apollo Server's document store, sha256 of the text → the
 *   parsed document that passed validation (Apollo then skips parse and
 *   validate; it is keyed by the text's hash, so only the same text hits);
 * - `persisted`: automatic persisted queries, sha256 → text, registered by a
 *   request that sends both (Apollo checks the hash against the text before
 *   anything is stored, and stores only once the request passed the limits);
 * - `wsDocuments`: the same as `documents` for graphql-ws, keyed by the text;
 * - `plans`: what the request limits learn from a document's text
 *   (./limits/operation-plan.ts), shared by both transports.
 *
 * None of them holds an answer, a variable, a caller or a decision: every
 * request is still authenticated, authorised per root field, checked against
 * the limits with its own variables and held by the consistency gate.
 */
export class OperationCaches {
  readonly documents: LruCache<string, DocumentNode>;
  readonly persisted: LruCache<string, string>;
  readonly wsDocuments: LruCache<string, DocumentNode>;
  readonly plans: OperationPlans;

  constructor(schema: GraphQLSchema, limits: Partial<QueryLimits>, entries: number) {
    const bounds: CacheBounds = { maxEntries: entries, maxWeight: OPERATION_CACHE_CHARACTERS };
    const textOf = (document: DocumentNode) => document.loc?.source.body.length ?? 0;
    this.documents = new LruCache(bounds, (key, document) => key.length + textOf(document));
    this.persisted = new LruCache(bounds, (key, text) => key.length + text.length);
    this.wsDocuments = new LruCache(bounds, (text) => text.length);
    this.plans = new OperationPlans(schema, limits, bounds);
  }

  /** Entries and characters per cache on /metrics. */
  register(metrics: Metrics): void {
    const caches = () =>
      [
        ['documents', this.documents],
        ['persisted', this.persisted],
        ['ws_documents', this.wsDocuments],
      ] as const;
    metrics.labelledGauge(
      'pedigree_operation_cache_entries',
      'Entries held per GraphQL operation cache (bounded by PEDIGREE_OPERATION_CACHE_ENTRIES)',
      () => [
        ...caches().map(([cache, c]): [Record<string, string>, number] => [{ cache }, c.size]),
        [{ cache: 'plans' }, this.plans.stats.documents],
      ],
    );
    metrics.labelledGauge(
      'pedigree_operation_cache_characters',
      'Characters of operation text held per GraphQL operation cache (at most 2 MiB each)',
      () => [
        ...caches().map(([cache, c]): [Record<string, string>, number] => [{ cache }, c.weight]),
        [{ cache: 'plans' }, this.plans.stats.characters],
      ],
    );
  }
}
