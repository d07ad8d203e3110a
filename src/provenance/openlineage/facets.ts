import { createHash } from 'node:crypto';
import { canonicalJson, type DatasetRef, type Facet, type Facets } from './event.js';

/**
 * Facets: how OpenLineage's metadata is merged and what Pedigree maps from it.
 *
 * Merging is last-writer-wins per facet key, where "last" is decided by the
 * event, never by arrival: each stored facet carries a stamp of the event
 * time (ms, zero-padded) and a hash of its value, and a facet replaces the
 * stored one only when its stamp is greater. That order is total, so merging
 * is commutative and idempotent: any interleaving and any repetition of the
 * same events ends with the same facets as one delivery in order. A facet
 * sent as `{"_deleted": true}` is a tombstone that wins the same way.
 */

/**
 * Facets Pedigree keeps as JSON but does not map (Spark's logical plan, …) larger than this are omitted with a marker.
 */
export const MAX_FACET_BYTES = 64 * 1024;
/** Mapped facets (schema, column lineage, …) may be larger. */
export const MAX_MAPPED_FACET_BYTES = 1024 * 1024;

const MAPPED = new Set([
  'parent',
  'nominalTime',
  'errorMessage',
  'processing_engine',
  'environment-variables',
  'sourceCodeLocation',
  'version',
  'columnLineage',
  'schema',
  'dataSource',
  'ownership',
  'dataQualityMetrics',
  'outputStatistics',
]);

/** Stored facets: values (tombstones included) and their stamps, by key. */
export interface FacetState {
  values: Facets;
  stamps: Record<string, string>;
}

export const EMPTY_FACETS: FacetState = Object.freeze({ values: {}, stamps: {} }) as FacetState;

export function stampOf(eventTimeMs: number, value: unknown): string {
  const hash = createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 16);
  return `${String(eventTimeMs).padStart(15, '0')}:${hash}`;
}

/** A facet as stored: unchanged, or a marker when it is larger than its cap. */
export function capped(key: string, value: Facet): Facet {
  const bytes = Buffer.byteLength(JSON.stringify(value));
  const cap = MAPPED.has(key) ? MAX_MAPPED_FACET_BYTES : MAX_FACET_BYTES;
  if (bytes <= cap) return value;
  return {
    _producer: value._producer,
    _schemaURL: value._schemaURL,
    _pedigreeOmitted: `this facet was ${bytes} bytes; Pedigree keeps facets up to ${cap} bytes`,
  };
}

/** Merges `incoming` (from an event at `eventTimeMs`) into `state`: last writer by event time wins per key. */
export function mergeFacets(state: FacetState, incoming: Facets, eventTimeMs: number): FacetState {
  let values = state.values;
  let stamps = state.stamps;
  for (const [key, value] of Object.entries(incoming)) {
    const stamp = stampOf(eventTimeMs, value);
    const current = stamps[key];
    if (current !== undefined && current >= stamp) continue;
    if (values === state.values) {
      values = { ...state.values };
      stamps = { ...state.stamps };
    }
    values[key] = capped(key, value);
    stamps[key] = stamp;
  }
  return values === state.values ? state : { values, stamps };
}

/** The facets a reader sees: tombstones removed, keys sorted. */
export function visibleFacets(state: FacetState): Facets {
  const out: Facets = {};
  for (const key of Object.keys(state.values).sort()) {
    const v = state.values[key]!;
    if (v._deleted !== true) out[key] = v;
  }
  return out;
}

export function sameFacets(a: FacetState, b: FacetState): boolean {
  return canonicalJson(a.stamps) === canonicalJson(b.stamps);
}

// ------------------------------------------------------------------ mapped run properties

/** What a run's merged facets (run and job facets) say about it, as Run properties. */
export interface RunFacetProperties {
  parentRunId: string | null;
  parentJob: { namespace: string; name: string } | null;
  codeRepo: string | null;
  codeCommit: string | null;
  processingEngine: string | null;
  processingEngineVersion: string | null;
  nominalStartTime: string | null;
  nominalEndTime: string | null;
  errorMessage: string | null;
  errorLanguage: string | null;
  environmentVariableNames: string[];
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

export function runProperties(runFacets: Facets, jobFacets: Facets): RunFacetProperties {
  const live = (f: Facet | undefined) => (f && f._deleted !== true && !f._pedigreeOmitted ? f : undefined);
  const parent = live(runFacets.parent);
  const engine = live(runFacets.processing_engine);
  const nominal = live(runFacets.nominalTime);
  const error = live(runFacets.errorMessage);
  const env = live(runFacets['environment-variables']);
  const code = live(jobFacets.sourceCodeLocation);
  const parentRun = parent?.run as { runId?: string } | undefined;
  const parentJob = parent?.job as { namespace?: string; name?: string } | undefined;
  return {
    parentRunId: parentRun?.runId ?? null,
    parentJob: parentJob?.namespace && parentJob.name ? { namespace: parentJob.namespace, name: parentJob.name } : null,
    codeRepo: str(code?.repoUrl) ?? str(code?.url),
    codeCommit: str(code?.version),
    processingEngine: str(engine?.name),
    processingEngineVersion: str(engine?.version),
    nominalStartTime: str(nominal?.nominalStartTime),
    nominalEndTime: str(nominal?.nominalEndTime),
    errorMessage: str(error?.message),
    errorLanguage: str(error?.programmingLanguage),
    environmentVariableNames: ((env?.environmentVariables as { name: string }[] | undefined) ?? []).map((e) => e.name),
  };
}

// ------------------------------------------------------------------ mapped dataset version properties

export interface ColumnLineageInput {
  /** The input dataset's Pedigree identity (namespace + "/" + name). */
  dataset: string;
  namespace: string;
  name: string;
  field: string;
  transformations: { type: string; subtype: string | null; description: string | null; masking: boolean | null }[];
}

/** One output field and the input fields it is computed from; field '' holds the dataset-level dependencies. */
export interface ColumnLineageEntry {
  field: string;
  inputFields: ColumnLineageInput[];
}

/** Properties of an output dataset version, from its dataset and output facets. */
export interface DatasetVersionProperties {
  rowCount: number | null;
  schema: unknown[] | null;
  dataSourceName: string | null;
  dataSourceUri: string | null;
  owners: { name: string; type: string | null }[];
  qualityMetrics: Facet | null;
  columnLineage: ColumnLineageEntry[] | null;
  facets: Facets;
}

type InputFieldJson = { namespace: string; name: string; field: string; transformations?: Record<string, unknown>[] };

function inputField(f: InputFieldJson, uriOf: (namespace: string, name: string) => string): ColumnLineageInput {
  return {
    dataset: uriOf(f.namespace, f.name),
    namespace: f.namespace,
    name: f.name,
    field: f.field,
    transformations: (f.transformations ?? []).map((t) => ({
      type: String(t.type),
      subtype: str(t.subtype),
      description: str(t.description),
      masking: typeof t.masking === 'boolean' ? t.masking : null,
    })),
  };
}

/** The column lineage facet as entries sorted by output field ('' first: dataset-level dependencies). */
export function columnLineage(
  facet: Facet | undefined,
  uriOf: (namespace: string, name: string) => string,
): ColumnLineageEntry[] | null {
  if (!facet || facet._deleted === true) return null;
  const entries: ColumnLineageEntry[] = Object.entries(
    (facet.fields as Record<string, { inputFields: InputFieldJson[] }>) ?? {},
  ).map(([field, e]) => ({
    field,
    inputFields: e.inputFields.map((f) => inputField(f, uriOf)),
  }));
  const datasetLevel = (facet.dataset as InputFieldJson[] | undefined) ?? [];
  if (datasetLevel.length) entries.push({ field: '', inputFields: datasetLevel.map((f) => inputField(f, uriOf)) });
  return entries.sort((a, b) => (a.field < b.field ? -1 : a.field > b.field ? 1 : 0));
}

/**
 * Datasets a column lineage facet reads from (inputs of the run even when its inputs list omits them, as dbt does for
 * seeds).
 */
export function lineageDatasets(
  entries: ColumnLineageEntry[] | null,
): { dataset: string; namespace: string; name: string }[] {
  const out = new Map<string, { dataset: string; namespace: string; name: string }>();
  for (const e of entries ?? [])
    for (const f of e.inputFields) out.set(f.dataset, { dataset: f.dataset, namespace: f.namespace, name: f.name });
  return [...out.values()].sort((a, b) => (a.dataset < b.dataset ? -1 : 1));
}

export function datasetVersionProperties(
  d: DatasetRef,
  uriOf: (namespace: string, name: string) => string,
): DatasetVersionProperties {
  // Output facets describe this write; they win over dataset facets of the same name.
  const all: Facets = { ...d.facets, ...d.ioFacets };
  const live = (k: string) => {
    const f = all[k];
    return f && f._deleted !== true ? f : undefined;
  };
  const quality = live('dataQualityMetrics');
  const stats = live('outputStatistics');
  const source = live('dataSource');
  const schema = live('schema');
  const rowCount = (quality?.rowCount ?? stats?.rowCount ?? null) as number | null;
  const facets: Facets = {};
  for (const key of Object.keys(all).sort()) if (all[key]!._deleted !== true) facets[key] = capped(key, all[key]!);
  return {
    rowCount,
    schema: schema && !facets.schema?._pedigreeOmitted ? ((schema.fields as unknown[] | undefined) ?? []) : null,
    dataSourceName: str(source?.name),
    dataSourceUri: str(source?.uri),
    owners: ((live('ownership')?.owners as { name: string; type?: string }[] | undefined) ?? []).map((o) => ({
      name: o.name,
      type: str(o.type),
    })),
    qualityMetrics: quality ? capped('dataQualityMetrics', quality) : null,
    columnLineage: columnLineage(live('columnLineage'), uriOf),
    facets,
  };
}
