/**
 * The provenance records as services return them, shared by the aggregates
 * (datasets, runs, relations, predictions) and the lineage read models. No
 * driver, no GraphQL.
 */
import type { VersionRecord, VersionRef } from '../registry/types.js';
import type { RunStatus } from './lineage.js';

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
