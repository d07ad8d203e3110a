import { Arg, Args, Ctx, Int, Query, Resolver } from 'type-graphql';
import type { DurationStats } from '../../analytics/analytics.service.js';
import { badInput } from '../../errors.js';
import type { Context } from '../context.js';
import { encodeCursor, MaxItems, PageArgs, decodeCursor, toPage } from '../common/page.js';
import { DateTimeScalar } from '../common/scalars.js';
import { Stage } from '../registry/enums.js';
import {
  AliasActivityBucketConnection,
  AnalyticsPeriod,
  AnalyticsWindowArgs,
  DurationPercentiles,
  PredictionVolumeBucketConnection,
  StageCount,
  StageTime,
  StaleProductionModelConnection,
  VersionsRegisteredBucketConnection,
} from './analytics.types.js';

const DAY_MS = 86_400_000;

/** An aggregated page as a connection: cursors are the rows' sort keys. */
function connection<T>(
  page: { total: number; rows: T[] },
  first: number,
  hadCursor: boolean,
  keyOf: (row: T) => unknown[],
) {
  const items = page.rows.slice(0, first);
  const edges = items.map((node) => ({ cursor: encodeCursor(keyOf(node)), node }));
  return {
    totalCount: page.total,
    edges,
    pageInfo: {
      hasNextPage: page.rows.length > first,
      hasPreviousPage: hadCursor,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

function cursorKey(after: string | null | undefined, shape: string[]): unknown[] | null {
  if (!after) return null;
  const key = decodeCursor(after);
  const ok = key.length === shape.length && key.every((k, i) => typeof k === shape[i]);
  if (!ok) throw badInput('after is not a cursor returned by this query', { field: 'after' });
  return key;
}

const percentiles = (s: DurationStats) => ({
  count: s.count,
  p50Seconds: s.p50,
  p90Seconds: s.p90,
  p95Seconds: s.p95,
  maxSeconds: s.max,
});

/** One row per lifecycle stage at most. */
const STAGE_COUNT = Object.keys(Stage).length;

@Resolver()
export class AnalyticsResolver {
  @Query(() => VersionsRegisteredBucketConnection, {
    description: 'Versions registered per period per model in a window, ordered by period then model.',
  })
  async versionsRegistered(
    @Arg('period', () => AnalyticsPeriod, { defaultValue: AnalyticsPeriod.DAY }) period: AnalyticsPeriod,
    @Args(() => AnalyticsWindowArgs) args: AnalyticsWindowArgs,
    @Ctx() ctx: Context,
  ) {
    const a = ctx.services.analytics;
    const page = toPage(args.first, null);
    const key = cursorKey(args.after, ['string', 'string']);
    const rows = await a.versionsRegistered(
      period,
      a.window(args),
      args.modelName ?? null,
      page.first + 1,
      key ? { periodStart: key[0] as string, modelName: key[1] as string } : null,
    );
    return connection(rows, page.first, key !== null, (r) => [r.periodStart, r.modelName]);
  }

  @Query(() => [StageCount], {
    description: 'How many versions are in each stage now (all five stages, zero included).',
  })
  @MaxItems(STAGE_COUNT)
  async versionCountsByStage(
    @Arg('modelName', () => String, { nullable: true }) modelName: string | null,
    @Ctx() ctx: Context,
  ) {
    const rows = await ctx.services.analytics.versionCountsByStage(modelName ?? null);
    return rows.map((r) => ({ stage: r.stage as Stage, count: r.count }));
  }

  @Query(() => DurationPercentiles, {
    description:
      "Promotion lead time: from a version's first move into STAGING to its first promotion to PRODUCTION, for versions first promoted in the window (default: last 30 days).",
  })
  async promotionLeadTime(
    @Arg('from', () => DateTimeScalar, { nullable: true }) from: Date | null,
    @Arg('to', () => DateTimeScalar, { nullable: true }) to: Date | null,
    @Arg('modelName', () => String, { nullable: true }) modelName: string | null,
    @Ctx() ctx: Context,
  ) {
    const a = ctx.services.analytics;
    return percentiles(await a.promotionLeadTime(a.window({ from, to }), modelName ?? null));
  }

  @Query(() => [StageTime], {
    description: 'Time spent in each stage, over stays that ended in the window (stages with none are absent).',
  })
  @MaxItems(STAGE_COUNT)
  async timeInStage(
    @Arg('from', () => DateTimeScalar, { nullable: true }) from: Date | null,
    @Arg('to', () => DateTimeScalar, { nullable: true }) to: Date | null,
    @Arg('modelName', () => String, { nullable: true }) modelName: string | null,
    @Ctx() ctx: Context,
  ) {
    const a = ctx.services.analytics;
    const rows = await a.timeInStage(a.window({ from, to }), modelName ?? null);
    return rows.map((r) => ({ stage: r.stage as Stage, ...percentiles(r) }));
  }

  @Query(() => AliasActivityBucketConnection, {
    description: 'Alias moves and rollbacks per period in a window, ordered by period.',
  })
  async aliasActivity(
    @Arg('period', () => AnalyticsPeriod, { defaultValue: AnalyticsPeriod.DAY }) period: AnalyticsPeriod,
    @Arg('alias', () => String, { nullable: true }) alias: string | null,
    @Args(() => AnalyticsWindowArgs) args: AnalyticsWindowArgs,
    @Ctx() ctx: Context,
  ) {
    const a = ctx.services.analytics;
    const page = toPage(args.first, null);
    const key = cursorKey(args.after, ['string']);
    const rows = await a.aliasActivity(
      period,
      a.window(args),
      args.modelName ?? null,
      alias ?? null,
      page.first + 1,
      key ? { periodStart: key[0] as string } : null,
    );
    return connection(rows, page.first, key !== null, (r) => [r.periodStart]);
  }

  @Query(() => PredictionVolumeBucketConnection, {
    description: 'Predictions newly logged per model version per UTC day in a window, ordered by day, model, version.',
  })
  async predictionVolume(@Args(() => AnalyticsWindowArgs) args: AnalyticsWindowArgs, @Ctx() ctx: Context) {
    const a = ctx.services.analytics;
    const page = toPage(args.first, null);
    const key = cursorKey(args.after, ['string', 'string', 'number']);
    const rows = await a.predictionVolume(
      a.window(args),
      args.modelName ?? null,
      page.first + 1,
      key ? { periodStart: key[0] as string, modelName: key[1] as string, version: key[2] as number } : null,
    );
    return connection(rows, page.first, key !== null, (r) => [r.periodStart, r.modelName, r.version]);
  }

  @Query(() => StaleProductionModelConnection, {
    description:
      'Production versions trained on data older than `olderThanDays` (by the newest training dataset version). With `alias`, the version that alias points to; otherwise every version in stage PRODUCTION.',
  })
  async staleProductionModels(
    @Arg('olderThanDays', () => Int) olderThanDays: number,
    @Arg('alias', () => String, { nullable: true }) alias: string | null,
    @Args(() => PageArgs) { first, after }: PageArgs,
    @Ctx() ctx: Context,
  ) {
    const page = toPage(first, null);
    const key = cursorKey(after, ['string', 'number']);
    const rows = await ctx.services.analytics.staleProductionModels(
      olderThanDays,
      alias ?? null,
      page.first + 1,
      key ? { modelName: key[0] as string, version: key[1] as number } : null,
    );
    const now = Date.now();
    return connection(
      {
        total: rows.total,
        rows: rows.rows.map((r) => ({
          ...r,
          stage: r.stage as Stage,
          dataAgeDays: Math.round(((now - Date.parse(r.newestDataAt)) / DAY_MS) * 100) / 100,
        })),
      },
      page.first,
      key !== null,
      (r) => [r.modelName, r.version],
    );
  }
}
