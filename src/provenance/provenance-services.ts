import type { Executor } from '../graph/executor.js';
import type { RegistryLookup } from '../registry/lookup.js';
import { DatasetService } from './datasets.service.js';
import { LineageService } from './lineage.service.js';
import { PredictionService } from './predictions.service.js';
import { ModelRelationService } from './relations.service.js';
import { RunService } from './runs.service.js';

/**
 * Provenance's services, one per aggregate: each owns its operations, and
 * callers reach the one they need (`services.provenance.runs.createRun`).
 * Every mutation is one write transaction ending with its event.
 */
export interface ProvenanceServices {
  /** Dataset versions and raw sources. */
  datasets: DatasetService;
  /** Training runs, their metrics and inputs. */
  runs: RunService;
  /** Prediction logging. */
  predictions: PredictionService;
  /** Provider models and model-to-model edges (base models, teachers, …). */
  relations: ModelRelationService;
  /** Read models: lineage walks, prediction traces, dataset impact, fingerprints. */
  lineage: LineageService;
}

/** Model refs ({ modelName, version | alias }) are resolved by the registry, the one mechanism for refs. */
export function createProvenanceServices(
  executor: Executor,
  registry: Pick<RegistryLookup, 'requireVersion'>,
): ProvenanceServices {
  return {
    datasets: new DatasetService(executor),
    runs: new RunService(executor),
    predictions: new PredictionService(executor, registry),
    relations: new ModelRelationService(executor, registry),
    lineage: new LineageService(executor),
  };
}
