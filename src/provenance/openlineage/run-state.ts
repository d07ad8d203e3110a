import { conflict, DomainError, ErrorCode } from '../../errors.js';
import {
  canonicalJson,
  MAX_DATASETS_PER_EVENT,
  TERMINAL_EVENT_TYPES,
  type DatasetRef,
  type RunEvent,
  type RunEventType,
} from './event.js';
import {
  columnLineage,
  datasetVersionProperties,
  EMPTY_FACETS,
  lineageDatasets,
  mergeFacets,
  runProperties,
  type DatasetVersionProperties,
  type FacetState,
  type RunFacetProperties,
} from './facets.js';
import { datasetUri } from './naming.js';

/**
 * An OpenLineage run's state and how one event changes it: a pure function
 * from (stored state, event) to (new state, the lineage to record), so the
 * rules can be read and tested apart from the graph.
 *
 * Order does not matter: every part of the state is merged commutatively and
 * idempotently — times by min, facets last-writer-wins by event time, inputs
 * by union, the end of the run once — so a re-delivered or reordered stream
 * of a run's events ends in the state one in-order delivery gives. What a
 * run's events cannot agree on is refused (CONFLICT) instead of merged: its
 * job, its parent run, its code location, and how it ended.
 */

export type RunStatus = 'RUNNING' | 'FINISHED' | 'FAILED' | 'KILLED';

const STATUS_OF: Partial<Record<RunEventType, RunStatus>> = { COMPLETE: 'FINISHED', FAIL: 'FAILED', ABORT: 'KILLED' };

/** An input of the run: a dataset, and the version its producer named (`''`: none, resolved by time). */
export interface InputRef {
  dataset: string;
  namespace: string;
  name: string;
  version: string;
  facets: FacetState;
}

export interface RunState {
  jobNamespace: string | null;
  jobName: string | null;
  status: RunStatus;
  /** Earliest event time seen for the run (as a parent too); START's time, when seen, is the start. */
  firstMs: number | null;
  startMs: number | null;
  endMs: number | null;
  terminalType: RunEventType | null;
  terminalDigest: string | null;
  runFacets: FacetState;
  jobFacets: FacetState;
  inputs: InputRef[];
  /** Write-once properties already recorded (null: not yet). */
  codeRepo: string | null;
  codeCommit: string | null;
  parentRunId: string | null;
}

export const NEW_RUN: RunState = Object.freeze({
  jobNamespace: null,
  jobName: null,
  status: 'RUNNING',
  firstMs: null,
  startMs: null,
  endMs: null,
  terminalType: null,
  terminalDigest: null,
  runFacets: EMPTY_FACETS,
  jobFacets: EMPTY_FACETS,
  inputs: [],
  codeRepo: null,
  codeCommit: null,
  parentRunId: null,
}) as RunState;

/** An output dataset version to create when the run completes. */
export interface OutputVersion {
  dataset: string;
  version: string;
  props: DatasetVersionProperties;
  /** The input datasets it derives from (its column lineage), or null: every input. */
  feeds: string[] | null;
}

export interface Transition {
  state: RunState;
  mapped: RunFacetProperties;
  /** The state differs from the stored one. */
  changed: boolean;
  becameTerminal: boolean;
  /** Inputs to resolve and record now (all of them when the run ends; later, the ones new in this event). */
  resolve: InputRef[];
  /** Output versions to create (only when a COMPLETE ends the run). */
  outputs: OutputVersion[];
}

const refKey = (r: { dataset: string; version: string }) => `${r.dataset}\u0000${r.version}`;

/** The version an output is recorded under: its version facet's datasetVersion, else the producing run's id. */
export function outputVersionOf(d: DatasetRef, runId: string): string {
  const v = d.facets.version ?? d.ioFacets.version;
  return v && v._deleted !== true && typeof v.datasetVersion === 'string' ? v.datasetVersion : runId;
}

function inputVersionOf(d: DatasetRef): string {
  const v = d.facets.version ?? d.ioFacets.version;
  return v && v._deleted !== true && typeof v.datasetVersion === 'string' ? v.datasetVersion : '';
}

const minOf = (a: number | null, b: number) => (a === null || b < a ? b : a);

/** Applies one RunEvent to a run's stored state. Throws CONFLICT when the event contradicts what the run recorded. */
export function applyRunEvent(stored: RunState, ev: RunEvent): Transition {
  const runId = ev.run.runId;
  if (stored.jobNamespace !== null && (stored.jobNamespace !== ev.job.namespace || stored.jobName !== ev.job.name)) {
    throw conflict(
      `run ${runId} belongs to job ${stored.jobNamespace}/${stored.jobName}; this event names job ${ev.job.namespace}/${ev.job.name} (a run belongs to one job)`,
      { field: 'job' },
    );
  }
  const terminal = TERMINAL_EVENT_TYPES.includes(ev.eventType);
  let becameTerminal = false;
  const next: RunState = { ...stored, jobNamespace: ev.job.namespace, jobName: ev.job.name };
  if (terminal) {
    if (stored.terminalDigest === null) {
      becameTerminal = true;
      next.status = STATUS_OF[ev.eventType]!;
      next.endMs = ev.eventTimeMs;
      next.terminalType = ev.eventType;
      next.terminalDigest = ev.digest;
    } else if (stored.terminalDigest !== ev.digest) {
      throw conflict(
        `run ${runId} already ended (${stored.terminalType} at ${new Date(stored.endMs!).toISOString()}); a run ends once, and only an exact re-delivery of that event is accepted (outputs cannot be added to an ended run)`,
        { field: 'eventType' },
      );
    }
  }
  next.firstMs = minOf(stored.firstMs, ev.eventTimeMs);
  if (ev.eventType === 'START') next.startMs = minOf(stored.startMs, ev.eventTimeMs);
  next.runFacets = mergeFacets(stored.runFacets, ev.run.facets, ev.eventTimeMs);
  next.jobFacets = mergeFacets(stored.jobFacets, ev.job.facets, ev.eventTimeMs);

  const mapped = runProperties(next.runFacets.values, next.jobFacets.values);
  if (mapped.parentRunId === runId)
    throw conflict(`run ${runId} names itself as its parent run`, { field: 'run.facets.parent.run.runId' });
  const once: [keyof RunState & ('codeRepo' | 'codeCommit' | 'parentRunId'), string, string][] = [
    ['codeRepo', 'job.facets.sourceCodeLocation', 'code repository'],
    ['codeCommit', 'job.facets.sourceCodeLocation.version', 'code version'],
    ['parentRunId', 'run.facets.parent.run.runId', 'parent run'],
  ];
  for (const [key, field, what] of once) {
    const now = mapped[key];
    if (now === null) continue;
    if (stored[key] !== null && stored[key] !== now) {
      throw conflict(`run ${runId} recorded ${what} ${stored[key]}; this event says ${now} (it is recorded once)`, {
        field,
      });
    }
    next[key] = now;
  }

  // Inputs: the union over the run's events, plus datasets its outputs' column lineage reads.
  const inputs = new Map(stored.inputs.map((r) => [refKey(r), r]));
  const before = new Set(inputs.keys());
  const named = new Set(stored.inputs.map((r) => r.dataset));
  for (const d of ev.inputs) {
    const ref = { dataset: d.uri, namespace: d.namespace, name: d.name, version: inputVersionOf(d) };
    const current = inputs.get(refKey(ref));
    const facets = mergeFacets(current?.facets ?? EMPTY_FACETS, { ...d.facets, ...d.ioFacets }, ev.eventTimeMs);
    inputs.set(refKey(ref), { ...ref, facets });
    named.add(d.uri);
  }
  for (const d of ev.outputs) {
    for (const f of lineageDatasets(columnLineage(d.facets.columnLineage, datasetUri))) {
      if (named.has(f.dataset)) continue;
      named.add(f.dataset);
      const ref = { ...f, version: '' };
      if (!inputs.has(refKey(ref))) inputs.set(refKey(ref), { ...ref, facets: EMPTY_FACETS });
    }
  }
  // The union over a run's events is capped like one event's list: Run.lineageInputs is a bounded list.
  if (inputs.size > MAX_DATASETS_PER_EVENT) {
    throw new DomainError(
      ErrorCode.LIMIT_EXCEEDED,
      `run ${runId} would read ${inputs.size} datasets over its events; a run reads at most ${MAX_DATASETS_PER_EVENT}`,
      { field: 'inputs' },
    );
  }
  next.inputs = [...inputs.values()].sort((a, b) => (refKey(a) < refKey(b) ? -1 : 1));

  const isTerminal = next.terminalDigest !== null;
  const resolve = !isTerminal ? [] : becameTerminal ? next.inputs : next.inputs.filter((r) => !before.has(refKey(r)));

  const outputs: OutputVersion[] = [];
  if (becameTerminal && ev.eventType === 'COMPLETE') {
    const seen = new Set<string>();
    for (const d of ev.outputs) {
      const version = outputVersionOf(d, runId);
      const key = refKey({ dataset: d.uri, version });
      if (seen.has(key)) continue;
      seen.add(key);
      const props = datasetVersionProperties(d, datasetUri);
      outputs.push({
        dataset: d.uri,
        version,
        props,
        feeds: props.columnLineage ? lineageDatasets(props.columnLineage).map((f) => f.dataset) : null,
      });
    }
  }
  return {
    state: next,
    mapped,
    changed: canonicalJson(next) !== canonicalJson(stored),
    becameTerminal,
    resolve,
    outputs,
  };
}

/** The parts of a run's state stored as Run properties (JSON text for the structured ones). */
export function stateToProperties(s: RunState): Record<string, unknown> {
  return {
    jobNamespace: s.jobNamespace,
    jobName: s.jobName,
    status: s.status,
    olFirstMs: s.firstMs,
    olStartMs: s.startMs,
    olEndMs: s.endMs,
    olTerminalType: s.terminalType,
    olTerminalDigest: s.terminalDigest,
    olFacets: JSON.stringify(s.runFacets.values),
    olFacetStamps: JSON.stringify(s.runFacets.stamps),
    olJobFacets: JSON.stringify(s.jobFacets.values),
    olJobFacetStamps: JSON.stringify(s.jobFacets.stamps),
    olInputs: JSON.stringify(s.inputs),
    codeRepo: s.codeRepo,
    codeCommit: s.codeCommit,
    olParentRunId: s.parentRunId,
  };
}

const json = <T>(text: unknown, fallback: T): T =>
  typeof text === 'string' && text !== '' ? (JSON.parse(text) as T) : fallback;

/** The state back from a Run node's properties (a run Pedigree has not seen through OpenLineage reads as new). */
export function stateFromProperties(p: Record<string, unknown>): RunState {
  const num = (v: unknown) => (typeof v === 'number' ? v : null);
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    jobNamespace: text(p.jobNamespace),
    jobName: text(p.jobName),
    status: (text(p.status) ?? 'RUNNING') as RunStatus,
    firstMs: num(p.olFirstMs),
    startMs: num(p.olStartMs),
    endMs: num(p.olEndMs),
    terminalType: text(p.olTerminalType) as RunEventType | null,
    terminalDigest: text(p.olTerminalDigest),
    runFacets: { values: json(p.olFacets, {}), stamps: json(p.olFacetStamps, {}) },
    jobFacets: { values: json(p.olJobFacets, {}), stamps: json(p.olJobFacetStamps, {}) },
    inputs: json(p.olInputs, []),
    codeRepo: text(p.codeRepo),
    codeCommit: text(p.codeCommit),
    parentRunId: text(p.olParentRunId),
  };
}
