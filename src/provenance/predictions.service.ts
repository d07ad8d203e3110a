import { badInput } from '../errors.js';
import { appendEvent, EventType } from '../events/event-log.js';
import { statement } from '../graph/cypher.js';
import type { Executor } from '../graph/executor.js';
import type { Caller } from '../governance/policy.js';
import { assertDeploymentName } from '../operations/deployment-name.js';
import type { RegistryLookup } from '../registry/lookup.js';
import type { ModelVersionRecord, ModelVersionRef } from './types.js';
import { requireText } from './validation.js';

const Q = {
  mergeDeployment: statement('provenance/merge-deployment'),
  logPredictions: statement('provenance/log-predictions'),
};

/** Predictions per UNWIND statement: 10,000 predictions are 4 statements in one transaction. */
export const PREDICTION_BATCH = 2500;
/** Predictions accepted by one logPredictions call. */
export const MAX_PREDICTIONS_PER_CALL = 50_000;

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

/** Predictions logged against the model version (and deployment) that made them. */
export class PredictionService {
  constructor(
    private readonly executor: Executor,
    /** Model refs ({ modelName, version | alias }) are resolved by the registry, the one mechanism for refs. */
    private readonly registry: Pick<RegistryLookup, 'requireVersion'>,
  ) {}

  /**
   * Records predictions against the version `model` resolves to now (an alias
   * is read inside the same transaction). Idempotent per prediction id.
   */
  async logPredictions(caller: Pick<Caller, 'name'>, input: LogPredictions): Promise<LogPredictionsResult> {
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
          actor: caller.name,
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
}

function toIso(at: Date | string | null | undefined): string | null {
  if (at === null || at === undefined) return null;
  const d = at instanceof Date ? at : new Date(at);
  if (Number.isNaN(d.getTime())) throw badInput('predictions[].at must be a date-time', { field: 'predictions.at' });
  return d.toISOString();
}
