import { MAX_PAGE_SIZE, MaxItems, toListPage } from '../common/page.js';
import { unknownAfter } from '../../paging.js';
import { COLUMN_LINEAGE_PAGE, MAX_DATASETS_PER_EVENT, MAX_FACET_LIST } from '../../provenance/openlineage/event.js';
import { Arg, Args, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import { badInput } from '../../errors.js';
import type { Context } from '../context.js';
import { PageArgs, toConnection, toPage, type ConnectionResult } from '../common/page.js';
import { JSONScalar } from '../common/scalars.js';
import { DataSource, DatasetType, DatasetVersion, Run } from './provenance.types.js';
import {
  ColumnLineage,
  ColumnLineageInputField,
  DatasetDataSource,
  DatasetOwner,
  Job,
  JobRefInput,
  LineageInput,
  RunConnection,
} from './openlineage.types.js';
import { toDatasetVersion, toRunType } from './provenance.resolver.js';

@Resolver()
export class OpenLineageResolver {
  @Query(() => RunConnection, { description: "An OpenLineage job's runs, newest first (by start), paged." })
  async runs(
    @Arg('job', () => JobRefInput) job: JobRefInput,
    @Args(() => PageArgs) { first, after }: PageArgs,
    @Ctx() ctx: Context,
  ): Promise<ConnectionResult<Run>> {
    const page = toPage(first, after);
    let cursor: { startedAtMs: number; id: string } | null = null;
    if (page.after) {
      const [ms, id] = page.after;
      if (page.after.length !== 2 || !Number.isSafeInteger(ms) || typeof id !== 'string')
        throw badInput('after is not a cursor returned by this query', { field: 'after' });
      cursor = { startedAtMs: ms as number, id };
    }
    const { total, runs } = await ctx.services.openLineage.runsOfJob(job, cursor, page.first + 1);
    const c = toConnection(runs, page, total, (r) => [r.startedAtMs, r.id]);
    return { ...c, edges: c.edges.map((e) => ({ cursor: e.cursor, node: toRunType(e.node) })) };
  }

  @Query(() => Job, { nullable: true, description: 'An OpenLineage job by namespace and name.' })
  async job(
    @Arg('namespace', () => String) namespace: string,
    @Arg('name', () => String) name: string,
    @Ctx() ctx: Context,
  ): Promise<Job | null> {
    return ctx.services.openLineage.job(namespace, name);
  }
}

/** Run fields OpenLineage fills (null or empty for runs registered otherwise). */
@Resolver(() => Run)
export class RunLineageResolver {
  @FieldResolver(() => Job, { nullable: true, description: 'The OpenLineage job this run is a run of.' })
  job(@Root() run: Run, @Ctx() ctx: Context): Promise<Job | null> {
    return ctx.loaders.jobOfRun.load(run.id);
  }

  @FieldResolver(() => Run, {
    nullable: true,
    description: 'The run this one was started by (OpenLineage parent facet: a DAG run above its tasks).',
  })
  async parent(@Root() run: Run, @Ctx() ctx: Context): Promise<Run | null> {
    const p = await ctx.loaders.parentRun.load(run.id);
    return p ? toRunType(p) : null;
  }

  @FieldResolver(() => JSONScalar, {
    nullable: true,
    description:
      'Run facets from its OpenLineage events, merged (the latest event time wins per facet); null for other runs.',
  })
  async facets(@Root() run: Run, @Ctx() ctx: Context): Promise<Record<string, unknown> | null> {
    return (await ctx.loaders.runLineage.load(run.id))?.facets ?? null;
  }

  @FieldResolver(() => JSONScalar, {
    nullable: true,
    description: "Job facets as this run's events carried them (sourceCodeLocation, sql, …).",
  })
  async jobFacets(@Root() run: Run, @Ctx() ctx: Context): Promise<Record<string, unknown> | null> {
    return (await ctx.loaders.runLineage.load(run.id))?.jobFacets ?? null;
  }

  @MaxItems(MAX_DATASETS_PER_EVENT)
  @FieldResolver(() => [LineageInput], {
    description:
      "Inputs as the run's OpenLineage events named them (Run.inputs has them resolved to dataset versions).",
  })
  async lineageInputs(@Root() run: Run, @Ctx() ctx: Context): Promise<LineageInput[]> {
    return (await ctx.loaders.runLineage.load(run.id))?.inputs ?? [];
  }

  @FieldResolver(() => String, { nullable: true, description: 'processing_engine facet: Spark, Airflow, dbt, …' })
  async processingEngine(@Root() run: Run, @Ctx() ctx: Context): Promise<string | null> {
    return (await ctx.loaders.runLineage.load(run.id))?.processingEngine ?? null;
  }

  @FieldResolver(() => String, { nullable: true })
  async processingEngineVersion(@Root() run: Run, @Ctx() ctx: Context): Promise<string | null> {
    return (await ctx.loaders.runLineage.load(run.id))?.processingEngineVersion ?? null;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'nominalTime facet: the scheduled start (RFC 3339, as sent).',
  })
  async nominalStartTime(@Root() run: Run, @Ctx() ctx: Context): Promise<string | null> {
    return (await ctx.loaders.runLineage.load(run.id))?.nominalStartTime ?? null;
  }

  @FieldResolver(() => String, { nullable: true })
  async nominalEndTime(@Root() run: Run, @Ctx() ctx: Context): Promise<string | null> {
    return (await ctx.loaders.runLineage.load(run.id))?.nominalEndTime ?? null;
  }

  @FieldResolver(() => String, { nullable: true, description: 'errorMessage facet of a failed run.' })
  async errorMessage(@Root() run: Run, @Ctx() ctx: Context): Promise<string | null> {
    return (await ctx.loaders.runLineage.load(run.id))?.errorMessage ?? null;
  }

  @MaxItems(MAX_FACET_LIST)
  @FieldResolver(() => [String], {
    description: 'Names from the environment-variables facet (values are never stored).',
  })
  async environmentVariableNames(@Root() run: Run, @Ctx() ctx: Context): Promise<string[]> {
    return (await ctx.loaders.runLineage.load(run.id))?.environmentVariableNames ?? [];
  }
}

/** DatasetVersion fields OpenLineage fills. */
@Resolver(() => DatasetVersion)
export class DatasetVersionLineageResolver {
  @FieldResolver(() => Run, {
    nullable: true,
    description: 'The run whose OpenLineage COMPLETE produced this version.',
  })
  async producedBy(@Root() dv: DatasetVersion, @Ctx() ctx: Context): Promise<Run | null> {
    const r = await ctx.loaders.producedBy.load(dv.id);
    return r ? toRunType(r) : null;
  }

  @FieldResolver(() => [ColumnLineage], {
    description: `Column-level lineage (columnLineage facet), by output column in column order; \`field\` keeps one column. Paged: \`first\` columns (default ${COLUMN_LINEAGE_PAGE}, at most ${MAX_PAGE_SIZE}) after the column named \`after\`.`,
  })
  async columnLineage(
    @Root() dv: DatasetVersion,
    @Arg('field', () => String, { nullable: true }) field: string | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: COLUMN_LINEAGE_PAGE }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: Context,
  ): Promise<ColumnLineage[]> {
    const page = toListPage(first ?? COLUMN_LINEAGE_PAGE, after);
    const entries = [...((await ctx.loaders.versionLineage.load(dv.id))?.columnLineage ?? [])].sort((a, b) =>
      a.field < b.field ? -1 : a.field > b.field ? 1 : 0,
    );
    const kept = field === null || field === undefined ? entries : entries.filter((e) => e.field === field);
    const start = page.after === null ? 0 : kept.findIndex((e) => e.field === page.after) + 1;
    if (page.after !== null && start === 0) throw unknownAfter(page.after, 'field');
    return kept.slice(start, start + page.first);
  }

  @FieldResolver(() => JSONScalar, {
    nullable: true,
    description: 'Dataset and output facets of the event that produced it (size-capped).',
  })
  async facets(@Root() dv: DatasetVersion, @Ctx() ctx: Context): Promise<Record<string, unknown> | null> {
    return (await ctx.loaders.versionLineage.load(dv.id))?.facets ?? null;
  }

  @FieldResolver(() => JSONScalar, {
    nullable: true,
    description: 'schema facet: the fields (name, type, description, nested fields).',
  })
  async schema(@Root() dv: DatasetVersion, @Ctx() ctx: Context): Promise<unknown[] | null> {
    return (await ctx.loaders.versionLineage.load(dv.id))?.schema ?? null;
  }

  @FieldResolver(() => DatasetDataSource, { nullable: true, description: 'dataSource facet.' })
  async dataSource(@Root() dv: DatasetVersion, @Ctx() ctx: Context): Promise<DatasetDataSource | null> {
    const d = await ctx.loaders.versionLineage.load(dv.id);
    return d && (d.dataSourceName || d.dataSourceUri) ? { name: d.dataSourceName, uri: d.dataSourceUri } : null;
  }

  @MaxItems(MAX_FACET_LIST)
  @FieldResolver(() => [DatasetOwner], { description: 'ownership facet.' })
  async owners(@Root() dv: DatasetVersion, @Ctx() ctx: Context): Promise<DatasetOwner[]> {
    return (await ctx.loaders.versionLineage.load(dv.id))?.owners ?? [];
  }

  @FieldResolver(() => JSONScalar, {
    nullable: true,
    description: 'dataQualityMetrics facet (rowCount, bytes, columnMetrics, …).',
  })
  async qualityMetrics(@Root() dv: DatasetVersion, @Ctx() ctx: Context): Promise<Record<string, unknown> | null> {
    return (await ctx.loaders.versionLineage.load(dv.id))?.qualityMetrics ?? null;
  }
}

@Resolver(() => ColumnLineageInputField)
export class ColumnLineageInputFieldResolver {
  @FieldResolver(() => DatasetVersion, { nullable: true })
  async datasetVersion(@Root() f: ColumnLineageInputField, @Ctx() ctx: Context): Promise<DatasetVersion | null> {
    if (f.resolvedKind !== 'DatasetVersion' || !f.resolvedId) return null;
    const dv = await ctx.loaders.datasetVersion.load(f.resolvedId);
    return dv ? toDatasetVersion(dv) : null;
  }

  @FieldResolver(() => DataSource, { nullable: true })
  dataSource(@Root() f: ColumnLineageInputField): DataSource | null {
    return f.resolvedKind === 'DataSource' && f.resolvedId ? { id: f.resolvedId, uri: f.dataset } : null;
  }
}

@Resolver(() => DatasetType)
export class DatasetLineageResolver {
  @FieldResolver(() => JSONScalar, {
    nullable: true,
    description: 'Dataset facets from OpenLineage DatasetEvents (static metadata), merged.',
  })
  facets(@Root() d: DatasetType, @Ctx() ctx: Context): Promise<Record<string, unknown> | null> {
    return ctx.loaders.datasetFacets.load(d.name);
  }
}

export const openLineageResolvers = [
  OpenLineageResolver,
  RunLineageResolver,
  DatasetVersionLineageResolver,
  ColumnLineageInputFieldResolver,
  DatasetLineageResolver,
] as const;
