import { badInput, conflict, DomainError, ErrorCode, notFound } from '../errors.js';
import { unknownAfter, type ListPage } from '../paging.js';
import { appendEvent, EventType } from '../events/event-log.js';
import { statement } from '../graph/cypher.js';
import type { Executor, Tx } from '../graph/executor.js';
import type { RegistryLookup } from '../registry/lookup.js';
import type { VersionRecord, VersionRef } from '../registry/types.js';
import { MAX_TEACHERS } from '../registry/validation.js';
import {
  DEFAULT_LINEAGE_DEPTH,
  LINEAGE_EDGE_BUDGET,
  LINEAGE_GROUP_BUDGET,
  MAX_RUN_INPUTS,
  MAX_RUN_METRICS,
  LINEAGE_NODE_BUDGET,
  LINEAGE_RELATIONS,
  LINEAGE_WALK_BUDGET,
  MAX_LINEAGE_DEPTH,
  MODEL_RELATIONS,
  nodeJob,
  nodeLabel,
  orderEdges,
  RUN_ROLES,
  type LineageDirection,
  type LineageEdge,
  type ModelRelation,
  type RunStatus,
} from './lineage.js';
import {
  groupLevel,
  widestExpansion,
  type FrontierNode,
  type Grouping,
  type LevelBucket,
  type LineageGroup,
  type ShownNode,
} from './lineage-groups.js';
import type { Caller } from '../governance/policy.js';
import { assertDeploymentName } from '../operations/deployment-name.js';

const Q = {
  findDatasetVersion: statement('provenance/find-dataset-version'),
  createDatasetVersion: statement('provenance/create-dataset-version'),
  getDatasetVersions: statement('provenance/get-dataset-versions'),
  createRun: statement('provenance/create-run'),
  finishRun: statement('provenance/finish-run'),
  getRuns: statement('provenance/get-runs'),
  runsByVersions: statement('provenance/runs-by-versions'),
  getRunMetrics: statement('provenance/get-run-metrics'),
  getRunInputs: statement('provenance/get-run-inputs'),
  mergeProviderModel: statement('provenance/merge-provider-model'),
  findProviderModels: statement('provenance/find-provider-models'),
  mergeDeployment: statement('provenance/merge-deployment'),
  logPredictions: statement('provenance/log-predictions'),
  tracePrediction: statement('provenance/trace-prediction'),
  lineageRoot: statement('provenance/lineage-root'),
  lineageUpstream: statement('provenance/lineage-hop-upstream'),
  lineageDownstream: statement('provenance/lineage-hop-downstream'),
  lineageEdges: statement('provenance/lineage-edges'),
  lineageLevel: statement('provenance/lineage-level'),
  lineageMembers: statement('provenance/lineage-members'),
  datasetExists: statement('provenance/dataset-exists'),
  datasetImpact: statement('provenance/dataset-impact'),
  versionsByFingerprint: statement('provenance/find-versions-by-fingerprint'),
  addModelRelation: statement('provenance/add-model-relation'),
};

/** Predictions per UNWIND statement: 10,000 predictions are 4 statements in one transaction. */
export const PREDICTION_BATCH = 2500;
/** Predictions accepted by one logPredictions call. */
export const MAX_PREDICTIONS_PER_CALL = 50_000;

/** A model version as stored (the registry's node), plus its alias names where a query read them. */
export type ModelVersionRecord = VersionRecord & { aliases?: string[] };

/** { modelName, version } or { modelName, alias }: resolved by the registry. */
export type ModelVersionRef = VersionRef;

export interface DatasetVersionRecord {
  id: string;
  datasetName: string;
  version: string;
  hash: string | null;
  uri: string | null;
  rowCount: number | null;
  createdAt: string;
  createdBy: string | null;
}

export interface RunRecord {
  id: string;
  name: string | null;
  experiment: string | null;
  codeRepo: string | null;
  codeCommit: string | null;
  environment: string | null;
  params: { key: string; value: string }[];
  seeds: number[];
  status: RunStatus;
  startedAt: string;
  endedAt: string | null;
  createdBy: string | null;
}

export interface MetricRecord {
  key: string;
  value: number;
  segment: string | null;
}

export interface RunInputRecord {
  role: string;
  datasetVersion: DatasetVersionRecord;
}

export interface ProviderModelRecord {
  id: string;
  provider: string;
  name: string;
  providerVersion: string;
  uri: string | null;
  createdAt: string;
}

export interface RegisterDatasetVersion {
  dataset: string;
  version: string;
  hash?: string | null;
  uri?: string | null;
  rowCount?: number | null;
  derivedFrom?: string[] | null;
  sources?: string[] | null;
  transform?: string | null;
}

export interface CreateRun {
  name?: string | null;
  experiment?: string | null;
  codeRepo?: string | null;
  codeCommit?: string | null;
  environment?: string | null;
  params?: { key: string; value: string }[] | null;
  seeds?: number[] | null;
  inputs?: { datasetVersionId: string; role: string }[] | null;
}

export interface LogPredictions {
  model: ModelVersionRef;
  deployment?: string | null;
  predictions: { id: string; at?: Date | string | null; inputRef?: string | null }[];
}

export interface LogPredictionsResult {
  /** Distinct prediction ids in the call. */
  count: number;
  /** Of those, how many were new (the rest had been logged before). */
  created: number;
  modelVersion: ModelVersionRecord;
}

export interface LineageNode {
  id: string;
  kind: string;
  label: string;
  /** Hops from the root (0 for the root). */
  depth: number;
  /** A run's OpenLineage job, `namespace/name`. */
  job: string | null;
}

export interface LineageResult {
  root: LineageNode;
  nodes: LineageNode[];
  edges: LineageEdge[];
  /** Siblings shown as one node with a count (grouped lineage only; empty otherwise). */
  groups: LineageGroup[];
  truncated: boolean;
}

export interface AncestorRecord {
  id: string;
  kind: 'ModelVersion' | 'ProviderModel';
  /** Model name (registered model, or the provider's model name). */
  name: string;
  version: number | null;
  provider: string | null;
  providerVersion: string | null;
  relation: string;
  depth: number;
  /** The node that depends on this ancestor through `relation`. */
  childId: string;
}

/** Where a traced dataset version or raw source enters the trace. */
export interface TraceAttribution {
  /** Derivation hops from the run that used it (1 = the run used it directly). */
  depth: number;
  /** Model hops from the traced version to the version whose run used it (0 = the traced version itself). */
  modelDepth: number;
  /** Id of that version: the traced one, or a base model / teacher / other model ancestor. */
  usedById: string;
}

/**
 * A prediction traced back to the raw data. `datasets` and `sources` cover the
 * training data of the version that made the prediction AND of its model
 * ancestors (base models, teachers, adapter bases, quantisation and merge
 * sources, transitively): a fine-tuned or distilled model carries what its
 * ancestors learned, so their data is upstream of its predictions. This keeps
 * the trace the exact inverse of datasetImpact: a dataset version is in the
 * trace of a prediction iff the prediction's version is in that dataset
 * version's impact. Each entry appears once, attributed to the nearest model
 * (`modelDepth`, `usedBy`) and then the shortest derivation distance (`depth`);
 * entries come in that order (then by name/version or uri). `run` stays the
 * traced version's own run; each ancestor carries its own `run`.
 */
export interface PredictionTrace {
  prediction: { id: string; at: string; inputRef: string | null };
  deployment: { id: string; name: string } | null;
  modelVersion: ModelVersionRecord;
  run: RunRecord | null;
  datasets: (DatasetVersionRecord & TraceAttribution)[];
  sources: ({ id: string; uri: string } & TraceAttribution)[];
  /** runId: the run that trained the ancestor (null for a provider model or a version registered without one). */
  ancestors: (AncestorRecord & { runId: string | null })[];
  /** The prompt versions the model version uses (USES_PROMPT). */
  promptVersions: ModelVersionRecord[];
  /** True when a list had more than {@link MAX_TRACE_ITEMS} entries (each keeps its nearest). */
  truncated: boolean;
}

/** Entries of each list of a prediction trace (datasets, sources, ancestors) at most. */
export const MAX_TRACE_ITEMS = 1000;

/**
 * Provenance: runs, dataset versions and raw sources, provider models,
 * predictions, typed model-to-model edges, and the lineage queries over them.
 * Every mutation is one write transaction ending with its event; every
 * lineage query is one Cypher statement.
 */
export class ProvenanceService {
  constructor(
    private readonly executor: Executor,
    /** Model refs ({ modelName, version | alias }) are resolved by the registry, the one mechanism for refs. */
    private readonly registry: Pick<RegistryLookup, 'requireVersion'>,
  ) {}

  /**
   * Registers a dataset version with its derivation. Dataset versions are
   * immutable, so registering one again is answered by comparison: the same
   * hash, uri, row count, parents, raw sources and transform return the
   * existing version and write nothing (no event), anything different is
   * CONFLICT naming the fields that differ.
   */
  async registerDatasetVersion(
    actor: Pick<Caller, 'name'>,
    input: RegisterDatasetVersion,
  ): Promise<DatasetVersionRecord> {
    const dataset = requireText(input.dataset, 'dataset');
    const version = requireText(input.version, 'version');
    if (input.rowCount != null && (!Number.isSafeInteger(input.rowCount) || input.rowCount < 0)) {
      throw badInput(`rowCount must be a non-negative integer, got ${input.rowCount}`, { field: 'rowCount' });
    }
    const wanted = {
      hash: input.hash ?? null,
      uri: input.uri ?? null,
      rowCount: input.rowCount ?? null,
      derivedFrom: unique(input.derivedFrom ?? []),
      sources: unique((input.sources ?? []).map((s) => requireText(s, 'sources'))),
      transform: input.transform ?? null,
    };
    const attempt = () =>
      this.executor.writeTx(async (tx) => {
        const [existing] = await tx.run<ExistingDatasetVersion>(Q.findDatasetVersion, { dataset, version });
        if (existing) return sameDatasetVersion(existing, wanted, dataset, version);
        const [row] = await tx.run<{ datasetVersion: DatasetVersionRecord; parents: number; sources: number }>(
          Q.createDatasetVersion,
          {
            dataset,
            version,
            ...wanted,
            actor: actor.name,
          },
        );
        if (!row) throw new Error('create-dataset-version returned no row');
        if (row.parents !== wanted.derivedFrom.length) {
          throw notFound(
            `derivedFrom must name existing dataset versions; ${wanted.derivedFrom.length - row.parents} of them do not exist`,
            {
              field: 'derivedFrom',
            },
          );
        }
        const dv = row.datasetVersion;
        await appendEvent(tx, {
          type: EventType.DATASET_VERSION_REGISTERED,
          actor: actor.name,
          subjectId: dv.id,
          after: {
            dataset,
            version,
            hash: dv.hash,
            uri: dv.uri,
            derivedFrom: wanted.derivedFrom,
            sources: wanted.sources,
            transform: wanted.transform,
          },
        });
        return dv;
      }, 'registerDatasetVersion');
    try {
      return await attempt();
    } catch (err) {
      // A concurrent registration of the same (dataset, version) committed first: compare against it.
      if (err instanceof DomainError && err.code === ErrorCode.CONFLICT && err.details.constraint === true)
        return attempt();
      throw err;
    }
  }

  async datasetVersionsByIds(ids: readonly string[]): Promise<(DatasetVersionRecord | null)[]> {
    const rows = await this.executor.read<{ key: string; datasetVersion: DatasetVersionRecord | null }>(
      Q.getDatasetVersions,
      {
        keys: [...ids],
      },
    );
    return rows.map((r) => r.datasetVersion);
  }

  async createRun(actor: Pick<Caller, 'name'>, input: CreateRun): Promise<RunRecord> {
    const params = input.params ?? [];
    const keys = new Set<string>();
    for (const p of params) {
      if (keys.has(p.key))
        throw badInput(`params must have distinct keys; "${p.key}" appears twice`, { field: 'params' });
      keys.add(p.key);
    }
    const seeds = input.seeds ?? [];
    const inputs = input.inputs ?? [];
    for (const i of inputs) {
      if (!(RUN_ROLES as readonly string[]).includes(i.role)) {
        throw badInput(`inputs[].role must be one of ${RUN_ROLES.join(', ')}, got "${i.role}"`, { field: 'inputs' });
      }
    }
    const paramsJson = JSON.stringify(Object.fromEntries(params.map((p) => [p.key, p.value])));
    return this.executor.writeTx(async (tx) => {
      const [row] = await tx.run<{ run: StoredRun; found: number }>(Q.createRun, {
        name: input.name ?? null,
        experiment: input.experiment ?? null,
        codeRepo: input.codeRepo ?? null,
        codeCommit: input.codeCommit ?? null,
        environment: input.environment ?? null,
        params: paramsJson,
        seeds,
        inputs,
        actor: actor.name,
      });
      if (!row) throw new Error('create-run returned no row');
      if (row.found !== inputs.length) {
        throw notFound(
          `inputs must name existing dataset versions; ${inputs.length - row.found} of them do not exist`,
          {
            field: 'inputs',
          },
        );
      }
      const run = toRun(row.run);
      await appendEvent(tx, {
        type: EventType.RUN_CREATED,
        actor: actor.name,
        subjectId: run.id,
        after: { name: run.name, experiment: run.experiment, codeCommit: run.codeCommit, inputs },
      });
      return run;
    }, 'createRun');
  }

  async finishRun(
    actor: Pick<Caller, 'name'>,
    id: string,
    status: RunStatus,
    metrics: { key: string; value: number; segment?: string | null }[] = [],
  ): Promise<{ run: RunRecord; metrics: MetricRecord[] }> {
    if (status === 'RUNNING') throw badInput('status must be FINISHED, FAILED or KILLED', { field: 'status' });
    for (const m of metrics) {
      if (!Number.isFinite(m.value)) throw badInput(`metric ${m.key} must be a finite number`, { field: 'metrics' });
    }
    const ms = metrics.map((m) => ({
      key: requireText(m.key, 'metrics.key'),
      value: m.value,
      segment: m.segment ?? null,
    }));
    return this.executor.writeTx(async (tx) => {
      const [row] = await tx.run<{ run: StoredRun; previous: string; full: boolean }>(Q.finishRun, {
        id,
        status,
        metrics: ms,
        maxMetrics: MAX_RUN_METRICS,
      });
      if (!row) throw notFound(`no run with id ${id}`, { field: 'id' });
      if (row.previous !== 'RUNNING') {
        throw conflict(`only a RUNNING run can be finished; run ${id} is ${row.previous}`, { field: 'id' });
      }
      if (row.full)
        throw badInput(`a run holds at most ${MAX_RUN_METRICS} metrics`, { field: 'metrics', limit: MAX_RUN_METRICS });
      const run = toRun(row.run);
      await appendEvent(tx, {
        type: EventType.RUN_FINISHED,
        actor: actor.name,
        subjectId: id,
        before: { status: 'RUNNING' },
        after: { status, metrics: ms },
      });
      return { run, metrics: [...ms].sort(byMetric) };
    }, 'finishRun');
  }

  async runsByIds(ids: readonly string[]): Promise<(RunRecord | null)[]> {
    const rows = await this.executor.read<{ key: string; run: StoredRun | null }>(Q.getRuns, { keys: [...ids] });
    return rows.map((r) => (r.run ? toRun(r.run) : null));
  }

  /** The run that produced each version (null when it was registered without one). */
  async runsOfVersions(versionIds: readonly string[]): Promise<(RunRecord | null)[]> {
    const rows = await this.executor.read<{ key: string; run: StoredRun | null }>(Q.runsByVersions, {
      keys: [...versionIds],
    });
    return rows.map((r) => (r.run ? toRun(r.run) : null));
  }

  async runMetrics(ids: readonly string[]): Promise<MetricRecord[][]> {
    const rows = await this.executor.read<{ key: string; metrics: MetricRecord[] }>(Q.getRunMetrics, {
      keys: [...ids],
      maxMetrics: MAX_RUN_METRICS,
    });
    return rows.map((r) => r.metrics);
  }

  async runInputs(ids: readonly string[]): Promise<RunInputRecord[][]> {
    const rows = await this.executor.read<{ key: string; inputs: (RunInputRecord | null)[] }>(Q.getRunInputs, {
      keys: [...ids],
      maxInputs: MAX_RUN_INPUTS,
    });
    return rows.map((r) => r.inputs.filter((i): i is RunInputRecord => i !== null));
  }

  /**
   * Registers a provider model by its pin (provider, name, providerVersion).
   * An existing pin is returned as it is: no write, no event.
   */
  async registerProviderModel(
    actor: Pick<Caller, 'name'>,
    input: { provider: string; name: string; providerVersion: string; uri?: string | null },
  ): Promise<ProviderModelRecord> {
    const provider = requireText(input.provider, 'provider');
    const name = requireText(input.name, 'name');
    const providerVersion = requireText(input.providerVersion, 'providerVersion');
    return this.executor.writeTx(async (tx) => {
      const [row] = await tx.run<{ providerModel: ProviderModelRecord; created: boolean }>(Q.mergeProviderModel, {
        provider,
        name,
        providerVersion,
        uri: input.uri ?? null,
        actor: actor.name,
      });
      if (!row) throw new Error('merge-provider-model returned no row');
      // The pin existed: nothing was written, so nothing is audited.
      if (!row.created) return row.providerModel;
      await appendEvent(tx, {
        type: EventType.PROVIDER_MODEL_REGISTERED,
        actor: actor.name,
        subjectId: row.providerModel.id,
        after: { provider, name, providerVersion, uri: row.providerModel.uri },
      });
      return row.providerModel;
    }, 'registerProviderModel');
  }

  /** A page of provider models matching every given field, by pin: `first` after the one whose id is `after`. */
  async findProviderModels(
    filter: {
      id?: string | null;
      provider?: string | null;
      name?: string | null;
      providerVersion?: string | null;
    },
    page: ListPage,
  ): Promise<ProviderModelRecord[]> {
    const [row] = await this.executor.read<{ known: boolean; providerModels: ProviderModelRecord[] }>(
      Q.findProviderModels,
      {
        id: filter.id ?? null,
        provider: filter.provider ?? null,
        name: filter.name ?? null,
        providerVersion: filter.providerVersion ?? null,
        after: page.after,
        limit: page.first,
      },
    );
    if (!row!.known) throw unknownAfter('provider model');
    return row!.providerModels;
  }

  /**
   * Records predictions against the version `model` resolves to now (an alias
   * is read inside the same transaction). Idempotent per prediction id.
   */
  async logPredictions(actor: Pick<Caller, 'name'>, input: LogPredictions): Promise<LogPredictionsResult> {
    if (input.predictions.length > MAX_PREDICTIONS_PER_CALL) {
      throw badInput(`one call logs at most ${MAX_PREDICTIONS_PER_CALL} predictions, got ${input.predictions.length}`, {
        field: 'predictions',
      });
    }
    const rows = new Map<string, { id: string; at: string | null; inputRef: string | null }>();
    for (const p of input.predictions) {
      const id = requireText(p.id, 'predictions.id');
      if (!rows.has(id)) rows.set(id, { id, at: toIso(p.at), inputRef: p.inputRef ?? null });
    }
    const deployment = input.deployment ?? null;
    if (deployment !== null) assertDeploymentName(deployment, 'deployment');
    const all = [...rows.values()];
    return this.executor.writeTx(
      async (tx) => {
        const modelVersion: ModelVersionRecord = await this.registry.requireVersion(tx, input.model);
        if (deployment !== null) await tx.run(Q.mergeDeployment, { name: deployment });
        let created = 0;
        for (let i = 0; i < all.length; i += PREDICTION_BATCH) {
          const [row] = await tx.run<{ created: number }>(Q.logPredictions, {
            versionId: modelVersion.id,
            deployment,
            rows: all.slice(i, i + PREDICTION_BATCH),
          });
          created += row?.created ?? 0;
        }
        await appendEvent(tx, {
          type: EventType.PREDICTIONS_LOGGED,
          actor: actor.name,
          modelName: modelVersion.modelName,
          version: modelVersion.version,
          alias: input.model.alias ?? null,
          subjectId: modelVersion.id,
          after: { count: all.length, created, deployment },
        });
        return { count: all.length, created, modelVersion };
      },
      'logPredictions',
      { alone: true },
    );
  }

  /**
   * Adds a typed model-to-model edge: `child` depends on `parent` (a model
   * version or a provider model). Refused with CONFLICT when the edge would
   * make a version its own ancestor; nothing is written then.
   */
  async addModelRelation(
    actor: Pick<Caller, 'name'>,
    input: {
      child: ModelVersionRef;
      relation: ModelRelation;
      parent?: ModelVersionRef | null;
      parentProviderModelId?: string | null;
    },
  ): Promise<{
    child: ModelVersionRecord;
    parentId: string;
    parentKind: string;
    relation: ModelRelation;
    created: boolean;
  }> {
    if (!(MODEL_RELATIONS as readonly string[]).includes(input.relation)) {
      throw badInput(`relation must be one of ${MODEL_RELATIONS.join(', ')}`, { field: 'relation' });
    }
    if ((input.parent ? 1 : 0) + (input.parentProviderModelId ? 1 : 0) !== 1) {
      throw badInput('give exactly one of parent and parentProviderModelId', { field: 'parent' });
    }
    return this.executor.writeTx(async (tx) => {
      const child: ModelVersionRecord = await this.registry.requireVersion(tx, input.child);
      const parentId = input.parent
        ? (await this.registry.requireVersion(tx, input.parent)).id
        : input.parentProviderModelId!;
      const [row] = await tx.run<{
        parent: Record<string, unknown>;
        parentKind: string;
        cycle: boolean;
        existing: boolean;
        full: boolean;
      }>(Q.addModelRelation, { childId: child.id, parentId, relation: input.relation, maxTeachers: MAX_TEACHERS });
      if (!row) throw notFound(`no provider model with id ${parentId}`, { field: 'parentProviderModelId' });
      if (row.cycle) {
        throw conflict(
          `a model version may not be its own ancestor: ${describe(child)} ${input.relation} ${String(row.parent.modelName ?? row.parent.name)}/${String(row.parent.version ?? '')} would close a cycle`,
          { field: 'parent' },
        );
      }
      if (row.full)
        throw badInput(`a version has at most ${MAX_TEACHERS} teachers`, { field: 'parent', limit: MAX_TEACHERS });
      await appendEvent(tx, {
        type: EventType.MODEL_RELATION_ADDED,
        actor: actor.name,
        modelName: child.modelName,
        version: child.version,
        subjectId: child.id,
        after: { relation: input.relation, parentId, parentKind: row.parentKind, created: !row.existing },
      });
      return { child, parentId, parentKind: row.parentKind, relation: input.relation, created: !row.existing };
    }, 'addModelRelation');
  }

  /**
   * Prediction → version → run → dataset versions → derivation chain → raw
   * sources, plus the model ancestors with their relations and runs, and the
   * ancestors' training data too (see {@link PredictionTrace}): one statement.
   */
  async tracePrediction(id: string): Promise<PredictionTrace> {
    const [row] = await this.executor.read<{
      prediction: PredictionTrace['prediction'];
      modelVersion: ModelVersionRecord;
      deployment: PredictionTrace['deployment'];
      run: StoredRun | null;
      datasets: PredictionTrace['datasets'];
      sources: PredictionTrace['sources'];
      promptVersions: ModelVersionRecord[];
      ancestors: {
        ancestor: Record<string, unknown>;
        kind: 'ModelVersion' | 'ProviderModel';
        relation: string;
        depth: number;
        childId: string;
        runId: string | null;
      }[];
      truncated: boolean;
    }>(Q.tracePrediction, { id, maxItems: MAX_TRACE_ITEMS });
    if (!row) throw notFound(`no prediction with id ${id}`, { field: 'id' });
    return {
      truncated: row.truncated,
      prediction: { id: row.prediction.id, at: row.prediction.at, inputRef: row.prediction.inputRef ?? null },
      deployment: row.deployment,
      modelVersion: row.modelVersion,
      run: row.run ? toRun(row.run) : null,
      datasets: row.datasets,
      promptVersions: row.promptVersions,
      sources: row.sources.map((x) => ({
        id: x.id,
        uri: x.uri,
        depth: x.depth,
        modelDepth: x.modelDepth,
        usedById: x.usedById,
      })),
      ancestors: row.ancestors.map((a) => ({
        id: String(a.ancestor.id),
        kind: a.kind,
        name: String(a.kind === 'ModelVersion' ? a.ancestor.modelName : a.ancestor.name),
        version: a.kind === 'ModelVersion' ? (a.ancestor.version as number) : null,
        provider: a.kind === 'ProviderModel' ? (a.ancestor.provider as string) : null,
        providerVersion: a.kind === 'ProviderModel' ? (a.ancestor.providerVersion as string) : null,
        relation: a.relation,
        depth: a.depth,
        childId: a.childId,
        runId: a.runId ?? null,
      })),
    };
  }

  /**
   * The provenance subgraph within `depth` hops of any node. Without
   * `grouping`: one statement; nodes come nearest first (then by kind and id),
   * the root first of all; edges are those among the returned nodes,
   * restricted to `relations`. With `grouping`: the grouped explorer
   * ({@link groupedLineage}).
   */
  async lineage(
    id: string,
    direction: LineageDirection,
    depth: number | null | undefined,
    relations: readonly string[] | null | undefined,
    grouping?: Grouping | null,
  ): Promise<LineageResult> {
    const d = depth ?? DEFAULT_LINEAGE_DEPTH;
    if (!Number.isInteger(d) || d < 1 || d > MAX_LINEAGE_DEPTH) {
      throw badInput(`depth must be an integer from 1 to ${MAX_LINEAGE_DEPTH}, got ${depth}`, { field: 'depth' });
    }
    const rels = relations == null ? [...LINEAGE_RELATIONS] : unique(relations.map((r) => r.toUpperCase()));
    const unknown = rels.filter((r) => !(LINEAGE_RELATIONS as readonly string[]).includes(r));
    if (unknown.length) {
      throw badInput(`relations must be among ${LINEAGE_RELATIONS.join(', ')}; unknown: ${unknown.join(', ')}`, {
        field: 'relations',
      });
    }
    if (grouping) return this.groupedLineage(id, direction, d, rels, grouping);
    return this.executor.readTx((tx) => this.walkLineage(tx, id, d, rels, direction), 'lineage');
  }

  /**
   * The grouped lineage explorer, for nodes with thousands of neighbours: a
   * breadth-first walk, one statement per level (at most `depth`), that stops
   * once it has read {@link LINEAGE_WALK_BUDGET} nodes. The database counts
   * each level by sets of siblings and returns ids only for what is shown
   * (sets of at most `grouping.above`, the opened window of larger ones) and
   * element ids for what the walk goes on from (./lineage-groups.ts decides
   * which is which); then one statement reads the labels of what is shown and
   * the edges among it. The answer and the traffic stay small however wide
   * the graph is: a version with 20,000 predictions is two nodes and one
   * counted row.
   */
  private async groupedLineage(
    id: string,
    direction: LineageDirection,
    depth: number,
    relations: string[],
    grouping: Grouping,
  ): Promise<LineageResult> {
    return this.executor.readTx(async (tx) => {
      const [start] = await tx.run<{ eid: string; props: Record<string, unknown>; kind: string }>(Q.lineageRoot, {
        id,
      });
      if (!start) throw notFound(`no provenance node with id ${id}`, { field: 'id' });
      const root = { eid: start.eid, id: String(start.props.id), kind: start.kind };
      // Element ids the walk holds (shown, or walked on from); the rest it reached were only counted, and are
      // recognised by their parents in `prior` (earlier frontier nodes some of whose new neighbours were only counted).
      const seen = new Set([root.eid]);
      const prior = { up: [] as string[], down: [] as string[] };
      const window = widestExpansion(grouping);
      let frontier: FrontierNode[] = [
        ...(direction !== 'DOWNSTREAM' ? [{ eid: root.eid, up: true, unit: root.id }] : []),
        ...(direction !== 'UPSTREAM' ? [{ eid: root.eid, up: false, unit: root.id }] : []),
      ];
      const shown: ShownNode[] = [];
      const tree = { groups: [] as LineageGroup[], edges: [] as LineageEdge[] };
      let read = 0;
      let truncated = false;
      for (let level = 1; level <= depth && frontier.length && !truncated; level++) {
        const rows = await tx.run<LevelBucket & { cut: boolean | null }>(Q.lineageLevel, {
          frontier,
          relations,
          seen: [...seen],
          priorUp: prior.up,
          priorDown: prior.down,
          room: LINEAGE_WALK_BUDGET - read,
          above: grouping.above,
          window,
          last: level === depth,
        });
        // A row marked `cut` (and nothing else) says the level had more new nodes than the budget's room.
        truncated = rows.some((r) => r.cut);
        const g = groupLevel(
          rows.filter((r) => !r.cut),
          level,
          grouping,
        );
        read += g.reached;
        shown.push(...g.shown);
        tree.groups.push(...g.groups);
        tree.edges.push(...g.edges);
        for (const f of frontier) if (g.counted.has(f.unit)) (f.up ? prior.up : prior.down).push(f.eid);
        for (const n of [...g.shown, ...g.frontier]) seen.add(n.eid);
        frontier = g.frontier;
      }
      if (shown.length > LINEAGE_NODE_BUDGET) truncated = true;
      const kept = shown.slice(0, LINEAGE_NODE_BUDGET);
      const rows = await tx.run<{ props: Record<string, unknown>; edges: LineageEdge[] }>(Q.lineageMembers, {
        eids: [root.eid, ...kept.map((n) => n.eid)],
        relations,
      });
      const [rootRow, ...memberRows] = rows;
      const nodes = kept.map((n, i) => lineageNode(n.kind, memberRows[i]!.props, n.depth));
      // Groups come nearest first, so one hanging under a cut-off node or group is dropped with it.
      const known = new Set([root.id, ...nodes.map((n) => n.id)]);
      const groups: LineageGroup[] = [];
      for (const g of tree.groups) {
        if (!known.has(g.attachedTo)) continue;
        if (groups.length === LINEAGE_GROUP_BUDGET) {
          truncated = true;
          break;
        }
        known.add(g.id);
        groups.push(g);
      }
      const ids = [root.id, ...nodes.map((n) => n.id), ...groups.map((g) => g.id)];
      const edges = [...rows.flatMap((r) => r.edges), ...tree.edges].filter(
        (e) => known.has(e.from) && known.has(e.to),
      );
      if (edges.length > LINEAGE_EDGE_BUDGET) truncated = true;
      return {
        root: lineageNode(root.kind, rootRow!.props, 0),
        nodes,
        edges: orderEdges(ids, edges).slice(0, LINEAGE_EDGE_BUDGET),
        groups,
        truncated,
      };
    }, 'groupedLineage');
  }

  /**
   * Breadth-first, one statement per hop and direction, each asking for at
   * most one node more than the budget has room for: the walk stops when the
   * budget is full, reading no more of a wide hop (a version's 20,000
   * predictions) than fits. UPSTREAM and DOWNSTREAM walk separately (BOTH is
   * their union, as before: no path turns around), each node at its nearest
   * hop. When the budget cuts a hop, which of that hop's nodes are kept is the
   * walk's order, not the id order of the rest of the answer.
   */
  private async walkLineage(
    tx: Tx,
    id: string,
    depth: number,
    relations: string[],
    direction: LineageDirection,
  ): Promise<LineageResult> {
    type Found = { eid: string; props: Record<string, unknown>; kind: string };
    const [start] = await tx.run<Found>(Q.lineageRoot, { id });
    if (!start) throw notFound(`no provenance node with id ${id}`, { field: 'id' });
    const walks = [
      ...(direction !== 'DOWNSTREAM'
        ? [{ hop: Q.lineageUpstream, frontier: [start.eid], seen: new Set([start.eid]) }]
        : []),
      ...(direction !== 'UPSTREAM'
        ? [{ hop: Q.lineageDownstream, frontier: [start.eid], seen: new Set([start.eid]) }]
        : []),
    ];
    const found = new Map<string, Found & { depth: number }>();
    const full = () => found.size > LINEAGE_NODE_BUDGET;
    for (let level = 1; level <= depth && !full(); level++) {
      for (const walk of walks) {
        const next: string[] = [];
        // A hop may return nodes the other direction already found; ask again
        // until the hop is exhausted or the budget is over.
        for (let more = walk.frontier.length > 0; more && !full();) {
          const limit = LINEAGE_NODE_BUDGET + 1 - found.size;
          const rows = await tx.run<Found>(walk.hop, {
            frontier: walk.frontier,
            visited: [...walk.seen],
            relations,
            limit,
          });
          for (const r of rows) {
            walk.seen.add(r.eid);
            next.push(r.eid);
            if (!found.has(r.eid)) found.set(r.eid, { ...r, depth: level });
          }
          more = rows.length === limit;
        }
        walk.frontier = next;
      }
    }
    const truncatedNodes = full();
    const kept = [...found.values()]
      .map((n) => ({ eid: n.eid, node: lineageNode(n.kind, n.props, n.depth) }))
      .sort((a, b) => a.node.depth - b.node.depth || cmp(a.node.kind, b.node.kind) || cmp(a.node.id, b.node.id))
      .slice(0, LINEAGE_NODE_BUDGET);
    const edges = await tx.run<LineageEdge>(Q.lineageEdges, {
      members: [start.eid, ...kept.map((k) => k.eid)],
      relations,
      limit: LINEAGE_EDGE_BUDGET + 1,
    });
    const root = lineageNode(start.kind, start.props, 0);
    const nodes = kept.map((k) => k.node);
    return {
      root,
      nodes,
      edges: orderEdges([root.id, ...nodes.map((n) => n.id)], edges).slice(0, LINEAGE_EDGE_BUDGET),
      groups: [],
      truncated: truncatedNodes || edges.length > LINEAGE_EDGE_BUDGET,
    };
  }

  /**
   * A page of the versions impacted by a dataset version or raw source, by
   * model name then version: `limit` after `after` ([modelName, version] of
   * the last one seen); `total` counts them all, only when `withTotal`.
   */
  async datasetImpact(
    datasetVersionId: string,
    page: { limit: number; after: [string, number] | null; withTotal: boolean },
  ): Promise<{ versions: ModelVersionRecord[]; total: number | null }> {
    return this.executor.readTx(async (tx) => {
      const [exists] = await tx.run<{ found: boolean }>(Q.datasetExists, { id: datasetVersionId });
      if (!exists?.found)
        throw notFound(`no dataset version or data source with id ${datasetVersionId}`, { field: 'datasetVersionId' });
      const [row] = await tx.run<{ total: number | null; page: ModelVersionRecord[] }>(Q.datasetImpact, {
        id: datasetVersionId,
        after: page.after,
        limit: page.limit,
        withTotal: page.withTotal,
      });
      return { versions: row?.page ?? [], total: row ? row.total : page.withTotal ? 0 : null };
    }, 'datasetImpact');
  }

  /**
   * A page of the versions with this fingerprint, by model and version: `first` after the version whose id is `after`.
   */
  async modelVersionsByFingerprint(fingerprint: string, page: ListPage): Promise<ModelVersionRecord[]> {
    const [row] = await this.executor.read<{ known: boolean; modelVersions: ModelVersionRecord[] }>(
      Q.versionsByFingerprint,
      { fingerprint, after: page.after, limit: page.first },
    );
    if (!row!.known) throw unknownAfter('version with this fingerprint');
    return row!.modelVersions;
  }
}

export interface StoredRun extends Omit<RunRecord, 'params' | 'seeds'> {
  params: string | null;
  seeds: number[] | null;
}

/** A Run node's properties as a RunRecord (params parsed, absent fields null). */
export function toRun(r: StoredRun): RunRecord {
  const params = r.params ? (JSON.parse(r.params) as Record<string, string>) : {};
  return {
    ...r,
    name: r.name ?? null,
    experiment: r.experiment ?? null,
    codeRepo: r.codeRepo ?? null,
    codeCommit: r.codeCommit ?? null,
    environment: r.environment ?? null,
    endedAt: r.endedAt ?? null,
    createdBy: r.createdBy ?? null,
    params: Object.keys(params)
      .sort()
      .map((key) => ({ key, value: params[key]! })),
    seeds: r.seeds ?? [],
  };
}

function describe(ref: { modelName: string; version?: number | null; alias?: string | null }): string {
  return ref.alias ? `${ref.modelName}@${ref.alias}` : `${ref.modelName}/${ref.version}`;
}

function requireText(value: string | null | undefined, field: string): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw badInput(`${field} must be a non-empty string`, { field });
  return value;
}

function lineageNode(kind: string, props: Record<string, unknown>, depth: number): LineageNode {
  return { id: String(props.id), kind, label: nodeLabel(kind, props), depth, job: nodeJob(kind, props) };
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

function toIso(at: Date | string | null | undefined): string | null {
  if (at === null || at === undefined) return null;
  const d = at instanceof Date ? at : new Date(at);
  if (Number.isNaN(d.getTime())) throw badInput('predictions[].at must be a date-time', { field: 'predictions.at' });
  return d.toISOString();
}

function byMetric(a: MetricRecord, b: MetricRecord): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : String(a.segment ?? '') < String(b.segment ?? '') ? -1 : 1;
}

interface ExistingDatasetVersion {
  datasetVersion: DatasetVersionRecord;
  derivedFrom: string[];
  sources: string[];
  transforms: (string | null)[];
}

/**
 * The existing version when a repeated registration asks for exactly what is
 * stored; otherwise CONFLICT listing each differing field (stored vs asked).
 */
function sameDatasetVersion(
  existing: ExistingDatasetVersion,
  wanted: {
    hash: string | null;
    uri: string | null;
    rowCount: number | null;
    derivedFrom: string[];
    sources: string[];
    transform: string | null;
  },
  dataset: string,
  version: string,
): DatasetVersionRecord {
  const dv = existing.datasetVersion;
  const sorted = (xs: readonly string[]) => [...xs].sort();
  const hasEdges = existing.derivedFrom.length + existing.sources.length > 0;
  const checks: [string, unknown, unknown][] = [
    ['hash', dv.hash ?? null, wanted.hash],
    ['uri', dv.uri ?? null, wanted.uri],
    ['rowCount', dv.rowCount ?? null, wanted.rowCount],
    ['derivedFrom', sorted(existing.derivedFrom), sorted(wanted.derivedFrom)],
    ['sources', sorted(existing.sources), sorted(wanted.sources)],
    ...(hasEdges
      ? ([['transform', existing.transforms[0] ?? null, wanted.transform]] as [string, unknown, unknown][])
      : []),
  ];
  const differing = checks.filter(([, a, b]) => JSON.stringify(a) !== JSON.stringify(b));
  if (differing.length === 0) return dv;
  throw conflict(
    `dataset "${dataset}" version "${version}" is already registered with different contents (${differing
      .map(
        ([field, stored, asked]) =>
          `${field}: registered ${JSON.stringify(stored)}, this request ${JSON.stringify(asked)}`,
      )
      .join('; ')}); dataset versions are immutable, so register the new contents under a new version`,
    { field: differing[0]![0], fields: differing.map(([f]) => f) },
  );
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
