import { conflict } from '../../errors.js';
import { appendEvent, EventType } from '../../events/event-log.js';
import { statement } from '../../graph/cypher.js';
import type { Executor, Tx } from '../../graph/executor.js';
import { sourceVariants } from '../../registry/version-registration.js';
import type { VersionsService } from '../../registry/versions.service.js';
import { toRun, type RunRecord, type StoredRun } from '../types.js';
import {
  parseOpenLineageBatch,
  parseOpenLineageEvent,
  type DatasetEvent,
  type JobEvent,
  type OpenLineageEvent,
  type RunEvent,
} from './event.js';
import {
  mergeFacets,
  visibleFacets,
  type ColumnLineageEntry,
  type FacetState,
  type RunFacetProperties,
} from './facets.js';
import {
  applyRunEvent,
  NEW_RUN,
  outputVersionOf,
  stateFromProperties,
  stateToProperties,
  type OutputVersion,
} from './run-state.js';
import type { Caller } from '../../governance/policy.js';

const Q = {
  openRun: statement('openlineage/open-run'),
  recordRun: statement('openlineage/record-run'),
  openJob: statement('openlineage/open-job'),
  writeJob: statement('openlineage/write-job'),
  openDataset: statement('openlineage/open-dataset'),
  writeDataset: statement('openlineage/write-dataset'),
  runsByJob: statement('openlineage/runs-by-job'),
  countRunsByJob: statement('openlineage/count-runs-by-job'),
  jobsOfRuns: statement('openlineage/jobs-of-runs'),
  parentsOfRuns: statement('openlineage/parents-of-runs'),
  producersOfVersions: statement('openlineage/producers-of-versions'),
  versionDetails: statement('openlineage/version-details'),
  runDetails: statement('openlineage/run-details'),
  getJob: statement('openlineage/get-job'),
  datasetsByNames: statement('openlineage/datasets-by-names'),
};

/** What one accepted event did. */
export interface IngestResult {
  kind: OpenLineageEvent['kind'];
  /** False when the event changed nothing (a re-delivery): nothing was written and no event appended. */
  changed: boolean;
  runId?: string;
  /** The run's status after the event (RUNNING, FINISHED, FAILED, KILLED). */
  runStatus?: string;
  /** Output dataset versions the event created. */
  outputs?: { id: string; dataset: string; version: string }[];
  /** Model versions the run was linked to as their training run. */
  linkedModelVersions?: { modelName: string; version: number }[];
  jobId?: string;
  datasetName?: string;
}

export interface JobRecord {
  id: string;
  namespace: string;
  name: string;
  facets: Record<string, unknown>;
  declaredInputs: string[];
  declaredOutputs: string[];
  createdAt: string;
}

/** What a run's OpenLineage events recorded: its facets, inputs as named, and the properties mapped from its facets. */
export interface OpenLineageRunDetails extends Omit<
  RunFacetProperties,
  'parentRunId' | 'parentJob' | 'codeRepo' | 'codeCommit'
> {
  facets: Record<string, unknown>;
  jobFacets: Record<string, unknown>;
  inputs: {
    dataset: string;
    namespace: string;
    name: string;
    version: string | null;
    facets: Record<string, unknown>;
  }[];
}

export interface DatasetVersionDetails {
  facets: Record<string, unknown> | null;
  schema: unknown[] | null;
  dataSourceName: string | null;
  dataSourceUri: string | null;
  owners: { name: string; type: string | null }[];
  qualityMetrics: Record<string, unknown> | null;
  columnLineage: (ColumnLineageEntry & {
    inputFields: (ColumnLineageEntry['inputFields'][number] & {
      resolvedId: string | null;
      resolvedKind: string | null;
    })[];
  })[];
}

interface OpenRow {
  run: Record<string, unknown>;
  created: boolean;
  job: { olFacets: string | null; olFacetStamps: string | null };
  currentParent: string | null;
  parent: { id: string; origin: string | null; jobNamespace: string | null; jobName: string | null } | null;
  existingOutputs: { dataset: string; version: string; id: string; producer: string | null }[];
  models: { id: string; modelName: string; version: number; source: string; runId: string | null }[];
}

interface RecordRow {
  outputs: { id: string; datasetName: string; version: string }[];
  derivations: { output: string; parent: string; raw: boolean; uri: string }[];
  resolved: { dataset: string; version: string; id: string; raw: boolean }[];
  captured: { runId: string; from: string; to: string; wasRaw: boolean }[];
}

const pad = (ms: number) => String(ms).padStart(15, '0');
const facetState = (values: unknown, stamps: unknown): FacetState => ({
  values: typeof values === 'string' ? (JSON.parse(values) as FacetState['values']) : {},
  stamps: typeof stamps === 'string' ? (JSON.parse(stamps) as FacetState['stamps']) : {},
});
const parse = <T>(text: unknown, fallback: T): T =>
  typeof text === 'string' && text !== '' ? (JSON.parse(text) as T) : fallback;

/**
 * OpenLineage ingestion: maps RunEvents, JobEvents and DatasetEvents onto
 * provenance — runs, jobs, dataset versions derived from their inputs, raw
 * sources — and links the model versions a run's outputs are the source of.
 * Transports (src/server/openlineage.ts) only parse, authenticate and map
 * errors; every rule is here and in the registry it calls. Each event is one
 * write transaction with its audit event; a batch is one transaction for all
 * its events, so it is recorded whole or not at all.
 */
export class OpenLineageService {
  constructor(
    private readonly executor: Executor,
    /** The registry owns a model version's training run: linking goes through it. */
    private readonly registry: Pick<VersionsService, 'linkTrainingRunIn'>,
  ) {}

  /** Validates and records one event (the body of POST /api/v1/lineage). */
  async ingest(caller: Pick<Caller, 'name'>, body: unknown): Promise<IngestResult> {
    const event = parseOpenLineageEvent(body);
    return this.executor.writeTx((tx) => this.apply(tx, caller, event), `openlineage.${event.kind}`);
  }

  /**
   * Validates every event of a batch first, then records them in order in
   * ONE transaction: a refused event (its index is in the error's `index`)
   * leaves none of the batch behind.
   */
  async ingestBatch(caller: Pick<Caller, 'name'>, body: unknown): Promise<IngestResult[]> {
    const events = parseOpenLineageBatch(body);
    return this.executor.writeTx(
      async (tx) => {
        const out: IngestResult[] = [];
        for (let i = 0; i < events.length; i++) {
          try {
            out.push(await this.apply(tx, caller, events[i]!));
          } catch (err) {
            if (err instanceof Error && 'details' in err) {
              const e = err as Error & { details: Record<string, unknown> };
              e.message = `event [${i}]: ${e.message}`;
              e.details.index = i;
            }
            throw err;
          }
        }
        return out;
      },
      'openlineage.batch',
      { alone: events.length > 16 },
    );
  }

  private apply(tx: Tx, caller: Pick<Caller, 'name'>, event: OpenLineageEvent): Promise<IngestResult> {
    switch (event.kind) {
      case 'run':
        return this.applyRun(tx, caller, event);
      case 'job':
        return this.applyJob(tx, caller, event);
      case 'dataset':
        return this.applyDataset(tx, caller, event);
    }
  }

  private async applyRun(tx: Tx, caller: Pick<Caller, 'name'>, ev: RunEvent): Promise<IngestResult> {
    const runId = ev.run.runId;
    const parentFacet = ev.run.facets.parent;
    const parentRunId =
      parentFacet && parentFacet._deleted !== true ? ((parentFacet.run as { runId: string }).runId ?? null) : null;
    const terminalComplete = ev.eventType === 'COMPLETE';
    const outputKeys = terminalComplete
      ? ev.outputs.map((d) => ({ dataset: d.uri, version: outputVersionOf(d, runId) }))
      : [];
    const [open] = await tx.run<OpenRow>(Q.openRun, {
      runId,
      actor: caller.name,
      jobNamespace: ev.job.namespace,
      jobName: ev.job.name,
      // Parameters keep one type each (never null for a string or number): Neo4j caches a plan per set of parameter
      // types.
      parentRunId: parentRunId ?? '',
      outputs: outputKeys,
      outputUris: terminalComplete ? [...new Set(ev.outputs.flatMap((d) => sourceVariants(d.uri)))] : [],
    });
    if (!open) throw new Error('open-run returned no row');
    if (!open.created && open.run.origin !== 'openlineage') {
      throw conflict(
        `run ${runId} was not recorded through OpenLineage (it was created through GraphQL or MLflow); OpenLineage events cannot change it`,
        {
          field: 'run.runId',
        },
      );
    }
    const stored = open.created ? NEW_RUN : stateFromProperties(open.run);
    const t = applyRunEvent(stored, ev);
    const s = t.state;

    // The parent run the facet names must be an OpenLineage run of the job the facet names.
    const parent =
      t.mapped.parentRunId && t.mapped.parentJob ? { id: t.mapped.parentRunId, ...t.mapped.parentJob } : null;
    if (parent && open.parent && open.parent.id === parent.id) {
      if (open.parent.origin !== 'openlineage') {
        throw conflict(
          `the parent run ${parent.id} was not recorded through OpenLineage; a run can only be the child of an OpenLineage run`,
          {
            field: 'run.facets.parent.run.runId',
          },
        );
      }
      if (
        open.parent.jobNamespace !== null &&
        (open.parent.jobNamespace !== parent.namespace || open.parent.jobName !== parent.name)
      ) {
        throw conflict(
          `the parent run ${parent.id} belongs to job ${open.parent.jobNamespace}/${open.parent.jobName}, not ${parent.namespace}/${parent.name}`,
          {
            field: 'run.facets.parent.job',
          },
        );
      }
    }
    // Linked once; every event naming it still lowers the parent's earliest time (min: order does not matter).
    const parentToLink = parent && open.currentParent !== parent.id ? parent : null;

    // Outputs are immutable dataset versions: one that exists belongs to another run (or was registered by hand).
    for (const o of open.existingOutputs) {
      if (!t.outputs.some((x) => x.dataset === o.dataset && x.version === o.version)) continue;
      throw conflict(
        `dataset "${o.dataset}" version "${o.version}" already exists (${o.producer ? `produced by run ${o.producer}` : 'registered without OpenLineage'}); dataset versions are immutable, so run ${runId} cannot produce it again`,
        { field: 'outputs' },
      );
    }
    // Model versions whose source is an output: the run becomes their training run (set once, by the registry).
    const outputUris = new Set(t.outputs.flatMap((o) => sourceVariants(o.dataset)));
    const models = open.models.filter((m) => outputUris.has(m.source) && m.runId !== runId);
    const jobFacets = mergeFacets(facetState(open.job.olFacets, open.job.olFacetStamps), ev.job.facets, ev.eventTimeMs);
    const jobChanged = JSON.stringify(jobFacets.stamps) !== (open.job.olFacetStamps ?? '{}');

    if (
      !t.changed &&
      !parentToLink &&
      !jobChanged &&
      t.outputs.length === 0 &&
      t.resolve.length === 0 &&
      models.length === 0
    ) {
      return { kind: 'run', changed: false, runId, runStatus: s.status };
    }

    const endMs = s.endMs;
    const producedKey = endMs === null ? null : `${pad(endMs)}:${runId}`;
    const [rec] = await tx.run<RecordRow>(Q.recordRun, {
      runId,
      actor: caller.name,
      props: { ...stateToProperties(s), ...mappedProperties(t.mapped), name: ev.job.name },
      startedAtMs: s.startMs ?? s.firstMs,
      endedAtMs: endMs ?? -1,
      job: {
        namespace: ev.job.namespace,
        name: ev.job.name,
        props: { olFacets: JSON.stringify(jobFacets.values), olFacetStamps: JSON.stringify(jobFacets.stamps) },
      },
      parent: parent ? { ...parent, eventTimeMs: ev.eventTimeMs } : { id: '', namespace: '', name: '', eventTimeMs: 0 },
      outputs: t.outputs.map((o) => outputRow(o, endMs!, producedKey!)),
      inputs: t.resolve.map((r) => ({ dataset: r.dataset, version: r.version })),
      maxKey: endMs === null ? '' : `${pad(endMs)};`,
      transform: `${ev.job.namespace}/${ev.job.name}`,
    });
    if (!rec) throw new Error('record-run returned no row');

    const linked: { modelName: string; version: number }[] = [];
    for (const m of models) {
      const r = await this.registry.linkTrainingRunIn(tx, caller, m.id, runId);
      if (r.linked) linked.push({ modelName: m.modelName, version: m.version });
    }

    const outputs = rec.outputs.map((o) => ({ id: o.id, dataset: o.datasetName, version: o.version }));
    if (parentToLink && !open.parent) {
      await appendEvent(tx, {
        type: EventType.RUN_CREATED,
        actor: caller.name,
        subjectId: parentToLink.id,
        after: {
          name: parentToLink.name,
          via: 'openlineage',
          job: { namespace: parentToLink.namespace, name: parentToLink.name },
          placeholder: 'named as the parent run of ' + runId,
        },
      });
    }
    const summary = {
      via: 'openlineage',
      eventType: ev.eventType,
      eventTime: ev.eventTime,
      job: { namespace: ev.job.namespace, name: ev.job.name },
      status: s.status,
      ...(parentToLink ? { parentRunId: parentToLink.id } : {}),
    };
    if (open.created && !t.becameTerminal) {
      await appendEvent(tx, {
        type: EventType.RUN_CREATED,
        actor: caller.name,
        subjectId: runId,
        after: { name: ev.job.name, codeCommit: s.codeCommit, ...summary },
      });
    } else if (t.becameTerminal) {
      if (open.created)
        await appendEvent(tx, {
          type: EventType.RUN_CREATED,
          actor: caller.name,
          subjectId: runId,
          after: { name: ev.job.name, codeCommit: s.codeCommit, ...summary, status: 'RUNNING' },
        });
      await appendEvent(tx, {
        type: EventType.RUN_FINISHED,
        actor: caller.name,
        subjectId: runId,
        before: { status: stored.status },
        after: {
          ...summary,
          inputs: rec.resolved.map((r) => ({ dataset: r.dataset, version: r.version || null, id: r.id, raw: r.raw })),
          outputs: outputs.map((o) => ({
            ...o,
            derivedFrom: rec.derivations.filter((d) => d.output === o.id && !d.raw).map((d) => d.parent),
            sources: rec.derivations.filter((d) => d.output === o.id && d.raw).map((d) => d.uri),
          })),
          ...(rec.captured.length ? { resolvedReferences: rec.captured } : {}),
        },
      });
    } else {
      await appendEvent(tx, {
        type: EventType.RUN_UPDATED,
        actor: caller.name,
        subjectId: runId,
        after: {
          ...summary,
          facets: Object.keys(ev.run.facets).sort(),
          ...(rec.resolved.length
            ? {
                inputs: rec.resolved.map((r) => ({
                  dataset: r.dataset,
                  version: r.version || null,
                  id: r.id,
                  raw: r.raw,
                })),
              }
            : {}),
        },
      });
    }
    return { kind: 'run', changed: true, runId, runStatus: s.status, outputs, linkedModelVersions: linked };
  }

  private async applyJob(tx: Tx, caller: Pick<Caller, 'name'>, ev: JobEvent): Promise<IngestResult> {
    const [row] = await tx.run<{ job: Record<string, unknown>; created: boolean }>(Q.openJob, {
      namespace: ev.job.namespace,
      name: ev.job.name,
      actor: caller.name,
    });
    const j = row!.job;
    const facets = mergeFacets(facetState(j.olFacets, j.olFacetStamps), ev.job.facets, ev.eventTimeMs);
    // Declared inputs and outputs describe the job as it is now: the latest JobEvent's lists win.
    const declared = {
      inputs: [...new Set(ev.inputs.map((d) => d.uri))].sort(),
      outputs: [...new Set(ev.outputs.map((d) => d.uri))].sort(),
    };
    const stamp = `${pad(ev.eventTimeMs)}:${ev.digest.slice(0, 16)}`;
    const newer = typeof j.olDeclaredStamp !== 'string' || j.olDeclaredStamp < stamp;
    const props: Record<string, unknown> = {
      olFacets: JSON.stringify(facets.values),
      olFacetStamps: JSON.stringify(facets.stamps),
    };
    if (newer)
      Object.assign(props, {
        olDeclaredStamp: stamp,
        declaredInputs: declared.inputs,
        declaredOutputs: declared.outputs,
      });
    const changed = row!.created || props.olFacetStamps !== (j.olFacetStamps ?? '{}') || newer;
    if (!changed) return { kind: 'job', changed: false, jobId: String(j.id) };
    await tx.run(Q.writeJob, { namespace: ev.job.namespace, name: ev.job.name, props });
    await appendEvent(tx, {
      type: EventType.JOB_RECORDED,
      actor: caller.name,
      subjectId: String(j.id),
      after: {
        via: 'openlineage',
        namespace: ev.job.namespace,
        name: ev.job.name,
        eventTime: ev.eventTime,
        facets: Object.keys(ev.job.facets).sort(),
        ...declared,
      },
    });
    return { kind: 'job', changed: true, jobId: String(j.id) };
  }

  private async applyDataset(tx: Tx, caller: Pick<Caller, 'name'>, ev: DatasetEvent): Promise<IngestResult> {
    const name = ev.dataset.uri;
    const [row] = await tx.run<{ dataset: Record<string, unknown>; created: boolean }>(Q.openDataset, { name });
    const d = row!.dataset;
    const facets = mergeFacets(facetState(d.olFacets, d.olFacetStamps), ev.dataset.facets, ev.eventTimeMs);
    const stamps = JSON.stringify(facets.stamps);
    if (!row!.created && stamps === (d.olFacetStamps ?? '{}'))
      return { kind: 'dataset', changed: false, datasetName: name };
    await tx.run(Q.writeDataset, { name, props: { olFacets: JSON.stringify(facets.values), olFacetStamps: stamps } });
    await appendEvent(tx, {
      type: EventType.DATASET_RECORDED,
      actor: caller.name,
      subjectId: String(d.id),
      after: {
        via: 'openlineage',
        dataset: name,
        eventTime: ev.eventTime,
        facets: Object.keys(ev.dataset.facets).sort(),
      },
    });
    return { kind: 'dataset', changed: true, datasetName: name };
  }

  // ------------------------------------------------------------------ reads

  /** A job's runs, newest first, `limit` of them after the cursor (startedAt ms, id). */
  async runsOfJob(
    job: { namespace: string; name: string },
    after: { startedAtMs: number; id: string } | null,
    limit: number,
  ): Promise<{ total: number; runs: (RunRecord & { startedAtMs: number })[] }> {
    const params = { namespace: job.namespace, name: job.name };
    const [rows, [count]] = await Promise.all([
      this.executor.read<{ run: Record<string, unknown>; startedAtMs: number }>(Q.runsByJob, {
        ...params,
        afterMs: after?.startedAtMs ?? null,
        afterId: after?.id ?? '',
        limit,
      }),
      this.executor.read<{ total: number }>(Q.countRunsByJob, params),
    ]);
    return {
      total: count?.total ?? 0,
      runs: rows.map((r) => ({ ...(toRunRecord(r.run) as RunRecord), startedAtMs: r.startedAtMs })),
    };
  }

  async job(namespace: string, name: string): Promise<JobRecord | null> {
    const [row] = await this.executor.read<{ job: Record<string, unknown> }>(Q.getJob, { namespace, name });
    return row ? toJob(row.job) : null;
  }

  async jobsOfRuns(runIds: readonly string[]): Promise<(JobRecord | null)[]> {
    const rows = await this.executor.read<{ job: Record<string, unknown> | null }>(Q.jobsOfRuns, { keys: [...runIds] });
    return rows.map((r) => (r.job ? toJob(r.job) : null));
  }

  async parentsOfRuns(runIds: readonly string[]): Promise<(RunRecord | null)[]> {
    const rows = await this.executor.read<{ run: Record<string, unknown> | null }>(Q.parentsOfRuns, {
      keys: [...runIds],
    });
    return rows.map((r) => (r.run ? toRunRecord(r.run) : null));
  }

  async producersOfVersions(versionIds: readonly string[]): Promise<(RunRecord | null)[]> {
    const rows = await this.executor.read<{ run: Record<string, unknown> | null }>(Q.producersOfVersions, {
      keys: [...versionIds],
    });
    return rows.map((r) => (r.run ? toRunRecord(r.run) : null));
  }

  async runDetails(runIds: readonly string[]): Promise<(OpenLineageRunDetails | null)[]> {
    const rows = await this.executor.read<{ details: Record<string, unknown> | null }>(Q.runDetails, {
      keys: [...runIds],
    });
    return rows.map(({ details: d }) => {
      if (!d) return null;
      const inputs = parse<{ dataset: string; namespace: string; name: string; version: string; facets: FacetState }[]>(
        d.olInputs,
        [],
      );
      return {
        facets: visibleFacets({ values: parse(d.olFacets, {}), stamps: {} }),
        jobFacets: visibleFacets({ values: parse(d.olJobFacets, {}), stamps: {} }),
        inputs: inputs.map((i) => ({
          dataset: i.dataset,
          namespace: i.namespace,
          name: i.name,
          version: i.version || null,
          facets: visibleFacets(i.facets),
        })),
        processingEngine: (d.processingEngine as string) ?? null,
        processingEngineVersion: (d.processingEngineVersion as string) ?? null,
        nominalStartTime: (d.nominalStartTime as string) ?? null,
        nominalEndTime: (d.nominalEndTime as string) ?? null,
        errorMessage: (d.errorMessage as string) ?? null,
        errorLanguage: (d.errorLanguage as string) ?? null,
        environmentVariableNames: (d.environmentVariableNames as string[]) ?? [],
      };
    });
  }

  async versionDetails(versionIds: readonly string[]): Promise<(DatasetVersionDetails | null)[]> {
    const rows = await this.executor.read<{
      details: Record<string, unknown> | null;
      resolved: { dataset: string; id: string; kind: string }[];
    }>(Q.versionDetails, { keys: [...versionIds] });
    return rows.map(({ details: d, resolved }) => {
      if (!d) return null;
      const target = new Map(resolved.map((r) => [r.dataset, r]));
      return {
        facets: parse(d.olFacets, null),
        schema: parse(d.olSchema, null),
        dataSourceName: (d.dataSourceName as string) ?? null,
        dataSourceUri: (d.dataSourceUri as string) ?? null,
        owners: parse(d.olOwners, []),
        qualityMetrics: parse(d.olQualityMetrics, null),
        columnLineage: parse<ColumnLineageEntry[]>(d.olColumnLineage, []).map((e) => ({
          ...e,
          inputFields: e.inputFields.map((f) => ({
            ...f,
            resolvedId: target.get(f.dataset)?.id ?? null,
            resolvedKind: target.get(f.dataset)?.kind ?? null,
          })),
        })),
      };
    });
  }

  async datasetFacets(names: readonly string[]): Promise<(Record<string, unknown> | null)[]> {
    const rows = await this.executor.read<{ facets: string | null }>(Q.datasetsByNames, { keys: [...names] });
    return rows.map((r) =>
      r.facets ? visibleFacets({ values: JSON.parse(r.facets) as FacetState['values'], stamps: {} }) : null,
    );
  }
}

function mappedProperties(m: ReturnType<typeof applyRunEvent>['mapped']): Record<string, unknown> {
  return {
    processingEngine: m.processingEngine,
    processingEngineVersion: m.processingEngineVersion,
    nominalStartTime: m.nominalStartTime,
    nominalEndTime: m.nominalEndTime,
    errorMessage: m.errorMessage,
    errorLanguage: m.errorLanguage,
    environmentVariableNames: m.environmentVariableNames,
  };
}

function outputRow(o: OutputVersion, endMs: number, producedKey: string): Record<string, unknown> {
  const p = o.props;
  const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));
  return {
    dataset: o.dataset,
    version: o.version,
    props: {
      rowCount: p.rowCount,
      olSchema: json(p.schema),
      dataSourceName: p.dataSourceName,
      dataSourceUri: p.dataSourceUri,
      olOwners: p.owners.length ? json(p.owners) : null,
      olQualityMetrics: json(p.qualityMetrics),
      olColumnLineage: json(p.columnLineage),
      olFacets: JSON.stringify(p.facets),
      olProducedAtMs: endMs,
      olProducedKey: producedKey,
      olFeedsAll: o.feeds === null,
      olFeeds: o.feeds ?? [],
    },
  };
}

function toJob(j: Record<string, unknown>): JobRecord {
  return {
    id: String(j.id),
    namespace: String(j.namespace),
    name: String(j.name),
    facets: visibleFacets({ values: parse(j.olFacets, {}), stamps: {} }),
    declaredInputs: (j.declaredInputs as string[]) ?? [],
    declaredOutputs: (j.declaredOutputs as string[]) ?? [],
    createdAt: String(j.createdAt),
  };
}

const toRunRecord = (r: Record<string, unknown>): RunRecord => toRun(r as unknown as StoredRun);
