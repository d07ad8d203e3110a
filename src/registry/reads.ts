import { statement } from '../graph/cypher.js';
import type { Executor, Tx } from '../graph/executor.js';
import type { Metric, Tag, VersionRecord } from './types.js';
import { MAX_ALIASES, MAX_TAGS, MAX_TEACHERS, MAX_VERSION_METRICS } from './validation.js';

const Q = {
  versionsByIds: statement('registry/versions-by-ids'),
  latestByModels: statement('registry/latest-versions-by-models'),
  versionPages: statement('registry/versions-pages-by-models'),
  latestPerStage: statement('registry/latest-versions-per-stage'),
  tagsByOwners: statement('registry/tags-by-owner-ids'),
  metricsByVersions: statement('registry/metrics-by-versions'),
  aliasesByModels: statement('registry/aliases-by-models'),
  aliasNamesByVersions: statement('registry/alias-names-by-versions'),
  parentsByVersions: statement('registry/parents-by-versions'),
};

/** A version's model-version parents: bases, teachers, the prompt versions it uses, the version it copies. */
export interface VersionParents {
  bases: VersionRecord[];
  teachers: VersionRecord[];
  prompts: VersionRecord[];
  copiedFrom: VersionRecord[];
}

/**
 * The registry's batched reads: one statement for many keys, one result per
 * key in key order (GraphQL's DataLoaders, src/schema/loaders.ts, and MLflow's
 * list answers ask for a page's worth at once). Every list they return is
 * capped by the limit it is written under (MAX_TAGS, MAX_ALIASES, ...).
 */
export class RegistryReads {
  constructor(private readonly executor: Executor) {}

  async versionsByIds(ids: readonly string[]): Promise<(VersionRecord | null)[]> {
    return this.executor.readTx((tx) => this.versionsIn(tx, ids), 'versionsByIds');
  }

  private async versionsIn(tx: Tx, ids: readonly string[]): Promise<(VersionRecord | null)[]> {
    return (await tx.run<{ version: VersionRecord | null }>(Q.versionsByIds, { keys: ids })).map((r) => r.version);
  }

  async latestVersions(modelNames: readonly string[]): Promise<(VersionRecord | null)[]> {
    return (await this.executor.read<{ version: VersionRecord | null }>(Q.latestByModels, { keys: modelNames })).map(
      (r) => r.version,
    );
  }

  async versionPages(
    keys: readonly { modelName: string; afterVersion: number | null }[],
    limit: number,
  ): Promise<{ total: number; versions: VersionRecord[] }[]> {
    return this.executor.read<{ total: number; versions: VersionRecord[] }>(Q.versionPages, { keys, limit });
  }

  /** Each model's newest version in each MLflow stage (CANARY as Staging), newest first: MLflow's latest_versions. */
  async latestPerStage(modelNames: readonly string[]): Promise<VersionRecord[][]> {
    const rows = await this.executor.read<{ versions: VersionRecord[] }>(Q.latestPerStage, { keys: modelNames });
    return rows.map((r) => r.versions);
  }

  /** Tags of models or versions, by the owner's id. */
  async tagsOf(ownerIds: readonly string[]): Promise<Tag[][]> {
    return (await this.executor.read<{ tags: Tag[] }>(Q.tagsByOwners, { keys: ownerIds, maxTags: MAX_TAGS })).map(
      (r) => r.tags,
    );
  }

  async metricsOf(versionIds: readonly string[]): Promise<Metric[][]> {
    return (
      await this.executor.read<{ metrics: Metric[] }>(Q.metricsByVersions, {
        keys: versionIds,
        maxMetrics: MAX_VERSION_METRICS,
      })
    ).map((r) => r.metrics);
  }

  async aliasesOfModels(modelNames: readonly string[]): Promise<{ alias: string; version: VersionRecord }[][]> {
    return (
      await this.executor.read<{ aliases: { alias: string; version: VersionRecord }[] }>(Q.aliasesByModels, {
        keys: modelNames,
        maxAliases: MAX_ALIASES,
      })
    ).map((r) => r.aliases);
  }

  async aliasNamesOfVersions(versionIds: readonly string[]): Promise<string[][]> {
    return (
      await this.executor.read<{ aliases: string[] }>(Q.aliasNamesByVersions, {
        keys: versionIds,
        maxAliases: MAX_ALIASES,
      })
    ).map((r) => r.aliases);
  }

  async parentsOfVersions(versionIds: readonly string[]): Promise<VersionParents[]> {
    return this.executor.read<VersionParents>(Q.parentsByVersions, { keys: versionIds, maxTeachers: MAX_TEACHERS });
  }
}
