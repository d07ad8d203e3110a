import { randomUUID } from 'node:crypto';
import { badInput, conflict, isConstraintViolation, notFound } from '../errors.js';
import { appendEvent, EventType } from '../events/event-log.js';
import type { Caller } from '../governance/policy.js';
import { statement } from '../graph/cypher.js';
import type { Executor } from '../graph/executor.js';
import { MAX_RUN_INPUTS, MAX_RUN_METRICS, MAX_RUN_PARAMS } from '../provenance/lineage.js';
import type { RunService } from '../provenance/runs.service.js';
import type { VersionRecord } from '../registry/types.js';

const Q = {
  createExperiment: statement('mlflow/create-experiment'),
  experimentsByIds: statement('mlflow/experiments-by-ids'),
  experimentByName: statement('mlflow/experiment-by-name'),
  listExperiments: statement('mlflow/list-experiments'),
  updateExperiment: statement('mlflow/update-experiment'),
  attachRun: statement('mlflow/attach-run'),
  runsByIds: statement('mlflow/runs-by-ids'),
  runsByExperiments: statement('mlflow/runs-by-experiments'),
  readRunForUpdate: statement('mlflow/read-run-for-update'),
  logRunData: statement('mlflow/log-run-data'),
  logRunInputs: statement('mlflow/log-run-inputs'),
  createLoggedModel: statement('mlflow/create-logged-model'),
  loggedModelsByIds: statement('mlflow/logged-models-by-ids'),
  updateLoggedModel: statement('mlflow/update-logged-model'),
  loggedModelsByExperiments: statement('mlflow/logged-models-by-experiments'),
  metricHistory: statement('mlflow/metric-history'),
  versionsOfRun: statement('mlflow/versions-of-run'),
};

/** Candidates a search reads before filtering; past this a search says so instead of answering wrong. */
export const SEARCH_SCAN_LIMIT = 10_000;

export interface KV {
  key: string;
  value: string;
}

export interface ExperimentRecord {
  id: string;
  name: string;
  artifactLocation: string;
  lifecycleStage: string;
  creationTime: number;
  lastUpdateTime: number;
  tags: KV[];
}

export interface MlflowMetric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}

/** Where a metric-history page starts: the (timestamp, step, value) of the last point already read. */
export type MetricCursor = [timestamp: number, step: number, value: number];

/** A page of one run metric's history, oldest first. */
export interface MetricHistoryPage {
  /** False when the run does not exist or is not an MLflow run. */
  mlflowRun: boolean;
  /** Points of the metric across all pages. */
  total: number;
  /** Up to the page size asked for, in MLflow's order: timestamp, then step, then value. */
  points: MlflowMetric[];
}

/** MLflow's largest get-history page (GET_METRIC_HISTORY_MAX_RESULTS), also its client's page size. */
export const METRIC_HISTORY_MAX_RESULTS = 25_000;

export interface MlflowDatasetInput {
  name: string;
  digest: string;
  sourceType: string | null;
  source: string | null;
  schema: string | null;
  profile: string | null;
  tags: KV[];
  role: string;
}

export interface MlflowRunRecord {
  id: string;
  name: string | null;
  experimentId: string;
  user: string | null;
  status: string;
  startTime: number;
  endTime: number | null;
  artifactUri: string;
  lifecycleStage: string;
  params: KV[];
  tags: KV[];
  metrics: MlflowMetric[];
  inputs: MlflowDatasetInput[];
  outputs: { modelId: string; step: number }[];
}

export interface LoggedModelRecord {
  id: string;
  experimentId: string;
  name: string;
  artifactUri: string;
  status: string;
  modelType: string | null;
  sourceRunId: string | null;
  creatorId: string | null;
  creationTime: number;
  lastUpdatedTime: number;
  tags: KV[];
  params: KV[];
}

const RUN_STATUSES = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'] as const;
const OUTPUTS_TAG = 'pedigree.mlflow.outputs';

/**
 * The MLflow tracking side: experiments, runs and MLflow 3 logged models. An
 * MLflow run IS a provenance Run (created through provenance's RunService, finished
 * through it); the MLflow-only state (experiment, tags, times, artifact root)
 * sits on the Run as mlflow* properties. Logged inputs become provenance
 * dataset versions linked by USED.
 */
export class MlflowTrackingService {
  constructor(
    private readonly executor: Executor,
    private readonly runs: Pick<RunService, 'createRun' | 'finishRun'>,
  ) {}

  // ------------------------------------------------------------ experiments

  async createExperiment(
    caller: Pick<Caller, 'name'>,
    name: string,
    artifactLocation: string | null,
    tags: KV[],
  ): Promise<ExperimentRecord> {
    requireString(name, 'name');
    if (artifactLocation)
      throw badInput('artifact_location is chosen by Pedigree (its artifact store); leave it unset', {
        field: 'artifact_location',
      });
    try {
      return await this.executor.writeTx(async (tx) => {
        const [row] = await tx.run<{ experiment: StoredExperiment }>(Q.createExperiment, {
          name,
          artifactLocation: null,
          tags: kvJson(tags),
          now: Date.now(),
          actor: caller.name,
        });
        const e = toExperiment(row!.experiment);
        await appendEvent(tx, {
          type: EventType.MLFLOW_EXPERIMENT_CREATED,
          actor: caller.name,
          subjectId: e.id,
          after: { id: e.id, name },
        });
        return e;
      }, 'mlflow.createExperiment');
    } catch (err) {
      if (isConstraintViolation(err))
        throw conflict(`an experiment named "${name}" already exists`, {
          field: 'name',
          mlflow: 'RESOURCE_ALREADY_EXISTS',
        });
      throw err;
    }
  }

  async getExperiment(id: string): Promise<ExperimentRecord> {
    const [row] = await this.executor.read<{ experiment: StoredExperiment | null }>(Q.experimentsByIds, {
      keys: [String(id)],
    });
    if (!row?.experiment) throw notFound(`no experiment with id "${id}"`);
    return toExperiment(row.experiment);
  }

  async getExperimentByName(name: string): Promise<ExperimentRecord> {
    const [row] = await this.executor.read<{ experiment: StoredExperiment }>(Q.experimentByName, { name });
    if (!row) throw notFound(`no experiment named "${name}"`);
    return toExperiment(row.experiment);
  }

  async listExperiments(): Promise<ExperimentRecord[]> {
    const rows = await this.executor.read<{ experiment: StoredExperiment }>(Q.listExperiments, {
      limit: SEARCH_SCAN_LIMIT + 1,
    });
    if (rows.length > SEARCH_SCAN_LIMIT)
      throw badInput(`experiment search reads at most ${SEARCH_SCAN_LIMIT} experiments and there are more`, {
        field: 'filter',
      });
    return rows.map((r) => toExperiment(r.experiment));
  }

  async updateExperiment(
    caller: Pick<Caller, 'name'>,
    id: string,
    patch: { name?: string; setTag?: KV; deleteTag?: string; lifecycleStage?: 'active' | 'deleted' },
  ): Promise<ExperimentRecord> {
    const current = await this.getExperiment(id);
    let tags: string | null = null;
    if (patch.setTag || patch.deleteTag) {
      const map = new Map(current.tags.map((t) => [t.key, t.value]));
      if (patch.setTag) map.set(patch.setTag.key, patch.setTag.value);
      if (patch.deleteTag) map.delete(patch.deleteTag);
      tags = kvJson([...map].map(([key, value]) => ({ key, value })));
    }
    try {
      return await this.executor.writeTx(async (tx) => {
        const [row] = await tx.run<{ before: StoredExperiment; experiment: StoredExperiment }>(Q.updateExperiment, {
          id,
          name: patch.name ?? null,
          tags,
          lifecycleStage: patch.lifecycleStage ?? null,
          now: Date.now(),
        });
        if (!row) throw notFound(`no experiment with id "${id}"`);
        await appendEvent(tx, {
          type: EventType.MLFLOW_EXPERIMENT_UPDATED,
          actor: caller.name,
          subjectId: id,
          before: { name: row.before.name },
          after: patch,
        });
        return toExperiment(row.experiment);
      }, 'mlflow.updateExperiment');
    } catch (err) {
      if (isConstraintViolation(err))
        throw conflict(`an experiment named "${patch.name}" already exists`, {
          field: 'name',
          mlflow: 'RESOURCE_ALREADY_EXISTS',
        });
      throw err;
    }
  }

  // ------------------------------------------------------------ runs

  async createRun(
    caller: Pick<Caller, 'name'>,
    input: { experimentId: string; runName: string | null; startTime: number | null; tags: KV[]; user: string | null },
  ): Promise<MlflowRunRecord> {
    const experiment = await this.getExperiment(input.experimentId || '0');
    const runName = input.runName ?? input.tags.find((t) => t.key === 'mlflow.runName')?.value ?? null;
    const commit = input.tags.find((t) => t.key === 'mlflow.source.git.commit')?.value ?? null;
    const repo = input.tags.find((t) => t.key === 'mlflow.source.git.repoURL')?.value ?? null;
    const run = await this.runs.createRun(caller, {
      name: runName,
      experiment: experiment.name,
      codeCommit: commit,
      codeRepo: repo,
    });
    const tags = mergeKv([], input.tags);
    if (runName && !tags.some((t) => t.key === 'mlflow.runName')) tags.push({ key: 'mlflow.runName', value: runName });
    await this.executor.writeTx(async (tx) => {
      const [row] = await tx.run(Q.attachRun, {
        runId: run.id,
        experimentId: experiment.id,
        tags: kvJson(tags),
        startTime: input.startTime ?? Date.now(),
        user: input.user ?? caller.name,
      });
      if (!row) throw notFound(`no experiment with id "${experiment.id}"`);
      await appendEvent(tx, {
        type: EventType.RUN_LOGGED,
        actor: caller.name,
        subjectId: run.id,
        after: { mlflowExperimentId: experiment.id, tags },
      });
    }, 'mlflow.attachRun');
    return this.getRun(run.id);
  }

  async getRun(id: string): Promise<MlflowRunRecord> {
    const [run] = await this.runsByIds([id]);
    if (!run) throw notFound(`no run with id "${id}"`);
    return run;
  }

  async runsByIds(ids: string[]): Promise<(MlflowRunRecord | null)[]> {
    const rows = await this.executor.read<{ run: StoredRun | null; metrics: MlflowMetric[]; inputs: StoredInput[] }>(
      Q.runsByIds,
      { keys: ids },
    );
    return rows.map((r) => (r.run ? toRun(r.run, r.metrics, r.inputs) : null));
  }

  /**
   * Pages of run-metric histories (MLflow's get-history, GraphQL's
   * Run.metricHistory through a DataLoader): for each key, up to `limit`
   * points after its cursor, oldest first.
   */
  async metricHistories(
    keys: readonly { runId: string; key: string; after: MetricCursor | null }[],
    limit: number,
  ): Promise<MetricHistoryPage[]> {
    const rows = await this.executor.read<{ mlflowRun: boolean; total: number; points: MlflowMetric[] }>(
      Q.metricHistory,
      {
        keys: keys.map((k) => ({
          runId: k.runId,
          key: k.key,
          after: k.after,
          from: k.after ? k.after[0] : -MAX_DATE_MS,
        })),
        limit,
      },
    );
    return rows.map((r) => ({
      mlflowRun: r.mlflowRun,
      total: r.total,
      points: r.points.map((p) => ({
        key: p.key,
        value: p.value,
        timestamp: Number(p.timestamp),
        step: Number(p.step),
      })),
    }));
  }

  /**
   * The model versions a run produced (model-versions/search with run_id =), by model name and version; at most
   * `limit`.
   */
  async versionsOfRun(runId: string, limit: number): Promise<VersionRecord[]> {
    const rows = await this.executor.read<{ version: VersionRecord }>(Q.versionsOfRun, { runId, limit });
    return rows.map((r) => r.version);
  }

  async runIdsOfExperiments(experimentIds: string[]): Promise<string[]> {
    const rows = await this.executor.read<{ id: string }>(Q.runsByExperiments, {
      experimentIds,
      limit: SEARCH_SCAN_LIMIT + 1,
    });
    if (rows.length > SEARCH_SCAN_LIMIT)
      throw badInput(`run search reads at most ${SEARCH_SCAN_LIMIT} runs; narrow experiment_ids`, {
        field: 'experiment_ids',
      });
    return rows.map((r) => r.id);
  }

  /**
   * Logs params, metrics and tags (log-batch, log-metric, log-parameter,
   * set-tag, delete-tag, update's name). Params are immutable as in MLflow: a
   * different value for a logged key is INVALID_PARAMETER_VALUE.
   */
  async logData(
    caller: Pick<Caller, 'name'>,
    runId: string,
    data: {
      params?: KV[];
      metrics?: MlflowMetric[];
      tags?: KV[];
      deleteTags?: string[];
      name?: string | null;
      endTime?: number | null;
      lifecycleStage?: string | null;
    },
  ): Promise<void> {
    for (const m of data.metrics ?? []) {
      requireString(m.key, 'metric key');
      if (typeof m.value !== 'number' || Number.isNaN(m.value))
        throw badInput(`metric "${m.key}" must be a number`, { field: 'metrics' });
      if (m.timestamp != null && !(Number.isSafeInteger(m.timestamp) && Math.abs(m.timestamp) <= MAX_DATE_MS)) {
        throw badInput(
          `metric "${m.key}" timestamp must be whole milliseconds since the epoch, within ±${MAX_DATE_MS}`,
          { field: 'metrics' },
        );
      }
      if (m.step != null && !Number.isSafeInteger(m.step))
        throw badInput(`metric "${m.key}" step must be an integer`, { field: 'metrics' });
    }
    for (const p of data.params ?? []) requireString(p.key, 'param key');
    for (const t of data.tags ?? []) requireString(t.key, 'tag key');
    await this.executor.writeTx(async (tx) => {
      const [row] = await tx.run<{
        run: { params: string | null; mlflowTags: string | null; status: string; mlflowLifecycleStage: string };
        metrics: MlflowMetric[];
      }>(Q.readRunForUpdate, { runId });
      if (!row) throw notFound(`no run with id "${runId}"`);
      const params = row.run.params ? (JSON.parse(row.run.params) as Record<string, string>) : {};
      for (const p of data.params ?? []) {
        const value = String(p.value ?? '');
        if (p.key in params && params[p.key] !== value) {
          throw badInput(
            `param "${p.key}" was already logged with value "${params[p.key]}" for run "${runId}"; params cannot change (new value "${value}")`,
            { field: 'params' },
          );
        }
        params[p.key] = value;
      }
      let tags = parseKv(row.run.mlflowTags);
      tags = mergeKv(tags, data.tags ?? []);
      if (data.deleteTags?.length) {
        for (const k of data.deleteTags)
          if (!tags.some((t) => t.key === k)) throw notFound(`run "${runId}" has no tag "${k}"`);
        tags = tags.filter((t) => !data.deleteTags!.includes(t.key));
      }
      if (data.name) tags = mergeKv(tags, [{ key: 'mlflow.runName', value: data.name }]);
      // Every point goes to the history; the latest value per key is the
      // greatest by (step, timestamp, value), MLflow's rule for runs/get.
      const points = (data.metrics ?? []).map((m) => ({
        key: m.key,
        value: storedValue(m.value),
        timestamp: m.timestamp ?? Date.now(),
        step: m.step ?? 0,
      }));
      const latest = new Map(
        row.metrics.map((m) => [m.key, { ...m, step: Number(m.step ?? 0), timestamp: Number(m.timestamp ?? 0) }]),
      );
      const changed = new Map<string, MlflowMetric>();
      for (const x of points) {
        const cur = latest.get(x.key);
        if (!cur || laterThan(x, cur)) {
          latest.set(x.key, x);
          changed.set(x.key, x);
        }
      }
      // The run's lists are capped (GraphQL serves them whole): refuse what would pass a cap.
      if (Object.keys(params).length > MAX_RUN_PARAMS)
        throw badInput(`a run holds at most ${MAX_RUN_PARAMS} params`, { field: 'params', limit: MAX_RUN_PARAMS });
      if (latest.size > MAX_RUN_METRICS)
        throw badInput(`a run holds at most ${MAX_RUN_METRICS} metric keys`, {
          field: 'metrics',
          limit: MAX_RUN_METRICS,
        });
      await tx.run(Q.logRunData, {
        runId,
        params: JSON.stringify(sortObject(params)),
        tags: kvJson(tags),
        points,
        metrics: [...changed.values()],
        name: data.name ?? null,
        endTime: data.endTime ?? null,
        lifecycleStage: data.lifecycleStage ?? null,
      });
      await appendEvent(tx, {
        type: EventType.RUN_LOGGED,
        actor: caller.name,
        subjectId: runId,
        after: {
          ...(data.params?.length ? { params: data.params } : {}),
          ...(data.metrics?.length
            ? { metrics: data.metrics.map((m) => ({ key: m.key, value: m.value, step: m.step ?? 0 })) }
            : {}),
          ...(data.tags?.length ? { tags: data.tags } : {}),
          ...(data.deleteTags?.length ? { deletedTags: data.deleteTags } : {}),
          ...(data.name ? { name: data.name } : {}),
          ...(data.lifecycleStage ? { lifecycleStage: data.lifecycleStage } : {}),
        },
      });
    }, 'mlflow.logRunData');
  }

  /** update-run: name, and a terminal status ends the provenance run (finishRun). */
  async updateRun(
    caller: Pick<Caller, 'name'>,
    runId: string,
    patch: { status?: string | null; endTime?: number | null; name?: string | null },
  ): Promise<MlflowRunRecord> {
    const run = await this.getRun(runId);
    if (patch.status && !(RUN_STATUSES as readonly string[]).includes(patch.status)) {
      throw badInput(`status must be one of ${RUN_STATUSES.join(', ')}`, { field: 'status' });
    }
    if (patch.name || patch.endTime)
      await this.logData(caller, runId, { name: patch.name ?? null, endTime: patch.endTime ?? null });
    if (patch.status && patch.status !== run.status && ['FINISHED', 'FAILED', 'KILLED'].includes(patch.status)) {
      if (run.status !== 'RUNNING')
        throw badInput(`run "${runId}" is ${run.status}; only a RUNNING run can end`, { field: 'status' });
      await this.runs.finishRun(caller, runId, patch.status as 'FINISHED' | 'FAILED' | 'KILLED', []);
      if (!patch.endTime) await this.logData(caller, runId, { endTime: Date.now() });
    }
    return this.getRun(runId);
  }

  async logInputs(caller: Pick<Caller, 'name'>, runId: string, datasets: MlflowDatasetInput[]): Promise<void> {
    for (const d of datasets) {
      requireString(d.name, 'dataset name');
      requireString(d.digest, 'dataset digest');
    }
    if (datasets.length === 0) return;
    await this.executor.writeTx(async (tx) => {
      const [exists] = await tx.run(Q.readRunForUpdate, { runId });
      if (!exists) throw notFound(`no run with id "${runId}"`);
      const logged = await tx.run<{
        id: string | null;
        dataset: string;
        version: string;
        created: boolean;
        full: boolean;
      }>(Q.logRunInputs, {
        runId,
        actor: caller.name,
        maxInputs: MAX_RUN_INPUTS,
        datasets: datasets.map((d) => ({
          name: d.name,
          digest: d.digest,
          uri: uriOfSource(d.source),
          sourceType: d.sourceType,
          source: d.source,
          schema: d.schema,
          profile: d.profile,
          role: d.role,
          tags: kvJson(d.tags),
        })),
      });
      if (logged[0]?.full)
        throw badInput(`a run uses at most ${MAX_RUN_INPUTS} dataset versions`, {
          field: 'datasets',
          limit: MAX_RUN_INPUTS,
        });
      const rows = logged.filter((r) => r.id !== null);
      for (const r of rows.filter((x) => x.created)) {
        await appendEvent(tx, {
          type: EventType.DATASET_VERSION_REGISTERED,
          actor: caller.name,
          subjectId: r.id,
          after: { dataset: r.dataset, version: r.version, hash: r.version, via: 'mlflow' },
        });
      }
      await appendEvent(tx, {
        type: EventType.RUN_LOGGED,
        actor: caller.name,
        subjectId: runId,
        after: { inputs: rows.map((r) => ({ datasetVersionId: r.id, dataset: r.dataset, version: r.version })) },
      });
    }, 'mlflow.logInputs');
  }

  /** log-outputs: the logged models a run produced (kept as a run tag MLflow hides from users). */
  async logOutputs(
    caller: Pick<Caller, 'name'>,
    runId: string,
    models: { modelId: string; step: number }[],
  ): Promise<void> {
    const run = await this.getRun(runId);
    const all = [...run.outputs];
    for (const m of models)
      if (!all.some((o) => o.modelId === m.modelId)) all.push({ modelId: m.modelId, step: m.step ?? 0 });
    await this.logData(caller, runId, { tags: [{ key: OUTPUTS_TAG, value: JSON.stringify(all) }] });
  }

  // ------------------------------------------------------------ logged models (MLflow 3)

  async createLoggedModel(
    caller: Pick<Caller, 'name'>,
    input: {
      experimentId: string;
      name: string | null;
      modelType: string | null;
      sourceRunId: string | null;
      tags: KV[];
      params: KV[];
    },
  ): Promise<LoggedModelRecord> {
    const id = `m-${randomUUID().replace(/-/g, '')}`;
    const name = input.name || id;
    return this.executor.writeTx(async (tx) => {
      const [row] = await tx.run<{ model: StoredLoggedModel }>(Q.createLoggedModel, {
        id,
        experimentId: input.experimentId,
        name,
        modelType: input.modelType,
        sourceRunId: input.sourceRunId,
        actor: caller.name,
        now: Date.now(),
        tags: kvJson(input.tags),
        params: kvJson(input.params),
      });
      if (!row) throw notFound(`no experiment with id "${input.experimentId}"`);
      await appendEvent(tx, {
        type: EventType.LOGGED_MODEL_CREATED,
        actor: caller.name,
        subjectId: id,
        after: { id, name, experimentId: input.experimentId, sourceRunId: input.sourceRunId },
      });
      return toLoggedModel(row.model);
    }, 'mlflow.createLoggedModel');
  }

  async getLoggedModel(id: string): Promise<LoggedModelRecord> {
    const [row] = await this.executor.read<{ model: StoredLoggedModel | null }>(Q.loggedModelsByIds, { keys: [id] });
    if (!row?.model) throw notFound(`no logged model with id "${id}"`);
    return toLoggedModel(row.model);
  }

  async findLoggedModel(id: string): Promise<LoggedModelRecord | null> {
    const [row] = await this.executor.read<{ model: StoredLoggedModel | null }>(Q.loggedModelsByIds, { keys: [id] });
    return row?.model ? toLoggedModel(row.model) : null;
  }

  async loggedModelsOfExperiments(experimentIds: string[]): Promise<LoggedModelRecord[]> {
    const rows = await this.executor.read<{ model: StoredLoggedModel }>(Q.loggedModelsByExperiments, {
      experimentIds,
      limit: SEARCH_SCAN_LIMIT + 1,
    });
    if (rows.length > SEARCH_SCAN_LIMIT)
      throw badInput(`logged model search reads at most ${SEARCH_SCAN_LIMIT} models; narrow experiment_ids`, {
        field: 'experiment_ids',
      });
    return rows.map((r) => toLoggedModel(r.model));
  }

  async updateLoggedModel(
    caller: Pick<Caller, 'name'>,
    id: string,
    patch: { status?: string; setTags?: KV[]; deleteTag?: string; params?: KV[] },
  ): Promise<LoggedModelRecord> {
    const current = await this.getLoggedModel(id);
    if (
      patch.status &&
      !['LOGGED_MODEL_PENDING', 'LOGGED_MODEL_READY', 'LOGGED_MODEL_UPLOAD_FAILED'].includes(patch.status)
    ) {
      throw badInput('status must be LOGGED_MODEL_READY, LOGGED_MODEL_PENDING or LOGGED_MODEL_UPLOAD_FAILED', {
        field: 'status',
      });
    }
    let tags: string | null = null;
    if (patch.setTags || patch.deleteTag) {
      let t = mergeKv(current.tags, patch.setTags ?? []);
      if (patch.deleteTag) {
        if (!t.some((x) => x.key === patch.deleteTag))
          throw notFound(`logged model "${id}" has no tag "${patch.deleteTag}"`);
        t = t.filter((x) => x.key !== patch.deleteTag);
      }
      tags = kvJson(t);
    }
    const params = patch.params ? kvJson(mergeKv(current.params, patch.params)) : null;
    return this.executor.writeTx(async (tx) => {
      const [row] = await tx.run<{ model: StoredLoggedModel }>(Q.updateLoggedModel, {
        id,
        status: patch.status ?? null,
        tags,
        params,
        now: Date.now(),
      });
      if (!row) throw notFound(`no logged model with id "${id}"`);
      await appendEvent(tx, { type: EventType.LOGGED_MODEL_UPDATED, actor: caller.name, subjectId: id, after: patch });
      return toLoggedModel(row.model);
    }, 'mlflow.updateLoggedModel');
  }
}

// ------------------------------------------------------------ mapping

/** An experiment as stored: its tags as JSON text. */
type StoredExperiment = Omit<ExperimentRecord, 'tags'> & { tags: string | null };

interface StoredRun {
  id: string;
  name: string | null;
  status: string;
  params: string | null;
  mlflowExperimentId: string;
  mlflowArtifactUri: string;
  mlflowLifecycleStage: string;
  mlflowTags: string | null;
  mlflowStartTime: number;
  mlflowEndTime: number | null;
  mlflowUser: string | null;
}

interface StoredInput {
  role: string;
  tags: string | null;
  dataset: {
    datasetName: string;
    version: string;
    mlflowSourceType?: string | null;
    mlflowSource?: string | null;
    mlflowSchema?: string | null;
    mlflowProfile?: string | null;
    uri?: string | null;
  };
}

/** A logged model as the graph keeps it: tags and params as JSON text. */
type StoredLoggedModel = Omit<LoggedModelRecord, 'tags' | 'params'> & { tags: string | null; params: string | null };

/** The largest |milliseconds| a JS Date holds: metric timestamps stay within it so they read back as instants. */
const MAX_DATE_MS = 8.64e15;

/** MLflow's order for the latest value of a metric: step, then timestamp, then value. */
function laterThan(a: MlflowMetric, b: MlflowMetric): boolean {
  if (a.step !== b.step) return a.step > b.step;
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp;
  return a.value > b.value;
}

/** ±Infinity is stored as ±Number.MAX_VALUE (Neo4j floats could hold it; JSON cannot carry it back out). */
function storedValue(v: number): number {
  return Number.isFinite(v) ? v : v > 0 ? Number.MAX_VALUE : -Number.MAX_VALUE;
}

function toExperiment(e: StoredExperiment): ExperimentRecord {
  return {
    id: e.id,
    name: e.name,
    artifactLocation: e.artifactLocation,
    lifecycleStage: e.lifecycleStage,
    creationTime: Number(e.creationTime),
    lastUpdateTime: Number(e.lastUpdateTime),
    tags: parseKv(e.tags),
  };
}

function toRun(r: StoredRun, metrics: MlflowMetric[], inputs: StoredInput[]): MlflowRunRecord {
  const allTags = parseKv(r.mlflowTags);
  const outputsTag = allTags.find((t) => t.key === OUTPUTS_TAG);
  const params = r.params ? (JSON.parse(r.params) as Record<string, string>) : {};
  return {
    id: r.id,
    name: r.name,
    experimentId: r.mlflowExperimentId,
    user: r.mlflowUser,
    status: r.status,
    startTime: Number(r.mlflowStartTime),
    endTime: r.mlflowEndTime == null ? null : Number(r.mlflowEndTime),
    artifactUri: r.mlflowArtifactUri,
    lifecycleStage: r.mlflowLifecycleStage ?? 'active',
    params: Object.entries(params).map(([key, value]) => ({ key, value })),
    tags: allTags.filter((t) => t.key !== OUTPUTS_TAG),
    metrics: metrics.map((m) => ({
      key: m.key,
      value: m.value,
      timestamp: Number(m.timestamp ?? 0),
      step: Number(m.step ?? 0),
    })),
    inputs: inputs.map((i) => ({
      name: i.dataset.datasetName,
      digest: i.dataset.version,
      sourceType: i.dataset.mlflowSourceType ?? null,
      source: i.dataset.mlflowSource ?? i.dataset.uri ?? null,
      schema: i.dataset.mlflowSchema ?? null,
      profile: i.dataset.mlflowProfile ?? null,
      tags: parseKv(i.tags),
      role: i.role,
    })),
    outputs: outputsTag ? (JSON.parse(outputsTag.value) as { modelId: string; step: number }[]) : [],
  };
}

function toLoggedModel(m: StoredLoggedModel): LoggedModelRecord {
  return {
    ...m,
    creationTime: Number(m.creationTime),
    lastUpdatedTime: Number(m.lastUpdatedTime),
    tags: parseKv(m.tags),
    params: parseKv(m.params),
  };
}

export function parseKv(json: string | null | undefined): KV[] {
  if (!json) return [];
  const o = JSON.parse(json) as Record<string, string>;
  return Object.entries(o).map(([key, value]) => ({ key, value }));
}

function kvJson(kv: KV[]): string {
  return JSON.stringify(sortObject(Object.fromEntries(kv.map((t) => [t.key, String(t.value ?? '')]))));
}

function mergeKv(base: KV[], extra: KV[]): KV[] {
  const map = new Map(base.map((t) => [t.key, t.value]));
  for (const t of extra) map.set(t.key, String(t.value ?? ''));
  return [...map].map(([key, value]) => ({ key, value }));
}

function sortObject(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function requireString(v: unknown, field: string): void {
  if (typeof v !== 'string' || v.length === 0 || v.length > 1000)
    throw badInput(`${field} must be a string of 1–1000 characters`, { field });
}

/** MLflow dataset sources are JSON like {"uri": "..."}; the URI becomes the dataset version's uri. */
function uriOfSource(source: string | null): string | null {
  if (!source) return null;
  try {
    const o = JSON.parse(source) as Record<string, unknown>;
    const uri = o.uri ?? o.url ?? o.path;
    return typeof uri === 'string' ? uri : null;
  } catch {
    return null;
  }
}
