import { badInput } from '../errors.js';
import { ALIAS_EVENT_TYPES } from '../events/event-log.js';
import { statement } from '../graph/cypher.js';
import type { Executor } from '../graph/executor.js';
import { STAGES } from '../registry/types.js';
import { assertAliasName, assertModelName } from '../registry/validation.js';

const Q = {
  versionsRegistered: statement('analytics/versions-registered'),
  countsByStage: statement('analytics/version-counts-by-stage'),
  promotionLeadTime: statement('analytics/promotion-lead-time'),
  timeInStage: statement('analytics/time-in-stage'),
  aliasActivity: statement('analytics/alias-activity'),
  predictionVolume: statement('analytics/prediction-volume'),
  staleProduction: statement('analytics/stale-production-models'),
};

export type Period = 'DAY' | 'WEEK';

/** Longest window an analytics query may aggregate over: what bounds its cost. */
export const MAX_WINDOW_DAYS = 400;
/** The window when the caller gives none: the last 30 days. */
export const DEFAULT_WINDOW_DAYS = 30;
const DAY_MS = 86_400_000;

/** A time window [from, to) as ISO strings, validated. */
export interface Window {
  from: string;
  to: string;
}

export interface WindowInput {
  from?: Date | string | null;
  to?: Date | string | null;
}

/** A page of an aggregated list: the rows after the cursor key, plus the total. */
export interface AggregatePage<T> {
  total: number;
  rows: T[];
}

export interface VersionsRegisteredRow {
  periodStart: string;
  modelName: string;
  count: number;
}

export interface StageCountRow {
  stage: string;
  count: number;
}

/** Durations in seconds; null when there was nothing to measure. */
export interface DurationStats {
  count: number;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  max: number | null;
}

export interface StageTimeRow extends DurationStats {
  stage: string;
}

export interface AliasActivityRow {
  periodStart: string;
  moves: number;
  rollbacks: number;
}

export interface PredictionVolumeRow {
  periodStart: string;
  modelName: string;
  version: number;
  count: number;
}

export interface StaleProductionRow {
  modelName: string;
  version: number;
  stage: string;
  newestDataAt: string;
  datasets: string[];
}

/**
 * Read-only aggregates for dashboards. Each method is one Cypher statement
 * whose cost is bounded by a time window (at most MAX_WINDOW_DAYS) or by the
 * number of production versions; lists come back as one page after a cursor
 * key (the sort key of the last row seen) with the total number of rows.
 */
export class AnalyticsService {
  constructor(
    private readonly executor: Executor,
    private readonly now: () => Date = () => new Date(),
  ) {}

  window(input: WindowInput = {}): Window {
    const to = toDate(input.to, 'to') ?? this.now();
    const from = toDate(input.from, 'from') ?? new Date(to.getTime() - DEFAULT_WINDOW_DAYS * DAY_MS);
    if (from.getTime() >= to.getTime())
      throw badInput(`from must be before to; got from ${from.toISOString()}, to ${to.toISOString()}`, {
        field: 'from',
      });
    if (to.getTime() - from.getTime() > MAX_WINDOW_DAYS * DAY_MS) {
      throw badInput(
        `an analytics window spans at most ${MAX_WINDOW_DAYS} days; got ${Math.ceil((to.getTime() - from.getTime()) / DAY_MS)}`,
        { field: 'from' },
      );
    }
    return { from: from.toISOString(), to: to.toISOString() };
  }

  async versionsRegistered(
    period: Period,
    w: Window,
    modelName: string | null,
    limit: number,
    after: { periodStart: string; modelName: string } | null,
  ): Promise<AggregatePage<VersionsRegisteredRow>> {
    if (modelName !== null) assertModelName(modelName, 'modelName');
    const [row] = await this.executor.read<AggregatePage<VersionsRegisteredRow>>(Q.versionsRegistered, {
      ...w,
      unit: unitOf(period),
      modelName,
      afterAt: after?.periodStart ?? null,
      afterName: after?.modelName ?? null,
      limit,
    });
    return row ?? { total: 0, rows: [] };
  }

  async versionCountsByStage(modelName: string | null): Promise<StageCountRow[]> {
    if (modelName !== null) assertModelName(modelName, 'modelName');
    return byLifecycle(await this.executor.read<StageCountRow>(Q.countsByStage, { stages: [...STAGES], modelName }));
  }

  /** First move into STAGING → first promotion to PRODUCTION, for versions promoted in the window. */
  async promotionLeadTime(w: Window, modelName: string | null): Promise<DurationStats> {
    if (modelName !== null) assertModelName(modelName, 'modelName');
    const [row] = await this.executor.read<DurationStats>(Q.promotionLeadTime, { ...w, modelName });
    return row ?? { count: 0, p50: null, p90: null, p95: null, max: null };
  }

  /** Completed stays in each stage that ended in the window. Stages with none are absent. */
  async timeInStage(w: Window, modelName: string | null): Promise<StageTimeRow[]> {
    if (modelName !== null) assertModelName(modelName, 'modelName');
    return byLifecycle(await this.executor.read<StageTimeRow>(Q.timeInStage, { ...w, modelName }));
  }

  async aliasActivity(
    period: Period,
    w: Window,
    modelName: string | null,
    alias: string | null,
    limit: number,
    after: { periodStart: string } | null,
  ): Promise<AggregatePage<AliasActivityRow>> {
    if (modelName !== null) assertModelName(modelName, 'modelName');
    if (alias !== null) assertAliasName(alias);
    const [row] = await this.executor.read<AggregatePage<AliasActivityRow>>(Q.aliasActivity, {
      ...w,
      unit: unitOf(period),
      types: [...ALIAS_EVENT_TYPES],
      modelName,
      alias,
      afterAt: after?.periodStart ?? null,
      limit,
    });
    return row ?? { total: 0, rows: [] };
  }

  async predictionVolume(
    w: Window,
    modelName: string | null,
    limit: number,
    after: { periodStart: string; modelName: string; version: number } | null,
  ): Promise<AggregatePage<PredictionVolumeRow>> {
    if (modelName !== null) assertModelName(modelName, 'modelName');
    const [row] = await this.executor.read<AggregatePage<PredictionVolumeRow>>(Q.predictionVolume, {
      ...w,
      modelName,
      afterAt: after?.periodStart ?? null,
      afterName: after?.modelName ?? null,
      afterVersion: after?.version ?? null,
      limit,
    });
    return row ?? { total: 0, rows: [] };
  }

  /**
   * Production versions whose newest training dataset version was registered
   * more than `olderThanDays` days ago. With `alias`, "production" means the
   * version that alias points to; without, every version in stage PRODUCTION.
   */
  async staleProductionModels(
    olderThanDays: number,
    alias: string | null,
    limit: number,
    after: { modelName: string; version: number } | null,
  ): Promise<AggregatePage<StaleProductionRow>> {
    if (!Number.isInteger(olderThanDays) || olderThanDays < 0 || olderThanDays > 36_500) {
      throw badInput(`olderThanDays must be an integer from 0 to 36500; got ${olderThanDays}`, {
        field: 'olderThanDays',
      });
    }
    if (alias !== null) assertAliasName(alias);
    const cutoff = new Date(this.now().getTime() - olderThanDays * DAY_MS).toISOString();
    const [row] = await this.executor.read<AggregatePage<StaleProductionRow>>(Q.staleProduction, {
      cutoff,
      alias,
      afterName: after?.modelName ?? null,
      afterVersion: after?.version ?? null,
      limit,
    });
    return row ?? { total: 0, rows: [] };
  }
}

/** Rows in lifecycle order (DEVELOPMENT first), not alphabetical. */
function byLifecycle<T extends { stage: string }>(rows: T[]): T[] {
  const at = (s: string) => (STAGES as readonly string[]).indexOf(s);
  return [...rows].sort((a, b) => at(a.stage) - at(b.stage));
}

function unitOf(period: Period): string {
  switch (period) {
    case 'DAY':
      return 'day';
    case 'WEEK':
      return 'week';
    default:
      throw badInput(`period must be DAY or WEEK; got ${JSON.stringify(period)}`, { field: 'period' });
  }
}

function toDate(value: Date | string | null | undefined, field: string): Date | null {
  if (value === null || value === undefined) return null;
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) throw badInput(`${field} must be an ISO 8601 instant`, { field });
  return d;
}
