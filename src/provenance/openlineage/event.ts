import { createHash } from 'node:crypto';
import { badInput, DomainError, ErrorCode } from '../../errors.js';
import { datasetUri } from './naming.js';

/**
 * OpenLineage events (spec 2-0-2) as Pedigree accepts them: a validator for
 * the parts of the specification Pedigree relies on, written for Pedigree
 * from the specification's text. Every refusal is BAD_USER_INPUT naming the
 * field by its path (`run.runId is required`, `outputs[2].facets.version.datasetVersion
 * must be a string`); counts past Pedigree's caps are LIMIT_EXCEEDED.
 *
 * What is checked: the envelope (eventTime, producer, schemaURL), the kind of
 * event (RunEvent: run + job; JobEvent: job, no run; DatasetEvent: dataset,
 * neither), identifiers (runId a UUID, namespaces and names non-empty), the
 * base facet fields every facet carries (`_producer`, `_schemaURL`), and the
 * shape of each facet Pedigree maps to the graph (see ./facets.ts). Other
 * facets are kept as they came (size-capped), so only their envelope is checked.
 */

export const EVENT_TYPES = ['START', 'RUNNING', 'COMPLETE', 'ABORT', 'FAIL', 'OTHER'] as const;
export type RunEventType = (typeof EVENT_TYPES)[number];
export const TERMINAL_EVENT_TYPES: readonly RunEventType[] = ['COMPLETE', 'ABORT', 'FAIL'];

/** Inputs, and outputs, one event may name. */
export const MAX_DATASETS_PER_EVENT = 1000;
/** Events one batch may carry (the body limit applies too). */
export const MAX_EVENTS_PER_BATCH = 1000;
/**
 * Caps of the facet lists Pedigree keeps and serves as bounded GraphQL lists
 * (DatasetVersion.columnLineage, .owners, Run.environmentVariableNames,
 * ColumnLineage.inputFields, ColumnLineageInputField.transformations): more is
 * LIMIT_EXCEEDED, so a stored list never exceeds what the cost analysis counts.
 */
export const MAX_FACET_LIST = 1000;
/** Input fields one output column derives from (columnLineage facet). */
export const MAX_INPUT_FIELDS = 100;
export const MAX_TRANSFORMATIONS = 10;
/**
 * The page of DatasetVersion.columnLineage when the client gives no `first`: columns × input fields × transformations
 * stay costable.
 */
export const COLUMN_LINEAGE_PAGE = 20;
/** Longest namespace or name (job or dataset). */
export const MAX_NAME_LENGTH = 2048;

export type Facet = Record<string, unknown>;
export type Facets = Record<string, Facet>;

export interface DatasetRef {
  namespace: string;
  name: string;
  /** Pedigree's identity for the dataset: see naming.ts. */
  uri: string;
  facets: Facets;
  /** inputFacets or outputFacets, by the list the dataset came in. */
  ioFacets: Facets;
}

interface Envelope {
  eventTime: string;
  /** eventTime as epoch milliseconds. */
  eventTimeMs: number;
  producer: string;
  schemaURL: string;
  /** sha256 of the event's canonical JSON: equal for a re-delivery of the same event. */
  digest: string;
}

export interface RunEvent extends Envelope {
  kind: 'run';
  /** OTHER when the event has none (the specification makes it optional). */
  eventType: RunEventType;
  run: { runId: string; facets: Facets };
  job: { namespace: string; name: string; facets: Facets };
  inputs: DatasetRef[];
  outputs: DatasetRef[];
}

export interface JobEvent extends Envelope {
  kind: 'job';
  job: { namespace: string; name: string; facets: Facets };
  inputs: DatasetRef[];
  outputs: DatasetRef[];
}

export interface DatasetEvent extends Envelope {
  kind: 'dataset';
  dataset: DatasetRef;
}

export type OpenLineageEvent = RunEvent | JobEvent | DatasetEvent;

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
// RFC 3339 date-time: the specification's "format": "date-time".
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const URI = /^[A-Za-z][A-Za-z0-9+.-]*:\S*$/;

type Where = string;
const at = (where: Where, key: string | number) =>
  typeof key === 'number' ? `${where}[${key}]` : where ? `${where}.${key}` : key;

function fail(field: string, message: string): never {
  throw badInput(`${field} ${message}`, { field });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function requireObject(v: unknown, field: string): Record<string, unknown> {
  if (v === undefined || v === null) fail(field, 'is required');
  if (!isObject(v)) fail(field, `must be an object, got ${describe(v)}`);
  return v;
}

function requireString(v: unknown, field: string, opts: { max?: number; nonEmpty?: boolean } = {}): string {
  if (v === undefined || v === null) fail(field, 'is required');
  if (typeof v !== 'string') fail(field, `must be a string, got ${describe(v)}`);
  if (opts.nonEmpty && v.trim() === '') fail(field, 'must not be empty');
  if (v.length > (opts.max ?? MAX_NAME_LENGTH))
    fail(field, `must be at most ${opts.max ?? MAX_NAME_LENGTH} characters, got ${v.length}`);
  return v;
}

function optionalString(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') fail(field, `must be a string, got ${describe(v)}`);
  return v;
}

function identifier(v: unknown, field: string): string {
  const s = requireString(v, field, { nonEmpty: true });
  // NUL and other C0 controls have no place in a name and break tools downstream.
  if (/[\u0000-\u001f\u007f]/.test(s)) fail(field, 'must not contain control characters');
  return s;
}

function dateTime(v: unknown, field: string): { text: string; ms: number } {
  const text = requireString(v, field, { max: 64 });
  const ms = DATE_TIME.test(text) ? Date.parse(text.replace(' ', 'T')) : NaN;
  if (!Number.isFinite(ms))
    fail(field, `must be an RFC 3339 date-time such as 2025-01-31T12:00:00.000Z, got ${JSON.stringify(text)}`);
  return { text, ms };
}

function uri(v: unknown, field: string): string {
  const s = requireString(v, field, { max: 4096 });
  if (!URI.test(s)) fail(field, `must be a URI (scheme:…), got ${JSON.stringify(s.slice(0, 80))}`);
  return s;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return `a ${typeof v}`;
}

function tooMany(field: string, count: number, max: number): never {
  throw new DomainError(ErrorCode.LIMIT_EXCEEDED, `${field} has ${count} entries; one event carries at most ${max}`, {
    field,
  });
}

/** The runId as Pedigree keeps it (lower case), or BAD_USER_INPUT. */
export function parseRunId(v: unknown, field: string): string {
  const s = requireString(v, field, { max: 64 });
  if (!UUID.test(s)) fail(field, `must be a UUID, got ${JSON.stringify(s.slice(0, 60))}`);
  return s.toLowerCase();
}

// ------------------------------------------------------------------ facets

/** Checks one facet map: every facet an object with the base facet fields, and the mapped ones' own fields. */
function facetMap(v: unknown, field: string, check: Record<string, (f: Facet, where: string) => Facet>): Facets {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) fail(field, `must be an object of facets, got ${describe(v)}`);
  const out: Facets = {};
  for (const [key, raw] of Object.entries(v)) {
    const where = at(field, key);
    const facet = requireObject(raw, where);
    // A facet marked deleted removes an earlier one; its other fields do not matter.
    if (facet._deleted === true) {
      out[key] = { _deleted: true };
      continue;
    }
    uri(facet._producer, at(where, '_producer'));
    uri(facet._schemaURL, at(where, '_schemaURL'));
    const own = check[key];
    out[key] = own ? own(facet, where) : facet;
  }
  return out;
}

function array(v: unknown, field: string, max = Number.MAX_SAFE_INTEGER): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(field, `must be an array, got ${describe(v)}`);
  if (v.length > max) tooMany(field, v.length, max);
  return v;
}

function integer(v: unknown, field: string): void {
  if (v !== undefined && v !== null && !Number.isSafeInteger(v)) fail(field, `must be an integer, got ${describe(v)}`);
}

const RUN_FACETS: Record<string, (f: Facet, where: string) => Facet> = {
  parent: (f, where) => {
    const run = requireObject(f.run, at(where, 'run'));
    const job = requireObject(f.job, at(where, 'job'));
    return {
      ...f,
      run: { ...run, runId: parseRunId(run.runId, at(at(where, 'run'), 'runId')) },
      job: {
        ...job,
        namespace: identifier(job.namespace, at(at(where, 'job'), 'namespace')),
        name: identifier(job.name, at(at(where, 'job'), 'name')),
      },
    };
  },
  nominalTime: (f, where) => {
    dateTime(f.nominalStartTime, at(where, 'nominalStartTime'));
    if (f.nominalEndTime !== undefined && f.nominalEndTime !== null)
      dateTime(f.nominalEndTime, at(where, 'nominalEndTime'));
    return f;
  },
  errorMessage: (f, where) => {
    requireString(f.message, at(where, 'message'), { max: 1_000_000 });
    requireString(f.programmingLanguage, at(where, 'programmingLanguage'));
    optionalString(f.stackTrace, at(where, 'stackTrace'));
    return f;
  },
  processing_engine: (f, where) => {
    requireString(f.version, at(where, 'version'));
    optionalString(f.name, at(where, 'name'));
    optionalString(f.openlineageAdapterVersion, at(where, 'openlineageAdapterVersion'));
    return f;
  },
  // Values of environment variables are secrets more often than not: only the names are kept.
  'environment-variables': (f, where) => {
    const vars = array(f.environmentVariables, at(where, 'environmentVariables'), MAX_FACET_LIST);
    if (f.environmentVariables === undefined) fail(at(where, 'environmentVariables'), 'is required');
    const names = vars.map((e, i) =>
      identifier(
        requireObject(e, at(at(where, 'environmentVariables'), i)).name,
        at(at(at(where, 'environmentVariables'), i), 'name'),
      ),
    );
    return {
      _producer: f._producer,
      _schemaURL: f._schemaURL,
      environmentVariables: [...new Set(names)].sort().map((name) => ({ name })),
    };
  },
};

const JOB_FACETS: Record<string, (f: Facet, where: string) => Facet> = {
  sourceCodeLocation: (f, where) => {
    requireString(f.type, at(where, 'type'));
    requireString(f.url, at(where, 'url'), { max: 4096 });
    for (const k of ['repoUrl', 'path', 'version', 'tag', 'branch']) optionalString(f[k], at(where, k));
    return f;
  },
};

function inputFieldList(v: unknown, field: string, max = MAX_FACET_LIST): void {
  array(v, field, max).forEach((e, i) => {
    const o = requireObject(e, at(field, i));
    identifier(o.namespace, at(at(field, i), 'namespace'));
    identifier(o.name, at(at(field, i), 'name'));
    requireString(o.field, at(at(field, i), 'field'));
    array(o.transformations, at(at(field, i), 'transformations'), MAX_TRANSFORMATIONS).forEach((t, j) => {
      requireString(
        requireObject(t, at(at(at(field, i), 'transformations'), j)).type,
        at(at(at(at(field, i), 'transformations'), j), 'type'),
      );
    });
  });
}

function metrics(f: Facet, where: string): Facet {
  for (const k of ['rowCount', 'bytes', 'fileCount']) integer(f[k], at(where, k));
  requireObject(f.columnMetrics, at(where, 'columnMetrics'));
  return f;
}

const DATASET_FACETS: Record<string, (f: Facet, where: string) => Facet> = {
  version: (f, where) => {
    requireString(f.datasetVersion, at(where, 'datasetVersion'), { nonEmpty: true, max: 1024 });
    return f;
  },
  columnLineage: (f, where) => {
    const fields = requireObject(f.fields, at(where, 'fields'));
    if (Object.keys(fields).length > MAX_FACET_LIST) {
      throw new DomainError(
        ErrorCode.LIMIT_EXCEEDED,
        `${at(where, 'fields')} has ${Object.keys(fields).length} entries; Pedigree keeps at most ${MAX_FACET_LIST} columns' lineage`,
        { field: at(where, 'fields') },
      );
    }
    for (const [name, entry] of Object.entries(fields)) {
      const e = requireObject(entry, at(at(where, 'fields'), name));
      if (e.inputFields === undefined) fail(at(at(at(where, 'fields'), name), 'inputFields'), 'is required');
      inputFieldList(e.inputFields, at(at(at(where, 'fields'), name), 'inputFields'), MAX_INPUT_FIELDS);
    }
    inputFieldList(f.dataset, at(where, 'dataset'), MAX_INPUT_FIELDS);
    return f;
  },
  schema: (f, where) => {
    const check = (list: unknown, field: string, depth: number): void => {
      if (depth > 32) fail(field, 'nests deeper than 32 levels');
      array(list, field, 100_000).forEach((e, i) => {
        const o = requireObject(e, at(field, i));
        requireString(o.name, at(at(field, i), 'name'));
        optionalString(o.type, at(at(field, i), 'type'));
        check(o.fields, at(at(field, i), 'fields'), depth + 1);
      });
    };
    check(f.fields, at(where, 'fields'), 0);
    return f;
  },
  dataSource: (f, where) => {
    optionalString(f.name, at(where, 'name'));
    if (f.uri !== undefined && f.uri !== null) uri(f.uri, at(where, 'uri'));
    return f;
  },
  ownership: (f, where) => {
    array(f.owners, at(where, 'owners'), MAX_FACET_LIST).forEach((o, i) => {
      requireString(requireObject(o, at(at(where, 'owners'), i)).name, at(at(at(where, 'owners'), i), 'name'));
    });
    return f;
  },
  dataQualityMetrics: metrics,
};

const INPUT_FACETS: Record<string, (f: Facet, where: string) => Facet> = { dataQualityMetrics: metrics };
const OUTPUT_FACETS: Record<string, (f: Facet, where: string) => Facet> = {
  outputStatistics: (f, where) => {
    integer(f.rowCount, at(where, 'rowCount'));
    integer(f.size, at(where, 'size'));
    return f;
  },
};

// ------------------------------------------------------------------ events

function dataset(v: unknown, field: string, io: 'inputFacets' | 'outputFacets' | null): DatasetRef {
  const o = requireObject(v, field);
  const namespace = identifier(o.namespace, at(field, 'namespace'));
  const name = identifier(o.name, at(field, 'name'));
  return {
    namespace,
    name,
    uri: datasetUri(namespace, name),
    facets: facetMap(o.facets, at(field, 'facets'), DATASET_FACETS),
    ioFacets: io ? facetMap(o[io], at(field, io), io === 'inputFacets' ? INPUT_FACETS : OUTPUT_FACETS) : {},
  };
}

function datasets(v: unknown, field: string, io: 'inputFacets' | 'outputFacets'): DatasetRef[] {
  return array(v, field, MAX_DATASETS_PER_EVENT).map((d, i) => dataset(d, at(field, i), io));
}

function job(v: unknown, field: string): { namespace: string; name: string; facets: Facets } {
  const o = requireObject(v, field);
  return {
    namespace: identifier(o.namespace, at(field, 'namespace')),
    name: identifier(o.name, at(field, 'name')),
    facets: facetMap(o.facets, at(field, 'facets'), JOB_FACETS),
  };
}

/**
 * Validates one event and returns it typed. `where` prefixes every field
 * path (a batch passes `[3]`).
 */
export function parseOpenLineageEvent(value: unknown, where: Where = ''): OpenLineageEvent {
  const root = isObject(value) ? value : fail(where || 'the event', `must be a JSON object, got ${describe(value)}`);
  const time = dateTime(root.eventTime, at(where, 'eventTime'));
  const envelope: Envelope = {
    eventTime: time.text,
    eventTimeMs: time.ms,
    producer: uri(root.producer, at(where, 'producer')),
    schemaURL: uri(root.schemaURL, at(where, 'schemaURL')),
    digest: canonicalDigest(root),
  };
  if (root.run !== undefined && root.run !== null) {
    const run = requireObject(root.run, at(where, 'run'));
    const runId = parseRunId(run.runId, at(at(where, 'run'), 'runId'));
    if (root.job === undefined || root.job === null) fail(at(where, 'job'), 'is required in a RunEvent');
    const t = root.eventType;
    if (t !== undefined && t !== null && !(EVENT_TYPES as readonly unknown[]).includes(t)) {
      fail(at(where, 'eventType'), `must be one of ${EVENT_TYPES.join(', ')}, got ${describe(t)}`);
    }
    return {
      ...envelope,
      kind: 'run',
      eventType: (t ?? 'OTHER') as RunEventType,
      run: { runId, facets: facetMap(run.facets, at(at(where, 'run'), 'facets'), RUN_FACETS) },
      job: job(root.job, at(where, 'job')),
      inputs: datasets(root.inputs, at(where, 'inputs'), 'inputFacets'),
      outputs: datasets(root.outputs, at(where, 'outputs'), 'outputFacets'),
    };
  }
  if (root.eventType !== undefined && root.eventType !== null) {
    fail(at(where, 'run'), 'is required: an event with an eventType is a RunEvent, which names its run');
  }
  if (root.job !== undefined && root.job !== null) {
    return {
      ...envelope,
      kind: 'job',
      job: job(root.job, at(where, 'job')),
      inputs: datasets(root.inputs, at(where, 'inputs'), 'inputFacets'),
      outputs: datasets(root.outputs, at(where, 'outputs'), 'outputFacets'),
    };
  }
  if (root.dataset !== undefined && root.dataset !== null) {
    return { ...envelope, kind: 'dataset', dataset: dataset(root.dataset, at(where, 'dataset'), null) };
  }
  return fail(
    where || 'the event',
    'must be a RunEvent (with run and job), a JobEvent (with job) or a DatasetEvent (with dataset); it has none of run, job and dataset',
  );
}

/** A batch: an array of events, each validated with its index in every message. */
export function parseOpenLineageBatch(value: unknown): OpenLineageEvent[] {
  if (!Array.isArray(value)) fail('the batch', `must be a JSON array of events, got ${describe(value)}`);
  if (value.length > MAX_EVENTS_PER_BATCH) {
    throw new DomainError(
      ErrorCode.LIMIT_EXCEEDED,
      `the batch has ${value.length} events; one batch carries at most ${MAX_EVENTS_PER_BATCH}`,
      { field: 'batch' },
    );
  }
  return value.map((e, i) => {
    try {
      return parseOpenLineageEvent(e, `[${i}]`);
    } catch (err) {
      if (err instanceof DomainError) err.details.index = i;
      throw err;
    }
  });
}

/** JSON with object keys sorted at every level: equal values, equal text. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(sortKeys(v));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (isObject(v)) {
    return Object.fromEntries(
      Object.keys(v)
        .filter((k) => v[k] !== undefined)
        .sort()
        .map((k) => [k, sortKeys(v[k])]),
    );
  }
  return v;
}

export function canonicalDigest(v: unknown): string {
  return createHash('sha256').update(canonicalJson(v)).digest('hex');
}
