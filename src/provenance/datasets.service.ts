import { badInput, conflict, isConstraintViolation, notFound } from '../errors.js';
import { appendEvent, EventType } from '../events/event-log.js';
import { statement } from '../graph/cypher.js';
import type { Executor } from '../graph/executor.js';
import type { Caller } from '../governance/policy.js';
import type { DatasetVersionRecord } from './types.js';
import { requireText, unique } from './validation.js';

const Q = {
  findDatasetVersion: statement('provenance/find-dataset-version'),
  createDatasetVersion: statement('provenance/create-dataset-version'),
  getDatasetVersions: statement('provenance/get-dataset-versions'),
};

export interface RegisterDatasetVersion {
  dataset: string;
  version: string;
  hash?: string | null;
  uri?: string | null;
  rowCount?: number | null;
  derivedFrom?: string[] | null;
  sources?: string[] | null;
  transform?: string | null;
}

/**
 * Dataset versions and the raw sources they derive from: registration (one
 * write transaction ending with its event) and reads by id.
 */
export class DatasetService {
  constructor(private readonly executor: Executor) {}

  /**
   * Registers a dataset version with its derivation. Dataset versions are
   * immutable, so registering one again is answered by comparison: the same
   * hash, uri, row count, parents, raw sources and transform return the
   * existing version and write nothing (no event), anything different is
   * CONFLICT naming the fields that differ.
   */
  async registerDatasetVersion(
    caller: Pick<Caller, 'name'>,
    input: RegisterDatasetVersion,
  ): Promise<DatasetVersionRecord> {
    const dataset = requireText(input.dataset, 'dataset');
    const version = requireText(input.version, 'version');
    if (input.rowCount != null && (!Number.isSafeInteger(input.rowCount) || input.rowCount < 0)) {
      throw badInput(`rowCount must be a non-negative integer, got ${input.rowCount}`, { field: 'rowCount' });
    }
    const wanted = {
      hash: input.hash ?? null,
      uri: input.uri ?? null,
      rowCount: input.rowCount ?? null,
      derivedFrom: unique(input.derivedFrom ?? []),
      sources: unique((input.sources ?? []).map((s) => requireText(s, 'sources'))),
      transform: input.transform ?? null,
    };
    const attempt = () =>
      this.executor.writeTx(async (tx) => {
        const [existing] = await tx.run<ExistingDatasetVersion>(Q.findDatasetVersion, { dataset, version });
        if (existing) return sameDatasetVersion(existing, wanted, dataset, version);
        const [row] = await tx.run<{ datasetVersion: DatasetVersionRecord; parents: number; sources: number }>(
          Q.createDatasetVersion,
          {
            dataset,
            version,
            ...wanted,
            actor: caller.name,
          },
        );
        if (!row) throw new Error('create-dataset-version returned no row');
        if (row.parents !== wanted.derivedFrom.length) {
          throw notFound(
            `derivedFrom must name existing dataset versions; ${wanted.derivedFrom.length - row.parents} of them do not exist`,
            {
              field: 'derivedFrom',
            },
          );
        }
        const dv = row.datasetVersion;
        await appendEvent(tx, {
          type: EventType.DATASET_VERSION_REGISTERED,
          actor: caller.name,
          subjectId: dv.id,
          after: {
            dataset,
            version,
            hash: dv.hash,
            uri: dv.uri,
            derivedFrom: wanted.derivedFrom,
            sources: wanted.sources,
            transform: wanted.transform,
          },
        });
        return dv;
      }, 'registerDatasetVersion');
    try {
      return await attempt();
    } catch (err) {
      // A concurrent registration of the same (dataset, version) committed first: compare against it.
      if (isConstraintViolation(err)) return attempt();
      throw err;
    }
  }

  async datasetVersionsByIds(ids: readonly string[]): Promise<(DatasetVersionRecord | null)[]> {
    const rows = await this.executor.read<{ key: string; datasetVersion: DatasetVersionRecord | null }>(
      Q.getDatasetVersions,
      {
        keys: [...ids],
      },
    );
    return rows.map((r) => r.datasetVersion);
  }
}

interface ExistingDatasetVersion {
  datasetVersion: DatasetVersionRecord;
  derivedFrom: string[];
  sources: string[];
  transforms: (string | null)[];
}

/**
 * The existing version when a repeated registration asks for exactly what is
 * stored; otherwise CONFLICT listing each differing field (stored vs asked).
 */
function sameDatasetVersion(
  existing: ExistingDatasetVersion,
  wanted: {
    hash: string | null;
    uri: string | null;
    rowCount: number | null;
    derivedFrom: string[];
    sources: string[];
    transform: string | null;
  },
  dataset: string,
  version: string,
): DatasetVersionRecord {
  const dv = existing.datasetVersion;
  const sorted = (xs: readonly string[]) => [...xs].sort();
  const hasEdges = existing.derivedFrom.length + existing.sources.length > 0;
  const checks: [string, unknown, unknown][] = [
    ['hash', dv.hash ?? null, wanted.hash],
    ['uri', dv.uri ?? null, wanted.uri],
    ['rowCount', dv.rowCount ?? null, wanted.rowCount],
    ['derivedFrom', sorted(existing.derivedFrom), sorted(wanted.derivedFrom)],
    ['sources', sorted(existing.sources), sorted(wanted.sources)],
    ...(hasEdges
      ? ([['transform', existing.transforms[0] ?? null, wanted.transform]] as [string, unknown, unknown][])
      : []),
  ];
  const differing = checks.filter(([, a, b]) => JSON.stringify(a) !== JSON.stringify(b));
  if (differing.length === 0) return dv;
  throw conflict(
    `dataset "${dataset}" version "${version}" is already registered with different contents (${differing
      .map(
        ([field, stored, asked]) =>
          `${field}: registered ${JSON.stringify(stored)}, this request ${JSON.stringify(asked)}`,
      )
      .join('; ')}); dataset versions are immutable, so register the new contents under a new version`,
    { field: differing[0]![0], fields: differing.map(([f]) => f) },
  );
}
