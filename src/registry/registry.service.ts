import type { StoredSource } from '../artifacts/artifact-seals.js';
import type { Config } from '../config.js';
import { badInput, conflict, DomainError, ErrorCode, notFound } from '../errors.js';
import { appendEvent, EventType } from '../events/event-log.js';
import { statement } from '../graph/cypher.js';
import type { Executor, Outcome, Tx } from '../graph/executor.js';
import { computeFingerprint } from './fingerprint.js';
import { cancelPendingRequests } from '../governance/cancel-requests.js';
import { CLOSED_GUARD, type GovernanceGuard } from '../governance/guard.js';
import type { Caller } from '../governance/policy.js';
import { protectedAliasesOf } from '../governance/promotion-rules.js';
import { hasRole, Role } from '../governance/roles.js';
import { findIdempotent, inputHash, recordIdempotent } from './idempotency.js';
import { aliasMoved, AliasMoves, tooManyAliases } from './alias-moves.js';
import { checkRef, requireResolved, resolveRefsIn } from './refs.js';
import { VersionRegistration, type PreparedVersion } from './version-registration.js';
import { tooManyTags, versionTagSet, VersionTags, type VersionTagChange } from './version-tags.js';
import { VersionSearch, type VersionFilter, type VersionOrder, type VersionSearchResult } from './version-search.js';
import type { ModelKind, ModelRecord, Tag, VersionRecord, VersionRef, AliasMove, Metric, Stage } from './types.js';
import type { AliasViewSource } from './view/alias-view.runtime.js';
import type { ViewAnswer } from './view/alias-view.js';
import { MODEL_KINDS, STAGES } from './types.js';
import {
  assertAliasName,
  assertChecksum,
  assertModelName,
  assertTag,
  assertTags,
  assertText,
  assertVersionNumber,
  LATEST,
  MAX_ALIASES,
  MAX_TAGS,
  MAX_TEACHERS,
  MAX_VERSION_METRICS,
  type Bump,
} from './validation.js';

export { sourceVariants } from './version-registration.js';
export type { VersionFilter, VersionOrder } from './version-search.js';

const Q = {
  createModel: statement('registry/create-model'),
  latestPerStage: statement('registry/latest-versions-per-stage'),
  runsByVersions: statement('provenance/runs-by-versions'),
  modelsByNames: statement('registry/models-by-names'),
  listModels: statement('registry/list-models'),
  updateModel: statement('registry/update-model'),
  deleteBlockers: statement('registry/model-delete-blockers'),
  deleteModel: statement('registry/delete-model'),
  setModelTag: statement('registry/set-model-tag'),
  deleteModelTag: statement('registry/delete-model-tag'),
  setVersionTag: statement('registry/set-version-tag'),
  updateVersion: statement('registry/update-version'),
  deleteVersionTag: statement('registry/delete-version-tag'),
  runForFingerprint: statement('registry/read-run-for-fingerprint'),
  versionByStage: statement('registry/version-by-stage'),
  versionsByIds: statement('registry/versions-by-ids'),
  latestByModels: statement('registry/latest-versions-by-models'),
  versionPages: statement('registry/versions-pages-by-models'),
  tagsByOwners: statement('registry/tags-by-owner-ids'),
  metricsByVersions: statement('registry/metrics-by-versions'),
  aliasesByModels: statement('registry/aliases-by-models'),
  aliasNamesByVersions: statement('registry/alias-names-by-versions'),
  parentsByVersions: statement('registry/parents-by-versions'),
  setAlias: statement('registry/set-alias'),
  deleteAlias: statement('registry/delete-alias'),
  renameModel: statement('registry/rename-model'),
  versionDeleteBlockers: statement('registry/version-delete-blockers'),
  deleteVersion: statement('registry/delete-version'),
  attachChecksum: statement('registry/attach-checksum'),
  versionWithModel: statement('registry/version-with-model'),
  recordRename: statement('registry/record-rename'),
  readTrainingRun: statement('registry/read-training-run'),
  linkTrainingRun: statement('registry/link-training-run'),
};

export interface CreateModelInput {
  name: string;
  description?: string | null;
  owner?: string | null;
  tags?: Tag[] | null;
  /** MODEL (default) or PROMPT: fixed at creation (see ModelKind). */
  kind?: ModelKind | null;
  idempotencyKey?: string | null;
}

export interface CreateVersionInput {
  modelName: string;
  source: string;
  /** Required, unless the caller registers the version as unverified (null until attachChecksum). */
  checksum: string | null;
  runId?: string | null;
  bump?: Bump | null;
  framework?: string | null;
  description?: string | null;
  tags?: Tag[] | null;
  metrics?: { key: string; value: number; segment?: string | null }[] | null;
  baseModel?: VersionRef | null;
  teachers?: VersionRef[] | null;
  baseProviderModelId?: string | null;
  teacherProviderModelIds?: string[] | null;
  /** Prompt versions this version uses (USES_PROMPT edges): versions of PROMPT models. */
  promptVersions?: VersionRef[] | null;
  /** The version this one is a copy of (COPIED_FROM): MLflow's copy_model_version. */
  copiedFrom?: VersionRef | null;
  /**
   * A prompt version's template: the version's content. Its checksum is the
   * template's sha256 and its source MLflow's prompt placeholder; only a
   * PROMPT model takes one, and a PROMPT model takes nothing else.
   */
  promptTemplate?: string | null;
  idempotencyKey?: string | null;
}

export interface ModelFilter {
  nameContains?: string | null;
  kind?: ModelKind | null;
  owner?: string | null;
  tag?: { key: string; value?: string | null } | null;
}

/** A version's model-version parents: bases, teachers, the prompt versions it uses, the version it copies. */
export interface VersionParents {
  bases: VersionRecord[];
  teachers: VersionRecord[];
  prompts: VersionRecord[];
  copiedFrom: VersionRecord[];
}

/**
 * What registering needs from the artifact store's rules
 * (src/artifacts/artifact-seals.ts): a source's files in Pedigree's store,
 * hashed, and sealing them in the registering transaction. Every transport
 * registers through createVersion, so every one gets the same checksum and
 * the same write-once seal.
 */
export interface SourceArtifacts {
  /** Synchronous: an external source is registered without waiting a tick (write order stays call order). */
  mayLieInStore(source: string): boolean;
  inspectSource(source: string): Promise<StoredSource | null>;
  sealIn(tx: Tx, stored: StoredSource, versionId: string): Promise<void>;
}

/** Keys of one page of results: forward keyset pagination. */
export interface PageRequest {
  first: number;
  after: unknown[] | null;
}

/**
 * Registered models, versions, tags and aliases: the registry's rules. Every
 * mutation is one write transaction that ends by appending its event.
 */
export class RegistryService {
  private readonly registration: VersionRegistration;
  private readonly aliasMoves: AliasMoves;
  private readonly versionTags = new VersionTags();
  private readonly versionSearch: VersionSearch;

  constructor(
    private readonly executor: Executor,
    private readonly config: Pick<Config, 'allowFileSources' | 'productionRetentionDays' | 'protectedAliases'>,
    /** Checksums and write-once seals of sources in Pedigree's artifact store. */
    artifacts: SourceArtifacts,
    /** Governance's rules for direct changes of governed targets; without one, every governed target is refused. */
    readonly guard: GovernanceGuard = CLOSED_GUARD,
    /**
     * The alias view (src/registry/view): alias, `latest`, stage and number
     * lookups answer from memory when it holds the answer, else from Neo4j.
     */
    private readonly view: AliasViewSource | null = null,
  ) {
    this.registration = new VersionRegistration(config, artifacts);
    this.aliasMoves = new AliasMoves(guard);
    this.versionSearch = new VersionSearch(executor);
  }

  // ------------------------------------------------------------ models

  async createModel(input: CreateModelInput, actor: string): Promise<ModelRecord> {
    assertModelName(input.name);
    if (input.kind != null && !(MODEL_KINDS as readonly string[]).includes(input.kind))
      throw badInput(`kind must be one of ${MODEL_KINDS.join(', ')}`, { field: 'kind' });
    assertText(input.description, 'description', 5000);
    assertText(input.owner, 'owner', 256);
    assertTags(input.tags);
    // A prompt carries MLflow's prompt tag, whichever transport created it: MLflow's clients find prompts by it.
    if (input.kind === 'PROMPT' && !(input.tags ?? []).some((t) => t.key === PROMPT_TAG))
      input = { ...input, tags: [...(input.tags ?? []), { key: PROMPT_TAG, value: 'true' }] };
    if (input.kind !== 'PROMPT' && (input.tags ?? []).some((t) => t.key === PROMPT_TAG))
      throw badInput(`the tag ${PROMPT_TAG} marks a prompt: create the model with kind PROMPT`, { field: 'tags' });
    const hash = inputHash(input as unknown as Record<string, unknown>);
    try {
      return await this.executor.writeTx(async (tx) => {
        if (input.idempotencyKey) {
          const prior = await findIdempotent(tx, 'createRegisteredModel', actor, input.idempotencyKey, hash);
          if (prior) return this.sameModel((await this.modelsIn(tx, [input.name]))[0], prior, input.name);
        }
        const [row] = await tx.run<{ model: ModelRecord }>(Q.createModel, {
          name: input.name,
          description: input.description ?? null,
          owner: input.owner ?? null,
          tags: input.tags ?? [],
          protectedAliases: this.config.protectedAliases,
          kind: input.kind ?? 'MODEL',
        });
        const model = row!.model;
        if (input.idempotencyKey)
          await recordIdempotent(tx, 'createRegisteredModel', actor, input.idempotencyKey, hash, model.id);
        await appendEvent(tx, {
          type: EventType.MODEL_CREATED,
          actor,
          modelName: model.name,
          subjectId: model.id,
          after: {
            name: model.name,
            description: model.description,
            owner: model.owner,
            tags: input.tags ?? [],
            ...(model.kind === 'PROMPT' ? { kind: 'PROMPT' } : {}),
          },
        });
        return model;
      }, 'createRegisteredModel');
    } catch (err) {
      if (isConstraint(err)) {
        // Either the name is taken, or a concurrent retry with the same key won: answer as a retry would.
        if (input.idempotencyKey) {
          const again = await this.executor.readTx(async (tx) => {
            const prior = await findIdempotent(tx, 'createRegisteredModel', actor, input.idempotencyKey!, hash);
            return prior ? this.sameModel((await this.modelsIn(tx, [input.name]))[0], prior, input.name) : null;
          }, 'createRegisteredModel.retry');
          if (again) return again;
        }
        throw conflict(`a registered model named "${input.name}" already exists`, { field: 'name' });
      }
      throw err;
    }
  }

  private gone(name: string): never {
    throw conflict(`the model "${name}" created under this idempotency key has since been deleted`);
  }

  /** The model a replay answers with: the one the key recorded, by id (a re-created namesake is not it). */
  private sameModel(model: ModelRecord | null | undefined, resultId: string, name: string): ModelRecord {
    if (model?.id === resultId) return model;
    throw conflict(`the model "${name}" created under this idempotency key has since been deleted or renamed`);
  }

  async updateModel(
    name: string,
    patch: { description?: string | null; owner?: string | null },
    actor: string,
  ): Promise<ModelRecord> {
    assertText(patch.description, 'description', 5000);
    assertText(patch.owner, 'owner', 256);
    return this.executor.writeTx(async (tx) => {
      const [row] = await tx.run<{ before: unknown; model: ModelRecord }>(Q.updateModel, {
        name,
        setDescription: patch.description !== undefined,
        description: patch.description ?? null,
        setOwner: patch.owner !== undefined,
        owner: patch.owner ?? null,
      });
      if (!row) throw notFound(`no registered model named "${name}"`);
      await appendEvent(tx, {
        type: EventType.MODEL_UPDATED,
        actor,
        modelName: name,
        subjectId: row.model.id,
        before: row.before,
        after: { description: row.model.description, owner: row.model.owner },
      });
      return row.model;
    }, 'updateRegisteredModel');
  }

  /**
   * Deletes a model with its versions and aliases. Each version's own
   * protections apply (see {@link deleteVersion}): refused with CONFLICT while
   * a version is in CANARY or PRODUCTION or kept after PRODUCTION, served
   * logged predictions, or has versions of other models derived from it, and
   * while any alias exists. An ADMIN may `force` it (documented: the traces of
   * its predictions then end at NOT_FOUND). Its pending promotion requests are
   * cancelled, each with a PROMOTION_CANCELLED event.
   */
  async deleteModel(
    caller: Caller,
    name: string,
    opts: { force: boolean },
  ): Promise<{ name: string; versions: number }> {
    if (opts.force && !hasRole(caller.role, Role.ADMIN))
      throw new DomainError(ErrorCode.FORBIDDEN, 'only an admin may force the deletion of a model');
    return this.executor.writeTx(async (tx) => {
      const [b] = await tx.run<{
        id: string;
        governedVersions: number;
        retained: { version: number; leftProductionAt: string | null }[];
        predictions: number;
        children: number;
        aliases: number;
        versions: number;
      }>(Q.deleteBlockers, { name });
      if (!b) throw notFound(`no registered model named "${name}"`);
      const retained = b.retained.filter((r) => this.retainedUntil(r.leftProductionAt) !== null);
      const blockers = [
        ...(b.governedVersions ? [`${b.governedVersions} version(s) in CANARY or PRODUCTION`] : []),
        ...(retained.length
          ? [
              `version(s) ${retained.map((r) => r.version).join(', ')} were in PRODUCTION and are kept for ${this.config.productionRetentionDays || 'ever'}${this.config.productionRetentionDays ? ' days' : ''} after leaving it`,
            ]
          : []),
        ...(b.predictions
          ? [`${b.predictions} logged prediction(s) served by its versions (their traces would break)`]
          : []),
        ...(b.children ? [`${b.children} version(s) of other models derived from its versions`] : []),
        ...(b.aliases ? [`${b.aliases} alias(es)`] : []),
      ];
      if (!opts.force && blockers.length) {
        throw conflict(
          `model "${name}" has ${blockers.join('; ')}: resolve them first, or have an admin pass force: true`,
          { blockers },
        );
      }
      await cancelPendingRequests(tx, caller, { modelId: b.id, modelName: name }, `model "${name}" was deleted`);
      const [row] = await tx.run<{ versions: number }>(Q.deleteModel, { name });
      await appendEvent(tx, {
        type: EventType.MODEL_DELETED,
        actor: caller.name,
        modelName: name,
        subjectId: b.id,
        before: { versions: b.versions, aliases: b.aliases },
        after: { forced: opts.force, ...(opts.force && blockers.length ? { overrode: blockers } : {}) },
      });
      return { name, versions: row?.versions ?? 0 };
    }, 'deleteRegisteredModel');
  }

  /**
   * When a version that left PRODUCTION at `leftAt` may be deleted: null when
   * it may be now, else the ISO instant (or 'never' with retention 0).
   */
  private retainedUntil(leftAt: string | null): string | null {
    const days = this.config.productionRetentionDays;
    if (days === 0) return 'never';
    const until = Date.parse(leftAt ?? '') + days * 86_400_000;
    if (!Number.isFinite(until)) return 'never';
    return until > Date.now() ? new Date(until).toISOString() : null;
  }

  async getModel(name: string): Promise<ModelRecord | null> {
    return (await this.modelsByNames([name]))[0] ?? null;
  }

  async modelsByNames(names: readonly string[]): Promise<(ModelRecord | null)[]> {
    return this.executor.readTx((tx) => this.modelsIn(tx, names), 'modelsByNames');
  }

  /** Models by name in the caller's transaction, in order (null where none has the name). */
  async modelsIn(tx: Tx, names: readonly string[]): Promise<(ModelRecord | null)[]> {
    const rows = await tx.run<{ model: ModelRecord | null }>(Q.modelsByNames, { keys: names });
    return rows.map((r) => r.model);
  }

  async listModels(filter: ModelFilter, page: PageRequest): Promise<{ total: number; models: ModelRecord[] }> {
    if (filter.tag) assertTag(filter.tag.key, filter.tag.value ?? null);
    const afterName = page.after ? String(page.after[0]) : null;
    const [row] = await this.executor.read<{ total: number; models: ModelRecord[] }>(Q.listModels, {
      nameContains: filter.nameContains ?? null,
      owner: filter.owner ?? null,
      tagKey: filter.tag?.key ?? null,
      tagValue: filter.tag?.value ?? null,
      kind: filter.kind ?? null,
      afterName,
      limit: page.first + 1,
    });
    return row!;
  }

  // ------------------------------------------------------------ tags

  async setModelTag(modelName: string, key: string, value: string, actor: string): Promise<ModelRecord> {
    assertTag(key, value);
    assertNotFixedTag(key);
    return this.executor.writeTx(async (tx) => {
      const [row] = await tx.run<{ model: ModelRecord; previous: string | null; full: boolean }>(Q.setModelTag, {
        modelName,
        key,
        value,
        maxTags: MAX_TAGS,
      });
      if (!row) throw notFound(`no registered model named "${modelName}"`);
      if (row.full) throw tooManyTags();
      await appendEvent(tx, {
        type: EventType.MODEL_TAG_SET,
        actor,
        modelName,
        subjectId: row.model.id,
        before: row.previous === null ? null : { [key]: row.previous },
        after: { [key]: value },
      });
      return row.model;
    }, 'setRegisteredModelTag');
  }

  async deleteModelTag(modelName: string, key: string, actor: string): Promise<ModelRecord> {
    assertTag(key, null);
    assertNotFixedTag(key);
    return this.executor.writeTx(async (tx) => {
      const [row] = await tx.run<{ model: ModelRecord; previous: string }>(Q.deleteModelTag, { modelName, key });
      if (!row) {
        if (!(await this.modelsIn(tx, [modelName]))[0]) throw notFound(`no registered model named "${modelName}"`);
        throw notFound(`model "${modelName}" has no tag "${key}"`);
      }
      await appendEvent(tx, {
        type: EventType.MODEL_TAG_DELETED,
        actor,
        modelName,
        subjectId: row.model.id,
        before: { [key]: row.previous },
      });
      return row.model;
    }, 'deleteRegisteredModelTag');
  }

  /** Changes a version's description; source and checksum are immutable and have no update path. */
  async updateVersion(ref: VersionRef, patch: { description?: string | null }, actor: string): Promise<VersionRecord> {
    assertText(patch.description, 'description', 5000);
    return this.executor.writeTx(async (tx) => {
      const v = await this.requireVersion(tx, ref);
      if (patch.description === undefined) return v;
      const [row] = await tx.run<{ before: string | null; version: VersionRecord }>(Q.updateVersion, {
        versionId: v.id,
        description: patch.description ?? null,
      });
      await appendEvent(tx, {
        type: EventType.VERSION_UPDATED,
        actor,
        modelName: v.modelName,
        version: v.version,
        subjectId: v.id,
        before: { description: row!.before },
        after: { description: row!.version.description },
      });
      return row!.version;
    }, 'updateModelVersion');
  }

  async setVersionTag(ref: VersionRef, key: string, value: string, actor: string): Promise<VersionRecord> {
    assertTag(key, value);
    assertNotFixedTag(key);
    // The ref's shape before the write queues: a malformed one is refused here, not inside a batch.
    checkRef(ref);
    const change: VersionTagChange = { ref, key, value, actor };
    return this.executor.writeTx(
      async (tx) => {
        const v = await this.requireVersion(tx, ref);
        const [row] = await tx.run<{ version: VersionRecord; previous: string | null; full: boolean }>(
          Q.setVersionTag,
          { versionId: v.id, key, value, maxTags: MAX_TAGS },
        );
        if (row!.full) throw tooManyTags();
        await appendEvent(tx, versionTagSet(actor, v, key, value, row!.previous));
        return row!.version;
      },
      'setModelVersionTag',
      { batch: { kind: this.versionTags.batch, item: change } },
    );
  }

  /**
   * Sets tags on versions (several on one version, or across versions) in one
   * transaction, all or nothing: each change is what setModelVersionTag does
   * (the same rules, the same VERSION_TAG_SET event), and when one fails
   * nothing is written and the error names it (`tags[i]`). Setting a tag to
   * the value it has is harmless to repeat.
   */
  async setVersionTags(
    changes: readonly { ref: VersionRef; key: string; value: string }[],
    actor: string,
  ): Promise<VersionRecord[]> {
    if (changes.length > MAX_BULK)
      throw badInput(`at most ${MAX_BULK} tag changes per call; got ${changes.length}`, {
        field: 'tags',
        limit: MAX_BULK,
      });
    changes.forEach((c, i) =>
      atItem('tags', i, () => {
        assertTag(c.key, c.value);
        assertNotFixedTag(c.key);
        checkRef(c.ref);
      }),
    );
    if (changes.length === 0) return [];
    return this.executor.writeTx(
      async (tx) =>
        allOrNothing(
          'tags',
          await this.versionTags.setIn(
            tx,
            changes.map((c) => ({ ...c, actor })),
          ),
        ),
      'setModelVersionTags',
      {
        alone: true,
      },
    );
  }

  async deleteVersionTag(ref: VersionRef, key: string, actor: string): Promise<VersionRecord> {
    assertTag(key, null);
    assertNotFixedTag(key);
    return this.executor.writeTx(async (tx) => {
      const v = await this.requireVersion(tx, ref);
      const [row] = await tx.run<{ version: VersionRecord; previous: string }>(Q.deleteVersionTag, {
        versionId: v.id,
        key,
      });
      if (!row) throw notFound(`version ${v.version} of "${v.modelName}" has no tag "${key}"`);
      await appendEvent(tx, {
        type: EventType.VERSION_TAG_DELETED,
        actor,
        modelName: v.modelName,
        version: v.version,
        subjectId: v.id,
        before: { [key]: row.previous },
      });
      return row.version;
    }, 'deleteModelVersionTag');
  }

  // ------------------------------------------------------------ versions

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
    input: CreateVersionInput,
    actor: string,
    opts: { allowUnverified?: boolean } = {},
  ): Promise<VersionRecord> {
    const prepared = this.registration.prepare(input, actor, opts);
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
      if (isConstraint(err) && input.idempotencyKey) {
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
  async createVersions(inputs: readonly CreateVersionInput[], actor: string): Promise<VersionRecord[]> {
    if (inputs.length > MAX_BULK)
      throw badInput(`at most ${MAX_BULK} versions per call; got ${inputs.length}`, {
        field: 'inputs',
        limit: MAX_BULK,
      });
    // Preparing reads and hashes stored artefacts (I/O): a few inputs at a time. Every input is
    // prepared before any is refused, so the error is always the first failing input's.
    const prepared = await mapConcurrently(inputs, PREPARE_CONCURRENCY, (input, i) =>
      atItemAsync('inputs', i, async () => this.registration.prepare(input, actor)).then(
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
      if (isConstraint(err) && inputs.some((x) => x.idempotencyKey)) return attempt();
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
    from: VersionRef,
    modelName: string,
    extra: { tags?: Tag[] | null; description?: string | null },
    actor: string,
  ): Promise<VersionRecord> {
    const src = await this.getVersion(from);
    const [training] = await this.executor.read<{ run: { id: string } | null }>(Q.runsByVersions, { keys: [src.id] });
    const tags = (extra.tags ?? []).filter((t) => t.key !== PROMPT_TAG && t.key !== PROMPT_TEXT_TAG);
    return this.createVersion(
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
            ? ((await this.tagsOf([src.id]))[0]!.find((t) => t.key === PROMPT_TEXT_TAG)?.value ?? null)
            : null,
      },
      actor,
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
    versionId: string,
    runId: string,
    actor: string,
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
      actor,
      modelName: v.modelName,
      version: v.version,
      subjectId: v.id,
      before: { runId: null, fingerprint: v.fingerprint ?? null },
      after: { runId, fingerprint, linkedBy: 'openlineage-output' },
    });
    return { linked: true, version: linked!.version };
  }

  async versionsByIds(ids: readonly string[]): Promise<(VersionRecord | null)[]> {
    return this.executor.readTx((tx) => this.versionsIn(tx, ids), 'versionsByIds');
  }

  private async versionsIn(tx: Tx, ids: readonly string[]): Promise<(VersionRecord | null)[]> {
    return (await tx.run<{ version: VersionRecord | null }>(Q.versionsByIds, { keys: ids })).map((r) => r.version);
  }

  /** Resolves refs in one round trip; each result carries its model when the model exists. */
  async resolve(refs: VersionRef[]): Promise<{ model: ModelRecord | null; version: VersionRecord | null }[]> {
    // The hot read (which version is behind an alias) comes through here: one auto-commit statement.
    return resolveRefsIn({ run: (name, params) => this.executor.read(name, params) }, refs);
  }

  /** The version a ref names, or NOT_FOUND saying whether the model, version or alias is missing. */
  async getVersion(ref: VersionRef): Promise<VersionRecord> {
    return requireResolved(ref, await this.lookup(ref));
  }

  /** Like getVersion, but null when absent (queries answer null, mutations NOT_FOUND). */
  async findVersion(ref: VersionRef): Promise<VersionRecord | null> {
    const r = await this.lookup(ref);
    if (!r.model) return null;
    return r.version;
  }

  /**
   * The serving read: a version by alias (`latest` included) or number, with
   * its model, from the alias view when it holds the answer (no round trip),
   * else in one statement. A version looked up by number that the view does
   * not hold is fetched into its cache in the background, for the next time.
   */
  private async lookup(ref: VersionRef): Promise<{ model: ModelRecord | null; version: VersionRecord | null }> {
    checkRef(ref);
    const hit = this.fromView((view) =>
      ref.version != null ? view.byNumber(ref.modelName, ref.version) : view.byAlias(ref.modelName, ref.alias!),
    );
    if (hit) return hit;
    if (ref.version != null) this.view?.want(ref.modelName, ref.version);
    const [r] = await this.resolve([ref]);
    return r!;
  }

  /** The view's answer, or null when it cannot give one (not built, or it does not hold what the answer needs). */
  private fromView(
    ask: (view: NonNullable<ReturnType<AliasViewSource['current']>>) => ViewAnswer,
  ): { model: ModelRecord | null; version: VersionRecord | null } | null {
    // Read-your-writes on this process: the view answers once it has applied this process's last write.
    const view = this.view?.current(this.executor.lastSequence);
    if (!view) return null;
    const answer = ask(view);
    this.view!.lookups[answer.hit ? 'hit' : 'miss']++;
    return answer.hit ? { model: answer.model, version: answer.version } : null;
  }

  /** A version node by id in the caller's transaction, with its model; null when it does not exist. */
  async versionById(tx: Tx, id: string): Promise<VersionRecord | null> {
    const [row] = await tx.run<{ model: ModelRecord | null; version: VersionRecord | null }>(Q.versionWithModel, {
      versionId: id,
    });
    return row?.version ? { ...row.version, ...(row.model ? { model: row.model } : {}) } : null;
  }

  /** Like versionById, NOT_FOUND when the version node is gone. */
  async requireVersionById(tx: Tx, id: string): Promise<VersionRecord> {
    const v = await this.versionById(tx, id);
    if (!v) throw notFound(`no model version has id "${id}"`);
    return v;
  }

  async requireVersion(tx: Tx, ref: VersionRef): Promise<VersionRecord> {
    return (await this.requireVersions(tx, [ref]))[0]!;
  }

  /** Several refs in one statement, in order; NOT_FOUND names the first that does not resolve. */
  async requireVersions(tx: Tx, refs: readonly VersionRef[]): Promise<VersionRecord[]> {
    const rows = await resolveRefsIn(tx, refs);
    return rows.map((r, i) => requireResolved(refs[i]!, r));
  }

  /**
   * Resolves a model URI: models:/NAME/VERSION, models:/NAME@ALIAS (incl.
   * @latest), models:/NAME/STAGE (the newest version in that stage).
   */
  async resolveUri(uri: string): Promise<VersionRecord | null> {
    const parsed = parseModelUri(uri);
    if (parsed.kind === 'stage') {
      const hit = this.fromView((view) => view.byStage(parsed.modelName, parsed.stage));
      if (hit) return hit.model ? hit.version : null;
      const [row] = await this.executor.read<{ model: ModelRecord | null; version: VersionRecord | null }>(
        Q.versionByStage,
        { modelName: parsed.modelName, stage: parsed.stage },
      );
      return row?.version ? { ...row.version, ...(row.model ? { model: row.model } : {}) } : null;
    }
    return this.findVersion(parsed.ref);
  }

  async latestVersions(modelNames: readonly string[]): Promise<(VersionRecord | null)[]> {
    return (await this.executor.read<{ version: VersionRecord | null }>(Q.latestByModels, { keys: modelNames })).map(
      (r) => r.version,
    );
  }

  async versionPages(
    keys: readonly { modelName: string; afterVersion: number | null }[],
    limit: number,
  ): Promise<{ total: number; versions: VersionRecord[] }[]> {
    return this.executor.read<{ total: number; versions: VersionRecord[] }>(Q.versionPages, { keys, limit });
  }

  /** Each model's newest version in each MLflow stage (CANARY as Staging), newest first: MLflow's latest_versions. */
  async latestPerStage(modelNames: readonly string[]): Promise<VersionRecord[][]> {
    const rows = await this.executor.read<{ versions: VersionRecord[] }>(Q.latestPerStage, { keys: modelNames });
    return rows.map((r) => r.versions);
  }

  async tagsOf(ownerIds: readonly string[]): Promise<Tag[][]> {
    return (await this.executor.read<{ tags: Tag[] }>(Q.tagsByOwners, { keys: ownerIds, maxTags: MAX_TAGS })).map(
      (r) => r.tags,
    );
  }

  async metricsOf(versionIds: readonly string[]): Promise<Metric[][]> {
    return (
      await this.executor.read<{ metrics: Metric[] }>(Q.metricsByVersions, {
        keys: versionIds,
        maxMetrics: MAX_VERSION_METRICS,
      })
    ).map((r) => r.metrics);
  }

  async aliasesOfModels(modelNames: readonly string[]): Promise<{ alias: string; version: VersionRecord }[][]> {
    return (
      await this.executor.read<{ aliases: { alias: string; version: VersionRecord }[] }>(Q.aliasesByModels, {
        keys: modelNames,
        maxAliases: MAX_ALIASES,
      })
    ).map((r) => r.aliases);
  }

  async aliasNamesOfVersions(versionIds: readonly string[]): Promise<string[][]> {
    return (
      await this.executor.read<{ aliases: string[] }>(Q.aliasNamesByVersions, {
        keys: versionIds,
        maxAliases: MAX_ALIASES,
      })
    ).map((r) => r.aliases);
  }

  async parentsOfVersions(versionIds: readonly string[]): Promise<VersionParents[]> {
    return this.executor.read<VersionParents>(Q.parentsByVersions, { keys: versionIds, maxTeachers: MAX_TEACHERS });
  }

  /**
   * Versions across models, filtered, ordered and paged (keyset); the count of
   * matches only `withTotal`, up to SEARCH_COUNT_CAP (src/registry/version-search.ts).
   */
  searchVersions(
    filter: VersionFilter,
    orderBy: VersionOrder[],
    page: PageRequest,
    options: { withTotal: boolean },
  ): Promise<VersionSearchResult> {
    return this.versionSearch.search(filter, orderBy, page, options);
  }

  /**
   * Renames a model; its versions and aliases follow. Governed (see
   * GovernanceGuard.rename): a model with protected aliases, CANARY or
   * PRODUCTION versions or pending promotion requests is renamed only by an
   * owner or an ADMIN. Its pending promotion requests are cancelled (each with
   * a PROMOTION_CANCELLED event). Past events keep the old name (the audit log
   * is history); MODEL_RENAMED links the two.
   */
  async renameModel(caller: Caller, name: string, newName: string): Promise<ModelRecord> {
    assertModelName(name);
    assertModelName(newName, 'newName');
    if (name === newName) throw badInput('newName is the current name', { field: 'newName' });
    try {
      return await this.executor.writeTx(async (tx) => {
        const [model] = await this.modelsIn(tx, [name]);
        if (!model) throw notFound(`no registered model named "${name}"`);
        await this.guard.rename(tx, caller, model);
        await cancelPendingRequests(
          tx,
          caller,
          { modelId: model.id, modelName: name },
          `model "${name}" was renamed to "${newName}"`,
        );
        const [row] = await tx.run<{ model: ModelRecord; versions: number; aliases: number }>(Q.renameModel, {
          name,
          newName,
        });
        if (!row) throw notFound(`no registered model named "${name}"`);
        const ev = await appendEvent(tx, {
          type: EventType.MODEL_RENAMED,
          actor: caller.name,
          modelName: newName,
          subjectId: row.model.id,
          before: { name },
          after: { name: newName, versions: row.versions, aliases: row.aliases },
        });
        await tx.run(Q.recordRename, { modelId: row.model.id, name, sequence: ev.sequence });
        return row.model;
      }, 'renameRegisteredModel');
    } catch (err) {
      if (isConstraint(err))
        throw conflict(`a registered model named "${newName}" already exists`, { field: 'newName' });
      throw err;
    }
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
      const v = await this.requireVersion(tx, ref);
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
        const until = this.retainedUntil(b.leftProductionAt);
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
  async attachChecksum(ref: VersionRef, checksum: string, actor: string): Promise<VersionRecord> {
    assertChecksum(checksum);
    return this.executor.writeTx(async (tx) => {
      const v = await this.requireVersion(tx, ref);
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
        actor,
        modelName: v.modelName,
        version: v.version,
        subjectId: v.id,
        before: { checksum: null },
        after: { checksum },
      });
      return row!.version;
    }, 'attachModelVersionChecksum');
  }

  // ------------------------------------------------------------ aliases

  /** Creates or moves an alias (governance decides for protected ones); returns the move with the version it left. */
  async setAlias(caller: Caller, modelName: string, alias: string, version: number): Promise<AliasMove> {
    assertModelName(modelName, 'modelName');
    assertAliasName(alias);
    assertVersionNumber(version);
    return this.executor.writeTx(
      async (tx) => {
        const target = await this.requireVersion(tx, { modelName, version });
        await this.guard.aliasChange(tx, caller, { model: target.model!, alias, kind: 'set', version });
        return this.moveAliasIn(tx, target, alias, caller.name);
      },
      'setRegisteredModelAlias',
      { batch: { kind: this.aliasMoves.batch, item: { caller, modelName, alias, version } } },
    );
  }

  /**
   * Moves an alias inside the caller's transaction (governance carries out
   * approved promotions and rollbacks through this).
   */
  async moveAliasIn(
    tx: Tx,
    target: VersionRecord,
    alias: string,
    actor: string,
    opts: { eventType?: string; reason?: string } = {},
  ): Promise<AliasMove> {
    const [row] = await tx.run<{ previous: VersionRecord | null; version: VersionRecord; full: boolean }>(Q.setAlias, {
      modelName: target.modelName,
      alias,
      versionId: target.id,
      maxAliases: MAX_ALIASES,
    });
    if (row!.full) throw tooManyAliases();
    const ev = await appendEvent(tx, aliasMoved(actor, target, alias, row!.previous, opts));
    return {
      modelName: target.modelName,
      alias,
      version: row!.version,
      previousVersion: row!.previous,
      sequence: ev.sequence,
      at: ev.at,
    };
  }

  async deleteAlias(caller: Caller, modelName: string, alias: string): Promise<AliasMove> {
    assertModelName(modelName, 'modelName');
    assertAliasName(alias);
    const actor = caller.name;
    return this.executor.writeTx(async (tx) => {
      const [model] = await this.modelsIn(tx, [modelName]);
      if (!model) throw notFound(`no registered model named "${modelName}"`, { field: 'modelName' });
      await this.guard.aliasChange(tx, caller, { model, alias, kind: 'delete' });
      const [row] = await tx.run<{ previous: VersionRecord | null }>(Q.deleteAlias, { modelName, alias });
      if (!row) throw notFound(`model "${modelName}" has no alias "${alias}"`, { field: 'alias' });
      const ev = await appendEvent(tx, {
        type: EventType.ALIAS_DELETED,
        actor,
        modelName,
        alias,
        version: null,
        subjectId: row.previous?.id ?? null,
        before: row.previous ? { version: row.previous.version } : null,
        after: null,
      });
      return { modelName, alias, version: null, previousVersion: row.previous, sequence: ev.sequence, at: ev.at };
    }, 'deleteRegisteredModelAlias');
  }
}

/** MLflow's placeholders for a prompt version's source (its client sends one; its server refuses others). */
export const PROMPT_SOURCES = ['prompt-template', 'dummy-source'];
/** MLflow's tags for a prompt (on the model) and its template (on each version). */
export const PROMPT_TAG = 'mlflow.prompt.is_prompt';
export const PROMPT_TEXT_TAG = 'mlflow.prompt.text';

/**
 * Tags that are a model's kind or a prompt version's content: fixed at
 * creation, since the kind decides what the model's versions are and the
 * template is what the version's checksum covers.
 */
function assertNotFixedTag(key: string): void {
  if (key === PROMPT_TAG)
    throw badInput(`the tag ${PROMPT_TAG} is the model's kind, fixed when it was created`, { field: 'key' });
  if (key === PROMPT_TEXT_TAG)
    throw badInput(
      `the tag ${PROMPT_TEXT_TAG} is the prompt version's template, fixed when it was registered (register a new version)`,
      { field: 'key' },
    );
}

function isConstraint(err: unknown): boolean {
  return err instanceof DomainError && err.code === ErrorCode.CONFLICT && err.details.constraint === true;
}

export type ParsedUri = { kind: 'ref'; ref: VersionRef } | { kind: 'stage'; modelName: string; stage: Stage };

/** models:/NAME/VERSION, models:/NAME@ALIAS, models:/NAME/STAGE (stage names case-insensitive). */
export function parseModelUri(uri: string): ParsedUri {
  const bad = (why: string) =>
    badInput(`uri must be models:/NAME/VERSION, models:/NAME@ALIAS or models:/NAME/STAGE; ${why}`, { field: 'uri' });
  if (typeof uri !== 'string' || uri.length > 600) throw bad('it is too long');
  const m = /^models:\/(.+)$/.exec(uri);
  if (!m) throw bad(`got ${JSON.stringify(uri.slice(0, 80))}`);
  const rest = m[1]!;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    const modelName = rest.slice(0, at);
    const alias = rest.slice(at + 1);
    assertModelName(modelName, 'uri');
    if (alias !== LATEST) assertAliasName(alias, 'uri alias');
    return { kind: 'ref', ref: { modelName, alias } };
  }
  const slash = rest.lastIndexOf('/');
  if (slash <= 0) throw bad('the version, alias or stage is missing');
  const modelName = rest.slice(0, slash);
  const last = rest.slice(slash + 1);
  assertModelName(modelName, 'uri');
  if (/^\d+$/.test(last)) {
    const version = Number(last);
    assertVersionNumber(version, 'uri version');
    return { kind: 'ref', ref: { modelName, version } };
  }
  const stage = last.toUpperCase();
  if (last.toLowerCase() === LATEST) return { kind: 'ref', ref: { modelName, alias: LATEST } };
  if (!(STAGES as readonly string[]).includes(stage))
    throw bad(`"${last}" is neither a version number nor a stage (${STAGES.join(', ')})`);
  return { kind: 'stage', modelName, stage: stage as Stage };
}

/** Most items one bulk call (createModelVersions, setModelVersionTags) carries. */
export const MAX_BULK = 1000;

/** An item's outcome as its single mutation answers it: its value, or its error thrown. */
function settle<R>(o: Outcome<R>): R {
  if (o.ok) return o.value;
  throw o.error;
}

/**
 * All of a bulk call's items, or the first item's error, naming it (`inputs[3]: …`): the transaction then rolls back.
 */
function allOrNothing<R>(field: string, outcomes: readonly Outcome<R>[]): R[] {
  const failed = outcomes.findIndex((o) => !o.ok);
  if (failed >= 0) throw forItem(field, failed, (outcomes[failed] as { error: unknown }).error);
  return outcomes.map((o) => (o as { value: R }).value);
}

/**
 * A domain error of item `i` of a bulk call's list `field`, its message prefixed with the item; anything else
 * unchanged.
 */
function forItem(field: string, i: number, err: unknown): unknown {
  if (!(err instanceof DomainError)) return err;
  return new DomainError(err.code, `${field}[${i}]: ${err.message}`, { ...err.details, item: i });
}

function atItem(field: string, i: number, check: () => void): void {
  try {
    check();
  } catch (err) {
    throw forItem(field, i, err);
  }
}

/** Bulk registrations prepare (hash stored artefacts) this many inputs at once. */
const PREPARE_CONCURRENCY = 8;

/** `fn` over `items` with at most `limit` calls in flight; results in input order. */
async function mapConcurrently<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

async function atItemAsync<R>(field: string, i: number, run: () => Promise<R>): Promise<R> {
  try {
    return await run();
  } catch (err) {
    throw forItem(field, i, err);
  }
}
