import { badInput, conflict, notFound } from '../errors.js';
import { appendEvent, EventType } from '../events/event-log.js';
import { statement } from '../graph/cypher.js';
import type { Executor } from '../graph/executor.js';
import type { Caller } from '../governance/policy.js';
import { MAX_RUN_INPUTS, MAX_RUN_METRICS, RUN_ROLES, type RunStatus } from './lineage.js';
import { toRun, type MetricRecord, type RunInputRecord, type RunRecord, type StoredRun } from './types.js';
import { requireText } from './validation.js';

const Q = {
  createRun: statement('provenance/create-run'),
  finishRun: statement('provenance/finish-run'),
  getRuns: statement('provenance/get-runs'),
  runsByVersions: statement('provenance/runs-by-versions'),
  getRunMetrics: statement('provenance/get-run-metrics'),
  getRunInputs: statement('provenance/get-run-inputs'),
};

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

/**
 * Training runs: created with the dataset versions they use (their inputs),
 * finished with their metrics, and read by id or by the version they
 * produced. MLflow tracking creates and finishes its runs here too.
 */
export class RunService {
  constructor(private readonly executor: Executor) {}

  async createRun(caller: Pick<Caller, 'name'>, input: CreateRun): Promise<RunRecord> {
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
        actor: caller.name,
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
        actor: caller.name,
        subjectId: run.id,
        after: { name: run.name, experiment: run.experiment, codeCommit: run.codeCommit, inputs },
      });
      return run;
    }, 'createRun');
  }

  async finishRun(
    caller: Pick<Caller, 'name'>,
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
        actor: caller.name,
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
}

function byMetric(a: MetricRecord, b: MetricRecord): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : String(a.segment ?? '') < String(b.segment ?? '') ? -1 : 1;
}
