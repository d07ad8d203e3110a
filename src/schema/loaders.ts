import type { VersionParents } from '../registry/reads.js';
import DataLoader from 'dataloader';
import type { MetricCursor, MetricHistoryPage } from '../tracking/tracking.service.js';
import type { DatasetVersionRecord, MetricRecord, RunInputRecord, RunRecord } from '../provenance/types.js';
import type { ChecklistItemStatus, GatePreview } from '../registry/lifecycle.service.js';
import type { ModelRecord, Metric, Stage, Tag, VersionRecord } from '../registry/types.js';
import type { Services } from '../services.js';
import type {
  DatasetVersionDetails,
  JobRecord,
  OpenLineageRunDetails,
} from '../provenance/openlineage/openlineage.service.js';

/**
 * Per-operation DataLoaders: every field resolver that reaches Neo4j goes
 * through one of these, so a request costs a bounded number of round trips
 * however many objects it returns. Each batch is one Cypher statement that
 * UNWINDs its keys and answers in key order.
 */
export interface Loaders {
  modelByName: DataLoader<string, ModelRecord | null>;
  versionById: DataLoader<string, VersionRecord | null>;
  latestVersion: DataLoader<string, VersionRecord | null>;
  /** One loader per page size: every key in a batch shares the statement's LIMIT. */
  versionsPage(
    limit: number,
  ): DataLoader<
    { modelName: string; afterVersion: number | null },
    { total: number; versions: VersionRecord[] },
    string
  >;
  tags: DataLoader<string, Tag[]>;
  metrics: DataLoader<string, Metric[]>;
  modelAliases: DataLoader<string, { alias: string; version: VersionRecord }[]>;
  versionAliasNames: DataLoader<string, string[]>;
  parents: DataLoader<string, VersionParents>;
  run: DataLoader<string, RunRecord | null>;
  /** The run that produced a version, by version id. */
  runOfVersion: DataLoader<string, RunRecord | null>;
  runMetrics: DataLoader<string, MetricRecord[]>;
  runInputs: DataLoader<string, RunInputRecord[]>;
  /** One loader per page size, as versionsPage: pages of a run metric's history after a cursor. */
  metricHistory(
    limit: number,
  ): DataLoader<{ runId: string; key: string; after: MetricCursor | null }, MetricHistoryPage, string>;
  datasetVersion: DataLoader<string, DatasetVersionRecord | null>;
  /** A version's archival checklist, item by item, by version id. */
  archivalChecklist: DataLoader<string, ChecklistItemStatus[]>;
  /** A version's gate into a stage, evaluated now (promotion requests show what their approval will meet). */
  gatePreview: DataLoader<{ versionId: string; stage: Stage }, GatePreview | null, string>;
  /**
   * OpenLineage (src/provenance/openlineage): a run's job and parent run, what its events recorded; a version's
   * producer and facets; a dataset's facets.
   */
  jobOfRun: DataLoader<string, JobRecord | null>;
  parentRun: DataLoader<string, RunRecord | null>;
  runLineage: DataLoader<string, OpenLineageRunDetails | null>;
  producedBy: DataLoader<string, RunRecord | null>;
  versionLineage: DataLoader<string, DatasetVersionDetails | null>;
  datasetFacets: DataLoader<string, Record<string, unknown> | null>;
}

export function createLoaders(services: Services): Loaders {
  const { registry } = services;
  const pages = new Map<number, Loaders['versionsPage'] extends (l: number) => infer L ? L : never>();
  const histories = new Map<number, Loaders['metricHistory'] extends (l: number) => infer L ? L : never>();
  return {
    modelByName: new DataLoader((names) => registry.lookup.modelsByNames(names)),
    versionById: new DataLoader((ids) => registry.reads.versionsByIds(ids)),
    latestVersion: new DataLoader((names) => registry.reads.latestVersions(names)),
    versionsPage: (limit) => {
      let loader = pages.get(limit);
      if (!loader) {
        loader = new DataLoader((keys) => registry.reads.versionPages(keys, limit), {
          cacheKeyFn: (k) => `${k.modelName}\u0000${k.afterVersion}`,
        });
        pages.set(limit, loader);
      }
      return loader;
    },
    tags: new DataLoader((ids) => registry.reads.tagsOf(ids)),
    metrics: new DataLoader((ids) => registry.reads.metricsOf(ids)),
    modelAliases: new DataLoader((names) => registry.reads.aliasesOfModels(names)),
    versionAliasNames: new DataLoader((ids) => registry.reads.aliasNamesOfVersions(ids)),
    parents: new DataLoader((ids) => registry.reads.parentsOfVersions(ids)),
    run: new DataLoader((ids) => services.provenance.runs.runsByIds(ids)),
    runOfVersion: new DataLoader((ids) => services.provenance.runs.runsOfVersions(ids)),
    runMetrics: new DataLoader((ids) => services.provenance.runs.runMetrics(ids)),
    runInputs: new DataLoader((ids) => services.provenance.runs.runInputs(ids)),
    archivalChecklist: new DataLoader((ids) => services.lifecycle.checklists(ids)),
    gatePreview: new DataLoader((keys) => services.lifecycle.gatePreviews(keys), {
      cacheKeyFn: (k) => `${k.versionId}\u0000${k.stage}`,
    }),
    metricHistory: (limit) => {
      let loader = histories.get(limit);
      if (!loader) {
        loader = new DataLoader((keys) => services.mlflow.metricHistories(keys, limit), {
          cacheKeyFn: (k) => JSON.stringify([k.runId, k.key, k.after]),
        });
        histories.set(limit, loader);
      }
      return loader;
    },
    datasetVersion: new DataLoader((ids) => services.provenance.datasets.datasetVersionsByIds(ids)),
    jobOfRun: new DataLoader((ids) => services.openLineage.jobsOfRuns(ids)),
    parentRun: new DataLoader((ids) => services.openLineage.parentsOfRuns(ids)),
    runLineage: new DataLoader((ids) => services.openLineage.runDetails(ids)),
    producedBy: new DataLoader((ids) => services.openLineage.producersOfVersions(ids)),
    versionLineage: new DataLoader((ids) => services.openLineage.versionDetails(ids)),
    datasetFacets: new DataLoader((names) => services.openLineage.datasetFacets(names)),
  };
}
