import { badInput } from '../errors.js';
import { statement, type Statement } from '../graph/cypher.js';
import type { Executor } from '../graph/executor.js';
import type { PageRequest, Stage, VersionRecord } from './types.js';
import { assertModelName, assertTag } from './validation.js';

const Q = {
  /** Any ordering, from the filter with the fewest candidates: the fallback of every walk. */
  search: statement('registry/search-versions'),
  count: statement('registry/search-versions-count'),
  estimate: statement('registry/search-versions-estimate'),
  byName: statement('registry/search-versions-by-name'),
  byVersionAsc: statement('registry/search-versions-by-version-asc'),
  byVersionDesc: statement('registry/search-versions-by-version-desc'),
  byCreatedAsc: statement('registry/search-versions-by-created-asc'),
  byCreatedDesc: statement('registry/search-versions-by-created-desc'),
  byMetricAsc: statement('registry/search-versions-by-metric-asc'),
  byMetricDesc: statement('registry/search-versions-by-metric-desc'),
};

/** searchModelVersions' totalCount counts at most this many matches; past it, totalCountIsExact is false. */
export const SEARCH_COUNT_CAP = 10_000;

export interface VersionFilter {
  modelName?: string | null;
  stage?: Stage | null;
  tag?: { key: string; value: string } | null;
  metric?: { key: string; op: 'GT' | 'GTE' | 'LT' | 'LTE' | 'EQ'; value: number } | null;
  createdAfter?: string | null;
  createdBefore?: string | null;
  /** The source, exactly, or a prefix of it. */
  source?: string | null;
  sourcePrefix?: string | null;
}

export interface VersionOrder {
  field: 'VERSION' | 'CREATED_AT' | 'METRIC';
  metricKey?: string | null;
  direction?: 'ASC' | 'DESC' | null;
}

export interface VersionSearchResult {
  /** Matches across all pages, up to the cap; null unless asked for (`withTotal`). */
  total: number | null;
  /** False when the count stopped at the cap (there are more matches than `total`). */
  totalIsExact: boolean;
  /** `first + 1` rows at most (the extra one tells there is a next page), each with its keyset key. */
  page: { version: VersionRecord; key: unknown[] }[];
}

/**
 * How a search is carried out. Defaults suit production; tests shrink the
 * caps and force a plan to reach every path on a small graph.
 */
export interface SearchTuning {
  /** totalCount stops counting past this many matches. */
  countCap: number;
  /** Most versions a walk may read before it gives up for the general statement. */
  maxWalk: number;
  /** Fewest versions a walk may read (its budget when the filter looks unselective). */
  minWalk: number;
  /** `auto` chooses; `general` never walks; `walk` walks whatever the estimate says (still falling back when cut). */
  plan: 'auto' | 'general' | 'walk';
}

const DEFAULT_TUNING: SearchTuning = { countCap: SEARCH_COUNT_CAP, maxWalk: 20_000, minWalk: 1_000, plan: 'auto' };

/** The keys of a version that sorts last (a missing sort value) and of an unused second key. */
const LAST = 1.0e308;
/** Above every model name (names are ASCII letters, digits and _ - . /; see validation.ts). */
const AFTER_EVERY_NAME = '~';
/** The widest datetime range as epoch ms (JavaScript's, which Neo4j's contains). */
const MIN_MS = -8.64e15;
const MAX_MS = 8.64e15;

type Start = 'TAG' | 'METRIC' | 'MODEL' | 'STAGE' | 'CREATED' | 'SOURCE' | 'ALL';
type Row = VersionSearchResult['page'][number];

/** An ordering a walk of one index gives: the walk's statement and its seek bounds from the filter and cursor. */
interface Walk {
  name: Statement;
  /** A CREATED_AT walk: its last millisecond may need completing (the sign of its first key: -1 newest first). */
  byTime: 1 | -1 | null;
  bounds: Record<string, unknown>;
  /**
   * A walk that reads the whole of its last number's versions to order them
   * (VERSION DESC: one per model having that number) gets the largest budget.
   */
  readsGroups?: boolean;
}

/**
 * searchModelVersions and MLflow's model-versions/search: the page, and the
 * count only when asked for, capped.
 *
 * The page comes from one of two kinds of statement. The general one
 * (search-versions.cypher) starts from the filter with the fewest candidates,
 * filters, and sorts what is left: its time follows those candidates. A walk
 * (search-versions-by-*.cypher) reads an index in the page's own order —
 * (modelName, version) for the default ordering, (version, modelName),
 * createdAt, or the filtered metric's (key, value) — and stops at the page's
 * last match: its time follows how far it must read to find a page of
 * matches, about `first × versions ÷ matches`. So a bounded count of each
 * filter's candidates (search-versions-estimate.cypher, up to
 * √(first × versions)) picks: few candidates, the general statement; many, the
 * walk, with a budget of versions to read; a walk that hits its budget hands
 * over to the general statement. Either way a first page reads on the order
 * of √(first × versions) versions, whatever the number of matches. Both give
 * exactly the same rows in the same order with the same cursors (a property
 * test holds them together).
 */
export class VersionSearch {
  private readonly tuning: SearchTuning;
  /**
   * The last count of all versions an estimate saw: sizes the next estimate's cap (a hint; 100,000 until one has run).
   */
  private versionsSeen = 100_000;

  constructor(
    private readonly executor: Pick<Executor, 'read'>,
    tuning: Partial<SearchTuning> = {},
  ) {
    this.tuning = { ...DEFAULT_TUNING, ...tuning };
  }

  /**
   * Versions across models, filtered, ordered and paged (keyset); the count of
   * matches only `withTotal`, up to SEARCH_COUNT_CAP.
   */
  async search(
    filter: VersionFilter,
    orderBy: VersionOrder[],
    page: PageRequest,
    options: { withTotal: boolean },
  ): Promise<VersionSearchResult> {
    validate(filter, orderBy, page);
    const limit = page.first + 1;
    const base = filterParams(filter);
    const starts = startsOf(filter);
    const walk = walkFor(filter, orderBy, page.after);
    // The estimate is only worth its round trip when it decides something: a walk, or which of several filters to start
    // from.
    const estimate =
      starts.length > 1 || (starts.length === 1 && walk && this.tuning.plan === 'auto')
        ? await this.estimate(base, starts, limit)
        : null;
    const start: Start = estimate?.start ?? starts[0] ?? 'ALL';
    const counted = options.withTotal ? this.count(base, start) : Promise.resolve(null);
    const general = (extra: Record<string, unknown> = {}) =>
      this.general({ ...base, start, orderBy: orderParams(orderBy), cursor: page.after, limit, ...extra });
    let rows: Promise<Row[]>;
    if (walk && this.tuning.plan !== 'general' && (this.tuning.plan === 'walk' || !estimate || estimate.walk)) {
      const most = Math.max(this.tuning.maxWalk, 2 * limit);
      const budget = walk.readsGroups
        ? most
        : Math.min(most, Math.max(this.tuning.minWalk, 2 * limit, Math.ceil(4 * limit * (estimate?.spread ?? 1))));
      rows = this.walk(walk, { ...base, cursor: page.after, limit, budget }, general);
    } else {
      rows = general();
    }
    const [total, found] = await Promise.all([counted, rows]);
    return {
      total: total === null ? null : Math.min(total, this.tuning.countCap),
      totalIsExact: total === null || total <= this.tuning.countCap,
      page: found,
    };
  }

  /**
   * Candidates of each filter that can start a search, counted up to
   * √(limit × versions) (the cost where a walk and the general statement
   * break even): the smallest starts the general statement, and the walk is
   * chosen when even that one reaches the break-even.
   */
  private async estimate(
    base: Record<string, unknown>,
    starts: Start[],
    limit: number,
  ): Promise<{ start: Start; walk: boolean; spread: number }> {
    const cap = Math.min(this.tuning.maxWalk, Math.max(100, Math.ceil(Math.sqrt(limit * this.versionsSeen))));
    const [row] = await this.executor.read<Record<string, number | null>>(Q.estimate, { ...base, cap });
    const versions = Number(row!.versions ?? 0);
    this.versionsSeen = Math.max(versions, 1);
    const counts = starts.map((s) => [s, Number(row![s.toLowerCase()] ?? 0)] as const).sort((a, b) => a[1] - b[1]);
    const [start, fewest] = counts[0]!;
    return {
      start,
      walk: fewest >= cap || fewest * fewest >= limit * versions,
      spread: versions / Math.max(fewest, 1),
    };
  }

  private async count(base: Record<string, unknown>, start: Start): Promise<number> {
    const [row] = await this.executor.read<{ total: number }>(Q.count, {
      ...base,
      start,
      cap: this.tuning.countCap + 1,
    });
    return row!.total;
  }

  private async general(params: Record<string, unknown>): Promise<Row[]> {
    const [row] = await this.executor.read<{ page: Row[] }>(Q.search, params);
    return row!.page;
  }

  /**
   * A walk, handing over to the general statement when it was cut short by
   * its budget. A CREATED_AT walk's page is put in key order (the walk went by
   * full-precision time, the key is the millisecond); when its last
   * millisecond holds versions at several times, the walk may have taken the
   * wrong ones of it, and the general statement orders that millisecond.
   */
  private async walk(
    walk: Walk,
    params: Record<string, unknown>,
    general: (extra?: Record<string, unknown>) => Promise<Row[]>,
  ): Promise<Row[]> {
    const [row] = await this.executor.read<{ page: Row[]; cut: boolean; open?: boolean }>(walk.name, {
      ...params,
      ...walk.bounds,
    });
    if (row!.cut) return general();
    if (walk.byTime === null) return row!.page;
    const page = [...row!.page].sort((a, b) => compareKeys(a.key, b.key));
    if (!row!.open) return page;
    const ms = (r: Row) => (r.key[0] as number) * walk.byTime!;
    const lastMs = ms(row!.page.at(-1)!);
    const rest = await general({ start: 'CREATED', createdLo: lastMs, createdHi: lastMs + 1 });
    return [...page.filter((r) => ms(r) !== lastMs), ...rest].slice(0, params.limit as number);
  }
}

/**
 * Keyset keys in page order, as Cypher orders them: numbers, then names (UTF-16 code units, as Java and JavaScript
 * compare).
 */
function compareKeys(a: unknown[], b: unknown[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number | string;
    const y = b[i] as number | string;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function validate(filter: VersionFilter, orderBy: VersionOrder[], page: PageRequest): void {
  if (orderBy.length > 2)
    throw badInput('orderBy takes at most two entries (then model name and version break ties)', { field: 'orderBy' });
  for (const o of orderBy) {
    if (o.field === 'METRIC' && !o.metricKey)
      throw badInput('orderBy with field METRIC needs metricKey', { field: 'orderBy' });
  }
  if (filter.tag) assertTag(filter.tag.key, filter.tag.value);
  if (filter.modelName) assertModelName(filter.modelName, 'filter.modelName');
  if (filter.metric && !Number.isFinite(filter.metric.value))
    throw badInput('filter.metric.value must be a finite number');
  for (const [field, at] of [
    ['createdAfter', filter.createdAfter],
    ['createdBefore', filter.createdBefore],
  ] as const) {
    if (at && !Number.isFinite(Date.parse(at)))
      throw badInput(`filter.${field} must be an ISO 8601 date-time`, { field: `filter.${field}` });
  }
  const after = page.after;
  if (
    after &&
    (after.length !== 4 ||
      typeof after[0] !== 'number' ||
      typeof after[1] !== 'number' ||
      typeof after[2] !== 'string' ||
      typeof after[3] !== 'number')
  ) {
    throw badInput('after is not a cursor returned by this query', { field: 'after' });
  }
}

/** The filter as every search statement takes it. */
function filterParams(filter: VersionFilter): Record<string, unknown> {
  const m = filter.metric;
  return {
    modelName: filter.modelName ?? null,
    stage: filter.stage ?? null,
    tagKey: filter.tag?.key ?? null,
    tagValue: filter.tag?.value ?? null,
    metricKey: m?.key ?? null,
    metricOp: m?.op ?? null,
    metricValue: m ? m.value : null,
    // The closed range an index can seek; the exact comparison (strict or not) is the filter's.
    metricMin: m && ['GT', 'GTE', 'EQ'].includes(m.op) ? m.value : -Number.MAX_VALUE,
    metricMax: m && ['LT', 'LTE', 'EQ'].includes(m.op) ? m.value : Number.MAX_VALUE,
    createdAfter: filter.createdAfter ?? null,
    createdBefore: filter.createdBefore ?? null,
    // The same as epoch ms bounds an index can seek, [lo, hi); again the filter compares exactly.
    createdLo: filter.createdAfter ? Date.parse(filter.createdAfter) : MIN_MS,
    createdHi: filter.createdBefore ? Date.parse(filter.createdBefore) + 1 : MAX_MS,
    source: filter.source ?? null,
    sourcePrefix: filter.sourcePrefix ?? null,
    sourceStart: filter.source ?? filter.sourcePrefix ?? null,
  };
}

function orderParams(orderBy: VersionOrder[]) {
  return orderBy.map((o) => ({
    field: o.field,
    metricKey: o.metricKey ?? null,
    sign: o.direction === 'DESC' ? -1 : 1,
  }));
}

/** The filters a search can start from (each has an index). */
function startsOf(filter: VersionFilter): Start[] {
  const starts: Start[] = [];
  if (filter.tag) starts.push('TAG');
  if (filter.metric) starts.push('METRIC');
  if (filter.modelName) starts.push('MODEL');
  if (filter.stage) starts.push('STAGE');
  if (filter.createdAfter || filter.createdBefore) starts.push('CREATED');
  if (filter.source || filter.sourcePrefix) starts.push('SOURCE');
  return starts;
}

/**
 * The walk that gives this ordering, with its seek bounds (the filter's
 * range, narrowed to where the cursor's key can still be passed), or null:
 * two sort keys, a metric other than the filtered one, or a cursor from
 * another ordering, which only the general statement answers.
 */
function walkFor(filter: VersionFilter, orderBy: VersionOrder[], after: unknown[] | null): Walk | null {
  if (orderBy.length > 1 || (after && after[1] !== LAST)) return null;
  const c = after ? (after[0] as number) : null;
  const o = orderBy[0];
  if (!o) {
    if (c !== null && c !== LAST) return null;
    const from = [filter.modelName ?? '', after ? (after[2] as string) : ''].reduce((a, b) => (a > b ? a : b));
    return { name: Q.byName, byTime: null, bounds: { from, to: filter.modelName ?? AFTER_EVERY_NAME } };
  }
  const desc = o.direction === 'DESC';
  // Past a cursor on a missing value (LAST) nothing with a value is left; the general statement says so.
  if (c === LAST) return null;
  if (o.field === 'VERSION') {
    const bounds = desc
      ? { lo: 0, hi: c === null ? Number.MAX_SAFE_INTEGER : Math.floor(-c) }
      : { lo: c === null ? 0 : Math.ceil(c), hi: Number.MAX_SAFE_INTEGER };
    return { name: desc ? Q.byVersionDesc : Q.byVersionAsc, byTime: null, bounds, readsGroups: desc };
  }
  if (o.field === 'CREATED_AT') {
    // A time key is whole milliseconds; anything else did not come from this ordering.
    if (c !== null && !Number.isInteger(c)) return null;
    const { createdLo: lo, createdHi: hi } = filterParams(filter) as { createdLo: number; createdHi: number };
    const bounds = desc
      ? { lo, hi: c === null ? hi : Math.min(hi, -c + 1) }
      : { lo: c === null ? lo : Math.max(lo, c), hi };
    return { name: desc ? Q.byCreatedDesc : Q.byCreatedAsc, byTime: desc ? -1 : 1, bounds };
  }
  if (!filter.metric || filter.metric.key !== o.metricKey) return null;
  const { metricMin: lo, metricMax: hi } = filterParams(filter) as { metricMin: number; metricMax: number };
  const bounds = desc ? { lo, hi: c === null ? hi : Math.min(hi, -c) } : { lo: c === null ? lo : Math.max(lo, c), hi };
  return { name: desc ? Q.byMetricDesc : Q.byMetricAsc, byTime: null, bounds };
}
