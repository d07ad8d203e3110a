import DataLoader from 'dataloader';
import type { DatasetVersionRecord, MetricRecord, RunInputRecord, RunRecord } from '../provenance/provenance.service.js';
import type { Services } from '../services.js';

/**
 * Per-operation DataLoaders: every field resolver that reaches Neo4j goes
 * through one of these, so a request costs a bounded number of round trips
 * however many objects it returns.
 */
export interface Loaders {
  run: DataLoader<string, RunRecord | null>;
  runMetrics: DataLoader<string, MetricRecord[]>;
  runInputs: DataLoader<string, RunInputRecord[]>;
  datasetVersion: DataLoader<string, DatasetVersionRecord | null>;
}

export function createLoaders(services: Services): Loaders {
  return {
    run: new DataLoader((ids) => services.provenance.runsByIds(ids)),
    runMetrics: new DataLoader((ids) => services.provenance.runMetrics(ids)),
    runInputs: new DataLoader((ids) => services.provenance.runInputs(ids)),
    datasetVersion: new DataLoader((ids) => services.provenance.datasetVersionsByIds(ids)),
  };
}
