import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { badInput, notFound } from '../../errors.js';
import type { MetricCursor } from '../../tracking/tracking.service.js';
import type { DatasetVersionRecord, ModelVersionRecord, RunRecord } from '../../provenance/types.js';
import type { Context } from '../context.js';
import { MAX_RUN_INPUTS, MAX_RUN_METRICS } from '../../provenance/lineage.js';
import {
  DEFAULT_LIST_PAGE,
  ListPageArgs,
  MaxItems,
  PageArgs,
  toConnection,
  toListPage,
  toPage,
  type ConnectionResult,
} from '../common/page.js';
import { selectsField } from '../common/selection.js';
import { Metric, MetricInput } from '../registry/common.type.js';
import {
  AddModelRelationInput,
  CreateRunInput,
  LogPredictionsInput,
  RegisterDatasetVersionInput,
  LineageGroupingInput,
  RegisterProviderModelInput,
} from './provenance.inputs.js';
import { parseGrouping } from '../../provenance/lineage-groups.js';
import {
  DatasetImpact,
  DatasetVersion,
  LineageAncestor,
  LineageDirection,
  LineageGraph,
  LogPredictionsResult,
  MetricPoint,
  MetricPointConnection,
  ModelRelationResult,
  PredictionTrace,
  ProviderModel,
  Run,
  RunInput,
  RunStatus,
  TracedDataSource,
  TracedDatasetVersion,
} from './provenance.types.js';
import { ModelVersion } from '../registry/model-version.type.js';

/** Provenance statements return whole version nodes; the registry's field resolvers do the rest. */
export const toModelVersion = (v: ModelVersionRecord): ModelVersion => v as unknown as ModelVersion;

export const toDatasetVersion = <T extends DatasetVersionRecord>(dv: T): T & DatasetVersion => ({
  ...dv,
  dataset: { name: dv.datasetName },
  hash: dv.hash ?? null,
  uri: dv.uri ?? null,
  rowCount: dv.rowCount ?? null,
});

export const toRunType = (r: RunRecord): Run => ({ ...r, status: r.status as RunStatus });

@Resolver()
export class ProvenanceResolver {
  @Mutation(() => DatasetVersion, {
    description: 'Registers a dataset version with its derivation (dataset versions and raw source URIs).',
  })
  async registerDatasetVersion(
    @Arg('input', () => RegisterDatasetVersionInput) input: RegisterDatasetVersionInput,
    @Ctx() ctx: Context,
  ): Promise<DatasetVersion> {
    return toDatasetVersion(await ctx.services.provenance.datasets.registerDatasetVersion(ctx.actor, input));
  }

  @Query(() => DatasetVersion, { nullable: true })
  async datasetVersion(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<DatasetVersion | null> {
    const dv = await ctx.loaders.datasetVersion.load(id);
    return dv ? toDatasetVersion(dv) : null;
  }

  @Mutation(() => Run, { description: 'Starts a training run (status RUNNING) with its input dataset versions.' })
  async createRun(@Arg('input', () => CreateRunInput) input: CreateRunInput, @Ctx() ctx: Context): Promise<Run> {
    return toRunType(await ctx.services.provenance.runs.createRun(ctx.actor, input));
  }

  @Mutation(() => Run, { description: 'Ends a RUNNING run with FINISHED, FAILED or KILLED and its final metrics.' })
  async finishRun(
    @Arg('id', () => ID) id: string,
    @Arg('status', () => RunStatus) status: RunStatus,
    @Arg('metrics', () => [MetricInput], { nullable: true }) metrics: MetricInput[] | null,
    @Ctx() ctx: Context,
  ): Promise<Run> {
    const result = await ctx.services.provenance.runs.finishRun(ctx.actor, id, status, metrics ?? []);
    return { ...toRunType(result.run), metrics: result.metrics };
  }

  @Query(() => Run, { nullable: true })
  async run(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Run | null> {
    const r = await ctx.loaders.run.load(id);
    return r ? toRunType(r) : null;
  }

  @Mutation(() => ProviderModel, {
    description: 'Registers a provider model by its pin; the same pin again returns the existing one.',
  })
  async registerProviderModel(
    @Arg('input', () => RegisterProviderModelInput) input: RegisterProviderModelInput,
    @Ctx() ctx: Context,
  ): Promise<ProviderModel> {
    return ctx.services.provenance.relations.registerProviderModel(ctx.actor, input);
  }

  @Query(() => [ProviderModel], {
    description:
      'Provider models matching every given field, by provider, name and version; a page at a time, `after` being the `id` of the last one of the previous page.',
  })
  async providerModels(
    @Arg('id', () => ID, { nullable: true }) id: string | null,
    @Arg('provider', () => String, { nullable: true }) provider: string | null,
    @Arg('name', () => String, { nullable: true }) name: string | null,
    @Arg('providerVersion', () => String, { nullable: true }) providerVersion: string | null,
    @Args(() => ListPageArgs) { first, after }: ListPageArgs,
    @Ctx() ctx: Context,
  ): Promise<ProviderModel[]> {
    return ctx.services.provenance.relations.findProviderModels(
      { id, provider, name, providerVersion },
      toListPage(first, after),
    );
  }

  @Mutation(() => LogPredictionsResult, { description: "Records predictions by the caller's ids; idempotent per id." })
  async logPredictions(
    @Arg('input', () => LogPredictionsInput) input: LogPredictionsInput,
    @Ctx() ctx: Context,
  ): Promise<LogPredictionsResult> {
    const r = await ctx.services.provenance.predictions.logPredictions(ctx.actor, input);
    return { count: r.count, created: r.created, modelVersion: toModelVersion(r.modelVersion) };
  }

  @Mutation(() => ModelRelationResult, {
    description:
      'Adds a typed model-to-model edge (fine-tune, distillation, adapter, quantisation, merge); CONFLICT when it would make a version its own ancestor.',
  })
  async addModelRelation(
    @Arg('input', () => AddModelRelationInput) input: AddModelRelationInput,
    @Ctx() ctx: Context,
  ): Promise<ModelRelationResult> {
    const r = await ctx.services.provenance.relations.addModelRelation(ctx.actor, {
      child: input.modelVersion,
      relation: input.relation,
      parent: input.parent ?? null,
      parentProviderModelId: input.parentProviderModelId ?? null,
    });
    return {
      modelVersion: toModelVersion(r.child),
      relation: input.relation,
      parentId: r.parentId,
      parentKind: r.parentKind,
      created: r.created,
    };
  }

  @Query(() => PredictionTrace, { description: 'From a prediction back to the raw data: every hop, in order.' })
  async tracePrediction(@Arg('id', () => String) id: string, @Ctx() ctx: Context): Promise<PredictionTrace> {
    const t = await ctx.services.provenance.lineage.tracePrediction(id);
    return {
      prediction: t.prediction,
      deployment: t.deployment ? { id: t.deployment.id, name: t.deployment.name } : null,
      modelVersion: toModelVersion(t.modelVersion),
      run: t.run ? toRunType(t.run) : null,
      // usedBy and run are loaded by TraceResolvers only when selected.
      datasets: t.datasets.map((d) => ({
        ...toDatasetVersion(d),
        depth: d.depth,
        modelDepth: d.modelDepth,
        usedById: d.usedById,
      })),
      sources: t.sources,
      ancestors: t.ancestors.map((a) => ({ ...a, model: { name: a.name } })),
      promptVersions: t.promptVersions.map(toModelVersion),
      truncated: t.truncated,
    };
  }

  @Query(() => LineageGraph, {
    description:
      'The provenance subgraph within `depth` hops (default 5, at most 20) of any node. With `grouping`, wide siblings come back as groups with counts (a version with 20,000 predictions is two nodes).',
  })
  async lineage(
    @Arg('id', () => ID) id: string,
    @Arg('direction', () => LineageDirection) direction: LineageDirection,
    @Arg('depth', () => Int, { nullable: true }) depth: number | null,
    @Arg('relations', () => [String], { nullable: true }) relations: string[] | null,
    @Arg('grouping', () => LineageGroupingInput, { nullable: true }) grouping: LineageGroupingInput | null,
    @Ctx() ctx: Context,
  ): Promise<LineageGraph> {
    return ctx.services.provenance.lineage.lineage(
      id,
      direction,
      depth,
      relations,
      grouping && parseGrouping(grouping),
    );
  }

  @Query(() => DatasetImpact, {
    description:
      'Every model version trained on this dataset version or anything derived from it, and their model descendants; a page at a time (`first`, `after`: pageInfo.endCursor of the previous page).',
  })
  async datasetImpact(
    @Arg('datasetVersionId', () => ID) datasetVersionId: string,
    @Args(() => ListPageArgs) { first, after }: ListPageArgs,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<DatasetImpact> {
    const page = toPage(first ?? DEFAULT_LIST_PAGE, after);
    const r = await ctx.services.provenance.lineage.datasetImpact(datasetVersionId, {
      limit: page.first + 1,
      after: page.after === null ? null : versionKey(page.after),
      withTotal: selectsField(info, 'totalCount'),
    });
    const c = toConnection(r.versions, page, r.total ?? 0, (v) => [v.modelName, v.version]);
    return {
      modelVersions: c.edges.map((e) => toModelVersion(e.node)),
      totalCount: c.totalCount,
      pageInfo: c.pageInfo,
    };
  }

  @Query(() => [ModelVersion], {
    description:
      'Model versions with this fingerprint (reproductions of one another), by model and version; a page at a time, `after` being the `id` of the last version of the previous page.',
  })
  async modelVersionsByFingerprint(
    @Arg('fingerprint', () => String) fingerprint: string,
    @Args(() => ListPageArgs) { first, after }: ListPageArgs,
    @Ctx() ctx: Context,
  ): Promise<ModelVersion[]> {
    return (
      await ctx.services.provenance.lineage.modelVersionsByFingerprint(fingerprint, toListPage(first, after))
    ).map(toModelVersion);
  }
}

@Resolver(() => Run)
export class RunResolver {
  @FieldResolver(() => [Metric], { description: `At most ${MAX_RUN_METRICS}.` })
  @MaxItems(MAX_RUN_METRICS)
  async metrics(@Root() run: Run, @Ctx() ctx: Context): Promise<Metric[]> {
    return run.metrics ?? ctx.loaders.runMetrics.load(run.id);
  }

  @FieldResolver(() => MetricPointConnection, {
    description:
      'Every value logged for the metric `key` (MLflow log-metric / log-batch), oldest first: by timestamp, then step, then value.',
  })
  async metricHistory(
    @Root() run: Run,
    @Arg('key', () => String) key: string,
    @Args(() => PageArgs) { first, after }: PageArgs,
    @Ctx() ctx: Context,
  ): Promise<ConnectionResult<MetricPoint>> {
    const page = toPage(first, after);
    const cursor = page.after === null ? null : metricCursor(page.after);
    const { total, points } = await ctx.loaders
      .metricHistory(page.first + 1)
      .load({ runId: run.id, key, after: cursor });
    const c = toConnection(points, page, total, (p) => [p.timestamp, p.step, p.value]);
    return {
      ...c,
      edges: c.edges.map((e) => ({
        cursor: e.cursor,
        node: { ...e.node, timestamp: new Date(e.node.timestamp).toISOString() },
      })),
    };
  }

  @FieldResolver(() => [RunInput], { description: `At most ${MAX_RUN_INPUTS}.` })
  @MaxItems(MAX_RUN_INPUTS)
  async inputs(@Root() run: Run, @Ctx() ctx: Context): Promise<RunInput[]> {
    const inputs = await ctx.loaders.runInputs.load(run.id);
    return inputs.map((i) => ({ role: i.role, datasetVersion: toDatasetVersion(i.datasetVersion) }));
  }
}

function versionKey(key: unknown[]): [string, number] {
  const [name, version] = key;
  if (key.length !== 2 || typeof name !== 'string' || !Number.isSafeInteger(version)) {
    throw badInput('after is not a cursor returned by this API', { field: 'after' });
  }
  return [name, version as number];
}

function metricCursor(key: unknown[]): MetricCursor {
  const [t, s, v] = key;
  if (key.length !== 3 || !Number.isSafeInteger(t) || !Number.isSafeInteger(s) || typeof v !== 'number') {
    throw badInput('after is not a cursor returned by this API', { field: 'after' });
  }
  return [t as number, s as number, v];
}

/**
 * The links a prediction trace holds by id (src/provenance: the statement
 * returns ids, not copies): each is loaded, batched, only when selected.
 */
@Resolver(() => TracedDatasetVersion)
export class TracedDatasetVersionResolver {
  @FieldResolver(() => ModelVersion)
  async usedBy(@Root() d: TracedDatasetVersion, @Ctx() ctx: Context): Promise<ModelVersion> {
    return loadUsedBy(d.usedById, ctx);
  }
}

@Resolver(() => TracedDataSource)
export class TracedDataSourceResolver {
  @FieldResolver(() => ModelVersion)
  async usedBy(@Root() s: TracedDataSource, @Ctx() ctx: Context): Promise<ModelVersion> {
    return loadUsedBy(s.usedById, ctx);
  }
}

@Resolver(() => LineageAncestor)
export class LineageAncestorResolver {
  @FieldResolver(() => Run, { nullable: true })
  async run(@Root() a: LineageAncestor, @Ctx() ctx: Context): Promise<Run | null> {
    if (!a.runId) return null;
    const run = await ctx.loaders.run.load(a.runId);
    return run ? toRunType(run) : null;
  }
}

async function loadUsedBy(id: string, ctx: Context): Promise<ModelVersion> {
  const v = await ctx.loaders.versionById.load(id);
  // The trace's read and this one are separate: a version deleted in between is an error, not a null.
  if (!v) throw notFound(`model version ${id} no longer exists`);
  return toModelVersion(v);
}
