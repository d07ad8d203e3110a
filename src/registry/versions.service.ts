import type { Config } from '../config.js';
import { conflict, DomainError, ErrorCode, isConstraintViolation, notFound } from '../errors.js';
import { appendEvent, EventType } from '../events/event-log.js';
import { statement } from '../graph/cypher.js';
import type { Executor, Tx } from '../graph/executor.js';
import { cancelPendingRequests } from '../governance/cancel-requests.js';
import type { Caller } from '../governance/policy.js';
import { protectedAliasesOf } from '../governance/promotion-rules.js';
import { allOrNothing, assertBulkSize, atItemAsync, mapConcurrently, settle } from './bulk.js';
import { computeFingerprint } from './fingerprint.js';
import type { RegistryLookup } from './lookup.js';
import { retainedUntil } from './production-retention.js';
import { PROMPT_TAG, PROMPT_TEXT_TAG } from './prompts.js';
import type { RegistryReads } from './reads.js';
import type { Tag, VersionRecord, VersionRef } from './types.js';
import { assertChecksum, assertText } from './validation.js';
import {
  VersionRegistration,
  type CreateVersionInput,
  type PreparedVersion,
  type SourceArtifacts,
} from './version-registration.js';

const Q = {
  runsByVersions: statement('provenance/runs-by-versions'),
  updateVersion: statement('registry/update-version'),
  versionDeleteBlockers: statement('registry/version-delete-blockers'),
  deleteVersion: statement('registry/delete-version'),
  attachChecksum: statement('registry/attach-checksum'),
  runForFingerprint: statement('registry/read-run-for-fingerprint'),
  readTrainingRun: statement('registry/read-training-run'),
  linkTrainingRun: statement('registry/link-training-run'),
};

/** Bulk registrations prepare (hash stored artefacts) this many inputs at once. */
const PREPARE_CONCURRENCY = 8;

/**
 * Model versions: registered (one, many, or copied), described, given a
 * checksum or a training run later, and deleted (their tags:
 * version-tags.service.ts). Every mutation is one write transaction that ends
 * by appending its event; registrations run as batches under load
 * (src/registry/version-registration.ts).
 */
export class VersionsService {
  private readonly registration: VersionRegistration;

  constructor(
    private readonly executor: Executor,
    private readonly config: Pick<Config, 'allowFileSources' | 'productionRetentionDays' | 'protectedAliases'>,
    /** Checksums and write-once seals of sources in Pedigree's artifact store. */
    artifacts: SourceArtifacts,
    private readonly lookup: RegistryLookup,
    private readonly reads: RegistryReads,
  ) {
    this.registration = new VersionRegistration(config, artifacts);
  }

  /**
   * Registers a version. Its number comes from the model's counter, raised
   * under the model's write lock in this transaction; the (modelName,
   * version) uniqueness constraint backs it. `source` and `checksum` are
   * immutable. When the source lies in Pedigree's artifact store, Pedigree
   * hashes it: a checksum given must match (else CHECKSUM_MISMATCH), none
   * given takes the computed one, and the files are sealed write-once in this
   * transaction. Under load, concurrent registrations run as one batch
   * (src/registry/version-registration.ts).
   */
  async createVersion(
    caller: Pick<Caller, 'name'>,
    input: CreateVersionInput,
    opts: { allowUnverified?: boolean } = {},
  ): Promise<VersionRecord> {
    const prepared = this.registration.prepare(caller, input, opts);
    const item = prepared instanceof Promise ? await prepared : prepared;
    const attempt = () =>
      this.executor.writeTx(
        async (tx) => settle((await this.registration.registerIn(tx, [item]))[0]!),
        'createModelVersion',
        {
          batch: { kind: this.registration.batch, item },
        },
      );
    try {
      return await attempt();
    } catch (err) {
      if (isConstraintViolation(err) && input.idempotencyKey) {
        // A concurrent request with the same key committed first: answer as its retry.
        return attempt();
      }
      throw err;
    }
  }

  /**
   * Registers versions in one transaction, all or nothing: each input is
   * what createModelVersion does (the same rules, numbering in input order,
   * idempotency per input's key, the same VERSION_CREATED event), and when
   * one fails nothing is written and the error names it (`inputs[i]`). A
   * retry with every input keyed returns the same versions and writes nothing.
   */
  async createVersions(caller: Pick<Caller, 'name'>, inputs: readonly CreateVersionInput[]): Promise<VersionRecord[]> {
    assertBulkSize(inputs.length, 'inputs', 'versions');
    // Preparing reads and hashes stored artefacts (I/O): a few inputs at a time. Every input is
    // prepared before any is refused, so the error is always the first failing input's.
    const prepared = await mapConcurrently(inputs, PREPARE_CONCURRENCY, (input, i) =>
      atItemAsync('inputs', i, async () => this.registration.prepare(caller, input)).then(
        (item) => ({ ok: true as const, item }),
        (error: unknown) => ({ ok: false as const, error }),
      ),
    );
    const refused = prepared.find((p) => !p.ok);
    if (refused) throw refused.error;
    const items: PreparedVersion[] = prepared.flatMap((p) => (p.ok ? [p.item] : []));
    if (items.length === 0) return [];
    const attempt = () =>
      this.executor.writeTx(
        async (tx) => allOrNothing('inputs', await this.registration.registerIn(tx, items)),
        'createModelVersions',
        { alone: true },
      );
    try {
      return await attempt();
    } catch (err) {
      if (isConstraintViolation(err) && inputs.some((x) => x.idempotencyKey)) return attempt();
      throw err;
    }
  }

  /**
   * Copies a version into `modelName` as its next version (MLflow's
   * copy_model_version), linked COPIED_FROM. The copy is registered like any
   * version, so nothing governed carries over and nothing is bypassed: it
   * starts in DEVELOPMENT with no aliases, its source is the original's, and
   * its checksum is computed again from Pedigree's store (a stored source whose
   * bytes no longer match their seal is refused) or, for an external source,
   * is the original's (an unverified original makes an unverified copy). Its
   * training run is the original's; `tags` and `description` are the copy's own.
   */
  async copyVersion(
    caller: Pick<Caller, 'name'>,
    from: VersionRef,
    modelName: string,
    extra: { tags?: Tag[] | null; description?: string | null },
  ): Promise<VersionRecord> {
    const src = await this.lookup.getVersion(from);
    const [training] = await this.executor.read<{ run: { id: string } | null }>(Q.runsByVersions, { keys: [src.id] });
    const tags = (extra.tags ?? []).filter((t) => t.key !== PROMPT_TAG && t.key !== PROMPT_TEXT_TAG);
    return this.createVersion(
      caller,
      {
        modelName,
        source: src.source,
        checksum: src.checksum ?? null,
        runId: training?.run?.id ?? null,
        description: extra.description ?? src.description,
        tags,
        copiedFrom: { modelName: src.modelName, version: src.version },
        promptTemplate:
          src.kind === 'PROMPT'
            ? ((await this.reads.tagsOf([src.id]))[0]!.find((t) => t.key === PROMPT_TEXT_TAG)?.value ?? null)
            : null,
      },
      // An unverified original (no checksum property) makes an unverified copy.
      { allowUnverified: src.checksum == null },
    );
  }

  private async fingerprintIn(tx: Tx, runId: string): Promise<string> {
    const [run] = await tx.run<{
      codeCommit: string | null;
      params: string | null;
      seeds: number[] | null;
      datasetHashes: string[];
    }>(Q.runForFingerprint, { runId });
    if (!run) throw notFound(`no run with id "${runId}"`, { field: 'runId' });
    return computeFingerprint({
      codeCommit: run.codeCommit,
      datasetHashes: run.datasetHashes,
      params: run.params ? (JSON.parse(run.params) as Record<string, string>) : {},
      seeds: run.seeds ?? [],
    });
  }

  /**
   * Links a version registered without a training run to the run that wrote
   * its artifact (reported later, through OpenLineage), inside the caller's
   * transaction: PRODUCED_BY, the fingerprint, and a VERSION_RUN_LINKED event.
   * The training run is set once: a version that has another one is CONFLICT,
   * and so is one promoted past STAGING (or ever in PRODUCTION), whose
   * provenance reviewers have already seen. Linking to the run it already has
   * changes nothing.
   */
  async linkTrainingRunIn(
    tx: Tx,
    caller: Pick<Caller, 'name'>,
    versionId: string,
    runId: string,
  ): Promise<{ linked: boolean; version: VersionRecord }> {
    const [row] = await tx.run<{ version: VersionRecord; runId: string | null }>(Q.readTrainingRun, { versionId });
    if (!row) throw notFound(`no model version with id ${versionId}`);
    const v = row.version;
    const name = `version ${v.version} of "${v.modelName}" (source ${v.source})`;
    if (row.runId === runId) return { linked: false, version: v };
    if (row.runId !== null) {
      throw conflict(
        `${name} was trained by run ${row.runId}; its training run is set once, so run ${runId} cannot claim to have produced it`,
        { field: 'runId' },
      );
    }
    if ((v.stage !== 'DEVELOPMENT' && v.stage !== 'STAGING') || v.everProduction) {
      throw conflict(
        `${name} is in ${v.stage} and was registered without a training run; provenance is frozen once a version is promoted past STAGING, so run ${runId} cannot be linked to it now`,
        { field: 'runId' },
      );
    }
    const fingerprint = await this.fingerprintIn(tx, runId);
    const [linked] = await tx.run<{ version: VersionRecord }>(Q.linkTrainingRun, { versionId, runId, fingerprint });
    await appendEvent(tx, {
      type: EventType.VERSION_RUN_LINKED,
      actor: caller.name,
      modelName: v.modelName,
      version: v.version,
      subjectId: v.id,
      before: { runId: null, fingerprint: v.fingerprint ?? null },
      after: { runId, fingerprint, linkedBy: 'openlineage-output' },
    });
    return { linked: true, version: linked!.version };
  }

  /** Changes a version's description; source and checksum are immutable and have no update path. */
  async updateVersion(
    caller: Pick<Caller, 'name'>,
    ref: VersionRef,
    patch: { description?: string | null },
  ): Promise<VersionRecord> {
    assertText(patch.description, 'description', 5000);
    return this.executor.writeTx(async (tx) => {
      const v = await this.lookup.requireVersion(tx, ref);
      if (patch.description === undefined) return v;
      const [row] = await tx.run<{ before: string | null; version: VersionRecord }>(Q.updateVersion, {
        versionId: v.id,
        description: patch.description ?? null,
      });
      await appendEvent(tx, {
        type: EventType.VERSION_UPDATED,
        actor: caller.name,
        modelName: v.modelName,
        version: v.version,
        subjectId: v.id,
        before: { description: row!.before },
        after: { description: row!.version.description },
      });
      return row!.version;
    }, 'updateModelVersion');
  }

  /**
   * Deletes one version. Refused (CONFLICT) while it is in CANARY or
   * PRODUCTION (leave those through the governed stage changes first), while
   * it is kept after PRODUCTION (PEDIGREE_PRODUCTION_RETENTION_DAYS, so a
   * rollback to it stays possible), while other versions derive from it or
   * predictions were served by it (lineage would break), or while a protected
   * alias points at it. Its pending promotion requests are cancelled;
   * unprotected aliases that point at it are deleted with it, each with its
   * ALIAS_DELETED event (so aliasHistory shows where they ended), then
   * VERSION_DELETED. The number is never reused.
   */
  async deleteVersion(caller: Caller, ref: VersionRef): Promise<{ version: VersionRecord; deletedAliases: string[] }> {
    const actor = caller.name;
    return this.executor.writeTx(async (tx) => {
      const v = await this.lookup.requireVersion(tx, ref);
      const [b] = await tx.run<{
        children: number;
        predictions: number;
        aliases: string[];
        protectedAliases: string[] | null;
        leftProductionAt: string | null;
      }>(Q.versionDeleteBlockers, { versionId: v.id });
      if (!b) throw conflict('the version was deleted concurrently');
      const name = `version ${v.version} of "${v.modelName}"`;
      if (v.stage === 'PRODUCTION' || v.stage === 'CANARY')
        throw conflict(`${name} is in ${v.stage}: take it out (a governed stage change) before deleting it`);
      if (v.everProduction) {
        const until = retainedUntil(this.config, b.leftProductionAt);
        if (until) {
          throw conflict(
            `${name} was in PRODUCTION and is kept ${until === 'never' ? 'for ever' : `until ${until}`} (PEDIGREE_PRODUCTION_RETENTION_DAYS), so a rollback to it stays possible`,
            { retainedUntil: until },
          );
        }
      }
      if (b.children > 0)
        throw conflict(`${b.children} version(s) derive from ${name}; deleting it would break their lineage`);
      if (b.predictions > 0)
        throw conflict(`${name} served ${b.predictions} logged prediction(s); deleting it would break their trace`);
      const guarded = b.aliases.filter((a) => protectedAliasesOf(b, this.config.protectedAliases).includes(a));
      if (guarded.length) throw conflict(`protected alias(es) ${guarded.join(', ')} point at ${name}: move them first`);
      await cancelPendingRequests(
        tx,
        caller,
        { modelId: v.model!.id, modelName: v.modelName, versionId: v.id },
        `${name} was deleted`,
      );
      await tx.run(Q.deleteVersion, { versionId: v.id });
      for (const alias of b.aliases) {
        await appendEvent(tx, {
          type: EventType.ALIAS_DELETED,
          actor,
          modelName: v.modelName,
          alias,
          version: null,
          subjectId: v.id,
          before: { version: v.version },
          after: { reason: `version ${v.version} was deleted` },
        });
      }
      await appendEvent(tx, {
        type: EventType.VERSION_DELETED,
        actor,
        modelName: v.modelName,
        version: v.version,
        subjectId: v.id,
        before: { version: v.version, source: v.source, checksum: v.checksum ?? null, stage: v.stage },
        after: { deletedAliases: b.aliases },
      });
      return { version: v, deletedAliases: b.aliases };
    }, 'deleteModelVersion');
  }

  /**
   * Attaches the checksum of a version registered unverified, once. The same
   * checksum again is a no-op; a different one is CHECKSUM_MISMATCH.
   */
  async attachChecksum(caller: Pick<Caller, 'name'>, ref: VersionRef, checksum: string): Promise<VersionRecord> {
    assertChecksum(checksum);
    return this.executor.writeTx(async (tx) => {
      const v = await this.lookup.requireVersion(tx, ref);
      if (v.checksum) {
        if (v.checksum === checksum) return v;
        throw new DomainError(
          ErrorCode.CHECKSUM_MISMATCH,
          `version ${v.version} of "${v.modelName}" already has checksum ${v.checksum}; it cannot change`,
          { field: 'checksum' },
        );
      }
      const [row] = await tx.run<{ previous: string | null; version: VersionRecord }>(Q.attachChecksum, {
        versionId: v.id,
        checksum,
      });
      if (row!.previous) throw conflict('a checksum was attached concurrently; read the version again');
      await appendEvent(tx, {
        type: EventType.VERSION_CHECKSUM_ATTACHED,
        actor: caller.name,
        modelName: v.modelName,
        version: v.version,
        subjectId: v.id,
        before: { checksum: null },
        after: { checksum },
      });
      return row!.version;
    }, 'attachModelVersionChecksum');
  }
}
