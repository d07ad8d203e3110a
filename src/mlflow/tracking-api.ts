import type { Services } from '../services.js';
import { MlflowError } from './errors.js';
import { kvList } from './registry-api.js';
import { int, list, num, optStr, str, type Body, type Handler } from './request.js';
import { applyFilter, page, parseFilter, parseOrderBy, sortBy, type Clause, type OrderKey } from './search.js';
import {
  METRIC_HISTORY_MAX_RESULTS,
  type ExperimentRecord,
  type LoggedModelRecord,
  type MetricCursor,
  type MlflowDatasetInput,
  type MlflowRunRecord,
} from '../tracking/tracking.service.js';

/** MLflow's dataset context tag → Pedigree's run-input role. */
function roleOf(tags: { key: string; value: string }[]): string {
  const ctx = (tags.find((t) => t.key === 'mlflow.data.context')?.value ?? 'train').toLowerCase();
  if (['validation', 'valid', 'val', 'eval', 'evaluation'].includes(ctx)) return 'validation';
  if (['test', 'testing'].includes(ctx)) return 'test';
  return 'train';
}

export function experimentJson(e: ExperimentRecord): Record<string, unknown> {
  return {
    experiment_id: e.id,
    name: e.name,
    artifact_location: e.artifactLocation,
    lifecycle_stage: e.lifecycleStage,
    last_update_time: e.lastUpdateTime,
    creation_time: e.creationTime,
    tags: e.tags,
  };
}

export function runJson(r: MlflowRunRecord): Record<string, unknown> {
  return {
    info: {
      run_id: r.id,
      run_uuid: r.id,
      ...(r.name ? { run_name: r.name } : {}),
      experiment_id: r.experimentId,
      ...(r.user ? { user_id: r.user } : {}),
      status: r.status,
      start_time: r.startTime,
      ...(r.endTime != null ? { end_time: r.endTime } : {}),
      artifact_uri: r.artifactUri,
      lifecycle_stage: r.lifecycleStage,
    },
    data: {
      metrics: r.metrics.map((m) => ({ key: m.key, value: m.value, timestamp: m.timestamp, step: m.step })),
      params: r.params,
      tags: r.tags,
    },
    inputs: {
      dataset_inputs: r.inputs.map((i) => ({
        tags: i.tags,
        dataset: {
          name: i.name,
          digest: i.digest,
          source_type: i.sourceType ?? 'unknown',
          source: i.source ?? '',
          ...(i.schema ? { schema: i.schema } : {}),
          ...(i.profile ? { profile: i.profile } : {}),
        },
      })),
    },
    outputs: { model_outputs: r.outputs.map((o) => ({ model_id: o.modelId, step: o.step })) },
  };
}

export function loggedModelJson(m: LoggedModelRecord): Record<string, unknown> {
  return {
    info: {
      model_id: m.id,
      experiment_id: m.experimentId,
      name: m.name,
      creation_timestamp_ms: m.creationTime,
      last_updated_timestamp_ms: m.lastUpdatedTime,
      artifact_uri: m.artifactUri,
      status: m.status,
      ...(m.modelType ? { model_type: m.modelType } : {}),
      ...(m.sourceRunId ? { source_run_id: m.sourceRunId } : {}),
      tags: m.tags,
    },
    data: { params: m.params, metrics: [] },
  };
}

/**
 * The tracking half of MLflow's REST API (service.proto) that MLflow's own
 * client needs to log runs and models: experiments, runs, inputs/outputs and
 * MLflow 3 logged models. Thin handlers over services.mlflow.
 */
export class MlflowTrackingApi {
  constructor(private readonly services: Services) {}

  private get t() {
    return this.services.mlflow;
  }

  createExperiment: Handler = async ({ body, actor }) => {
    const e = await this.t.createExperiment(
      actor,
      str(body, 'name'),
      optStr(body, 'artifact_location'),
      kvList(body.tags),
    );
    return { experiment_id: e.id };
  };

  getExperiment: Handler = async ({ body }) => ({
    experiment: experimentJson(await this.t.getExperiment(str(body, 'experiment_id'))),
  });

  getExperimentByName: Handler = async ({ body }) => ({
    experiment: experimentJson(await this.t.getExperimentByName(str(body, 'experiment_name'))),
  });

  searchExperiments: Handler = async ({ body }) => {
    const clauses = parseFilter(optStr(body, 'filter'));
    const view = optStr(body, 'view_type') ?? 'ACTIVE_ONLY';
    const all = (await this.t.listExperiments()).filter(
      (e) =>
        view === 'ALL' || (view === 'DELETED_ONLY' ? e.lifecycleStage === 'deleted' : e.lifecycleStage === 'active'),
    );
    const read = (e: ExperimentRecord, c: Clause | OrderKey) => {
      if (c.kind === 'tags') return e.tags.find((t) => t.key === c.key)?.value;
      switch (c.key) {
        case 'name':
          return e.name;
        case 'experiment_id':
          return Number(e.id);
        case 'creation_time':
          return e.creationTime;
        case 'last_update_time':
          return e.lastUpdateTime;
      }
      throw new MlflowError('INVALID_PARAMETER_VALUE', `Invalid attribute key '${c.key}' specified.`);
    };
    const filtered = applyFilter(all, clauses, read);
    const order = parseOrderBy(list(body, 'order_by'));
    const sorted = sortBy(filtered, [...order, { kind: 'attributes', key: 'experiment_id', desc: true }], read);
    const p = page(sorted, int(body, 'max_results') ?? 1000, optStr(body, 'page_token'));
    return {
      experiments: p.items.map(experimentJson),
      ...(p.nextPageToken ? { next_page_token: p.nextPageToken } : {}),
    };
  };

  updateExperiment: Handler = async ({ body, actor }) => {
    await this.t.updateExperiment(actor, str(body, 'experiment_id'), { name: optStr(body, 'new_name') ?? undefined });
    return {};
  };

  deleteExperiment: Handler = async ({ body, actor }) => {
    if (str(body, 'experiment_id') === '0')
      throw new MlflowError('INVALID_STATE', 'the Default experiment cannot be deleted');
    await this.t.updateExperiment(actor, str(body, 'experiment_id'), { lifecycleStage: 'deleted' });
    return {};
  };

  restoreExperiment: Handler = async ({ body, actor }) => {
    await this.t.updateExperiment(actor, str(body, 'experiment_id'), { lifecycleStage: 'active' });
    return {};
  };

  setExperimentTag: Handler = async ({ body, actor }) => {
    await this.t.updateExperiment(actor, str(body, 'experiment_id'), {
      setTag: { key: str(body, 'key'), value: String(body.value ?? '') },
    });
    return {};
  };

  deleteExperimentTag: Handler = async ({ body, actor }) => {
    await this.t.updateExperiment(actor, str(body, 'experiment_id'), { deleteTag: str(body, 'key') });
    return {};
  };

  createRun: Handler = async ({ body, actor }) => {
    const r = await this.t.createRun(actor, {
      experimentId: optStr(body, 'experiment_id') ?? '0',
      runName: optStr(body, 'run_name'),
      startTime: int(body, 'start_time'),
      tags: kvList(body.tags),
      user: optStr(body, 'user_id'),
    });
    return { run: runJson(r) };
  };

  getRun: Handler = async ({ body }) => ({ run: runJson(await this.t.getRun(runIdOf(body))) });

  updateRun: Handler = async ({ body, actor }) => {
    const r = await this.t.updateRun(actor, runIdOf(body), {
      status: optStr(body, 'status'),
      endTime: int(body, 'end_time'),
      name: optStr(body, 'run_name'),
    });
    return { run_info: (runJson(r) as { info: unknown }).info };
  };

  deleteRun: Handler = async ({ body, actor }) => {
    await this.t.logData(actor, runIdOf(body), { lifecycleStage: 'deleted' });
    return {};
  };

  restoreRun: Handler = async ({ body, actor }) => {
    await this.t.logData(actor, runIdOf(body), { lifecycleStage: 'active' });
    return {};
  };

  searchRuns: Handler = async ({ body }) => {
    const experimentIds = list(body, 'experiment_ids') ?? [];
    if (experimentIds.length === 0) throw new MlflowError('INVALID_PARAMETER_VALUE', 'experiment_ids is required');
    const clauses = parseFilter(optStr(body, 'filter'));
    const view = optStr(body, 'run_view_type') ?? 'ACTIVE_ONLY';
    const ids = await this.t.runIdsOfExperiments(experimentIds);
    const runs = (await this.t.runsByIds(ids))
      .filter((r): r is MlflowRunRecord => r !== null)
      .filter(
        (r) =>
          view === 'ALL' || (view === 'DELETED_ONLY' ? r.lifecycleStage === 'deleted' : r.lifecycleStage === 'active'),
      );
    const read = (r: MlflowRunRecord, c: Clause | OrderKey) => {
      switch (c.kind) {
        case 'tags':
          return r.tags.find((t) => t.key === c.key)?.value;
        case 'params':
          return r.params.find((t) => t.key === c.key)?.value;
        case 'metrics':
          return r.metrics.find((t) => t.key === c.key)?.value;
        case 'datasets':
          return c.key === 'name' ? r.inputs[0]?.name : r.inputs[0]?.digest;
      }
      switch (c.key) {
        case 'status':
          return r.status;
        case 'run_name':
          return r.name;
        case 'run_id':
          return r.id;
        case 'start_time':
          return r.startTime;
        case 'end_time':
          return r.endTime;
        case 'user_id':
          return r.user;
        case 'artifact_uri':
          return r.artifactUri;
      }
      throw new MlflowError('INVALID_PARAMETER_VALUE', `Invalid attribute key '${c.key}' specified.`);
    };
    const filtered = applyFilter(runs, clauses, read);
    const order = parseOrderBy(list(body, 'order_by'));
    const sorted = sortBy(
      filtered,
      [
        ...order,
        { kind: 'attributes', key: 'start_time', desc: true },
        { kind: 'attributes', key: 'run_id', desc: false },
      ],
      read,
    );
    const p = page(sorted, int(body, 'max_results') ?? 1000, optStr(body, 'page_token'));
    return { runs: p.items.map(runJson), ...(p.nextPageToken ? { next_page_token: p.nextPageToken } : {}) };
  };

  logMetric: Handler = async ({ body, actor }) => {
    await this.t.logData(actor, runIdOf(body), {
      metrics: [
        {
          key: str(body, 'key'),
          value: num(body, 'value'),
          timestamp: int(body, 'timestamp') ?? Date.now(),
          step: int(body, 'step') ?? 0,
        },
      ],
    });
    return {};
  };

  logParam: Handler = async ({ body, actor }) => {
    await this.t.logData(actor, runIdOf(body), {
      params: [{ key: str(body, 'key'), value: String(body.value ?? '') }],
    });
    return {};
  };

  setTag: Handler = async ({ body, actor }) => {
    await this.t.logData(actor, runIdOf(body), { tags: [{ key: str(body, 'key'), value: String(body.value ?? '') }] });
    return {};
  };

  deleteTag: Handler = async ({ body, actor }) => {
    await this.t.logData(actor, runIdOf(body), { deleteTags: [str(body, 'key')] });
    return {};
  };

  logBatch: Handler = async ({ body, actor }) => {
    const metrics = ((body.metrics as Body[] | undefined) ?? []).map((m) => ({
      key: str(m, 'key'),
      value: num(m, 'value'),
      timestamp: int(m, 'timestamp') ?? Date.now(),
      step: int(m, 'step') ?? 0,
    }));
    const params = ((body.params as Body[] | undefined) ?? []).map((p) => ({
      key: str(p, 'key'),
      value: String(p.value ?? ''),
    }));
    if (metrics.length > 1000 || params.length > 100 || kvList(body.tags).length > 100) {
      throw new MlflowError(
        'INVALID_PARAMETER_VALUE',
        'A batch logging request can contain at most 1000 metrics, 100 params and 100 tags',
      );
    }
    await this.t.logData(actor, runIdOf(body), { metrics, params, tags: kvList(body.tags) });
    return {};
  };

  logInputs: Handler = async ({ body, actor }) => {
    const datasets: MlflowDatasetInput[] = ((body.datasets as Body[] | undefined) ?? []).map((d) => {
      const ds = (d.dataset ?? {}) as Body;
      const tags = kvList(d.tags);
      return {
        name: str(ds, 'name'),
        digest: str(ds, 'digest'),
        sourceType: optStr(ds, 'source_type'),
        source: optStr(ds, 'source'),
        schema: optStr(ds, 'schema'),
        profile: optStr(ds, 'profile'),
        tags,
        role: roleOf(tags),
      };
    });
    await this.t.logInputs(actor, runIdOf(body), datasets);
    return {};
  };

  logOutputs: Handler = async ({ body, actor }) => {
    const models = ((body.models as Body[] | undefined) ?? []).map((m) => ({
      modelId: str(m, 'model_id'),
      step: int(m, 'step') ?? 0,
    }));
    await this.t.logOutputs(actor, str(body, 'run_id'), models);
    return {};
  };

  /** Pre-MLflow-3 clients record a logged model as a run tag; kept as that tag. */
  logModel: Handler = async ({ body, actor }) => {
    await this.t.logData(actor, runIdOf(body), {
      tags: [{ key: 'mlflow.log-model.history', value: String(body.model_json ?? '') }],
    });
    return {};
  };

  /**
   * Every point logged for (run_id, metric_key), ordered by timestamp, step
   * and value as MLflow's server orders them, in pages of max_results
   * (at most 25,000, MLflow's limit and its default) with next_page_token.
   */
  getMetricHistory: Handler = async ({ body }) => {
    const runId = runIdOf(body);
    const key = str(body, 'metric_key');
    const max = int(body, 'max_results') ?? METRIC_HISTORY_MAX_RESULTS;
    if (max < 1 || max > METRIC_HISTORY_MAX_RESULTS) {
      throw new MlflowError(
        'INVALID_PARAMETER_VALUE',
        `max_results must be from 1 to ${METRIC_HISTORY_MAX_RESULTS}, got ${max}`,
      );
    }
    const after = historyCursor(optStr(body, 'page_token'));
    const [page] = await this.t.metricHistories([{ runId, key, after }], max + 1);
    if (!page!.mlflowRun) throw new MlflowError('RESOURCE_DOES_NOT_EXIST', `Run with id=${runId} not found`);
    const points = page!.points.slice(0, max);
    const last = page!.points.length > max ? points.at(-1) : undefined;
    return {
      metrics: points.map((m) => ({ key: m.key, value: m.value, timestamp: m.timestamp, step: m.step })),
      ...(last
        ? {
            next_page_token: Buffer.from(JSON.stringify({ after: [last.timestamp, last.step, last.value] })).toString(
              'base64',
            ),
          }
        : {}),
    };
  };

  /**
   * get-history-bulk (the MLflow UI's charts): every point of one metric for
   * up to 100 runs, each run's in get-history's order, runs in id order, at
   * most max_results (≤ 25,000) per run.
   */
  getMetricHistoryBulk: Handler = async ({ body }) => {
    const runIds = bulkRunIds(body, 'run_id');
    const key = str(body, 'metric_key');
    const max = Math.min(int(body, 'max_results') ?? METRIC_HISTORY_MAX_RESULTS, METRIC_HISTORY_MAX_RESULTS);
    if (max < 1) throw new MlflowError('INVALID_PARAMETER_VALUE', `max_results must be at least 1; got ${max}`);
    const pages = await this.t.metricHistories(
      runIds.map((runId) => ({ runId, key, after: null })),
      max,
    );
    return {
      metrics: pages.flatMap((p, i) =>
        p.points.map((m) => ({ key: m.key, value: m.value, timestamp: m.timestamp, step: m.step, run_id: runIds[i] })),
      ),
    };
  };

  /**
   * get-history-bulk-interval (the MLflow UI's run charts): for up to 100
   * runs, the points of one metric at up to max_results (1–2,500, default
   * 2,500) steps per run within [start_step, end_step], the steps sampled
   * evenly across the run's steps, its first and last always kept. A run's
   * steps are read from its first 25,000 points (get-history's page).
   */
  getMetricHistoryBulkInterval: Handler = async ({ body }) => {
    const runIds = bulkRunIds(body, 'run_ids');
    const key = str(body, 'metric_key');
    const max = int(body, 'max_results') ?? INTERVAL_MAX_RESULTS;
    if (max < 1 || max > INTERVAL_MAX_RESULTS)
      throw new MlflowError('INVALID_PARAMETER_VALUE', `max_results must be between 1 and ${INTERVAL_MAX_RESULTS}.`);
    const start = int(body, 'start_step');
    const end = int(body, 'end_step');
    if ((start === null) !== (end === null))
      throw new MlflowError(
        'INVALID_PARAMETER_VALUE',
        'If either start step or end step are specified, both must be specified.',
      );
    if (start !== null && end !== null && start > end)
      throw new MlflowError(
        'INVALID_PARAMETER_VALUE',
        `end_step must be greater than start_step. Found start_step=${start} and end_step=${end}.`,
      );
    const pages = await this.t.metricHistories(
      runIds.map((runId) => ({ runId, key, after: null })),
      METRIC_HISTORY_MAX_RESULTS,
    );
    const metrics = pages.flatMap((p, i) => {
      const inRange = p.points.filter((m) => start === null || (m.step >= start && m.step <= end!));
      const steps = sampledSteps(
        [...new Set(inRange.map((m) => m.step))].sort((a, b) => a - b),
        max,
      );
      return inRange
        .filter((m) => steps.has(m.step))
        .sort((a, b) => a.step - b.step || a.timestamp - b.timestamp)
        .map((m) => ({ key: m.key, value: m.value, timestamp: m.timestamp, step: m.step, run_id: runIds[i] }));
    });
    return { metrics };
  };

  // ------------------------------------------------------------ logged models

  createLoggedModel: Handler = async ({ body, actor }) => {
    const m = await this.t.createLoggedModel(actor, {
      experimentId: str(body, 'experiment_id'),
      name: optStr(body, 'name'),
      modelType: optStr(body, 'model_type'),
      sourceRunId: optStr(body, 'source_run_id'),
      tags: kvList(body.tags),
      params: kvList(body.params),
    });
    return { model: loggedModelJson(m) };
  };

  getLoggedModel: Handler = async ({ params }) => ({
    model: loggedModelJson(await this.t.getLoggedModel(params.model_id!)),
  });

  finalizeLoggedModel: Handler = async ({ body, params, actor }) => ({
    model: loggedModelJson(await this.t.updateLoggedModel(actor, params.model_id!, { status: str(body, 'status') })),
  });

  setLoggedModelTags: Handler = async ({ body, params, actor }) => ({
    model: loggedModelJson(await this.t.updateLoggedModel(actor, params.model_id!, { setTags: kvList(body.tags) })),
  });

  deleteLoggedModelTag: Handler = async ({ params, actor }) => {
    await this.t.updateLoggedModel(actor, params.model_id!, { deleteTag: decodeURIComponent(params.tag_key!) });
    return {};
  };

  logLoggedModelParams: Handler = async ({ body, params, actor }) => {
    await this.t.updateLoggedModel(actor, params.model_id!, { params: kvList(body.params) });
    return {};
  };

  /**
   * logged-models/search: `filter` in MLflow's syntax on name, model_id,
   * status, model_type, source_run_id, creation_timestamp,
   * last_updated_timestamp, `tags.<key>` and `params.<key>`; order_by as
   * MLflow's client sends it ({field_name, ascending}); newest first by default.
   */
  searchLoggedModels: Handler = async ({ body }) => {
    const experimentIds = list(body, 'experiment_ids') ?? [];
    const clauses = parseFilter(optStr(body, 'filter'));
    const all = await this.t.loggedModelsOfExperiments(experimentIds);
    const read = (m: LoggedModelRecord, c: Clause | OrderKey): string | number | null | undefined => {
      if (c.kind === 'tags') return m.tags.find((t) => t.key === c.key)?.value;
      if (c.kind === 'params') return m.params.find((t) => t.key === c.key)?.value;
      switch (c.key) {
        case 'name':
          return m.name;
        case 'model_id':
          return m.id;
        case 'status':
          return m.status;
        case 'model_type':
          return m.modelType;
        case 'source_run_id':
          return m.sourceRunId;
        case 'creation_timestamp':
        case 'creation_time':
          return m.creationTime;
        case 'last_updated_timestamp':
          return m.lastUpdatedTime;
      }
      throw new MlflowError('INVALID_PARAMETER_VALUE', `Invalid attribute key '${c.key}' specified for logged models.`);
    };
    const order: OrderKey[] = ((body.order_by as Body[] | undefined) ?? []).map((o) => ({
      kind: 'attributes',
      key: str(o, 'field_name'),
      desc: o.ascending === false,
    }));
    const sorted = sortBy(
      applyFilter(all, clauses, read),
      [
        ...order,
        { kind: 'attributes', key: 'creation_timestamp', desc: true },
        { kind: 'attributes', key: 'model_id', desc: false },
      ],
      read,
    );
    const p = page(sorted, int(body, 'max_results') ?? 100, optStr(body, 'page_token'));
    return { models: p.items.map(loggedModelJson), ...(p.nextPageToken ? { next_page_token: p.nextPageToken } : {}) };
  };
}

/** MLflow's bounds for the chart endpoints. */
const MAX_BULK_RUNS = 100;
const INTERVAL_MAX_RESULTS = 2500;

function bulkRunIds(body: Body, field: string): string[] {
  const ids = list(body, field) ?? [];
  if (ids.length === 0)
    throw new MlflowError('INVALID_PARAMETER_VALUE', `the request must specify at least one ${field}.`);
  if (ids.length > MAX_BULK_RUNS)
    throw new MlflowError(
      'INVALID_PARAMETER_VALUE',
      `the request cannot specify more than ${MAX_BULK_RUNS} ${field}. Received ${ids.length}.`,
    );
  return [...new Set(ids)].sort();
}

/** At most `max` of the sorted `steps`, evenly spread, the first and last always among them. */
function sampledSteps(steps: number[], max: number): Set<number> {
  if (steps.length <= max) return new Set(steps);
  if (max === 1) return new Set([steps[0]!]);
  const picked = new Set<number>();
  for (let i = 0; i < max; i++) picked.add(steps[Math.round((i * (steps.length - 1)) / (max - 1))]!);
  return picked;
}

/**
 * get-history page tokens: opaque base64 JSON of the last point's (timestamp, step, value), checked on the way back in.
 */
function historyCursor(token: string | null): MetricCursor | null {
  if (!token) return null;
  try {
    const o = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { after?: unknown };
    const a = o.after;
    if (
      !Array.isArray(a) ||
      a.length !== 3 ||
      !Number.isSafeInteger(a[0]) ||
      !Number.isSafeInteger(a[1]) ||
      typeof a[2] !== 'number'
    )
      throw new Error('bad');
    return a as MetricCursor;
  } catch {
    throw new MlflowError('INVALID_PARAMETER_VALUE', 'page_token is not a token returned by metrics/get-history');
  }
}

function runIdOf(body: Body): string {
  const id = optStr(body, 'run_id') ?? optStr(body, 'run_uuid');
  if (!id) throw new MlflowError('INVALID_PARAMETER_VALUE', "Missing value for required parameter 'run_id'.");
  return id;
}
