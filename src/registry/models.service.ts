import type { Config } from '../config.js';
import { badInput, conflict, DomainError, ErrorCode, isConstraintViolation, notFound } from '../errors.js';
import { appendEvent, EventType } from '../events/event-log.js';
import { statement } from '../graph/cypher.js';
import type { Executor } from '../graph/executor.js';
import { cancelPendingRequests } from '../governance/cancel-requests.js';
import type { GovernanceGuard } from '../governance/guard.js';
import type { Caller } from '../governance/policy.js';
import { hasRole, Role } from '../governance/roles.js';
import { findIdempotent, inputHash, recordIdempotent } from './idempotency.js';
import type { RegistryLookup } from './lookup.js';
import { retainedUntil } from './production-retention.js';
import { assertNotFixedTag, PROMPT_TAG } from './prompts.js';
import { MODEL_KINDS, type ModelKind, type ModelRecord, type PageRequest, type Tag } from './types.js';
import { assertModelName, assertTag, assertTags, assertText, MAX_TAGS } from './validation.js';
import { tooManyTags } from './version-tags.js';

const Q = {
  createModel: statement('registry/create-model'),
  listModels: statement('registry/list-models'),
  updateModel: statement('registry/update-model'),
  deleteBlockers: statement('registry/model-delete-blockers'),
  deleteModel: statement('registry/delete-model'),
  setModelTag: statement('registry/set-model-tag'),
  deleteModelTag: statement('registry/delete-model-tag'),
  renameModel: statement('registry/rename-model'),
  recordRename: statement('registry/record-rename'),
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

export interface ModelFilter {
  nameContains?: string | null;
  kind?: ModelKind | null;
  owner?: string | null;
  tag?: { key: string; value?: string | null } | null;
}

/**
 * Registered models: created, described, tagged, listed, renamed and deleted.
 * Every mutation is one write transaction that ends by appending its event;
 * a rename asks governance's guard, and a rename or delete cancels the
 * model's pending promotion requests.
 */
export class ModelsService {
  constructor(
    private readonly executor: Executor,
    private readonly config: Pick<Config, 'productionRetentionDays' | 'protectedAliases'>,
    /** Governance's rules for direct changes of governed targets (renames here). */
    private readonly guard: GovernanceGuard,
    private readonly lookup: RegistryLookup,
  ) {}

  async createModel(caller: Pick<Caller, 'name'>, input: CreateModelInput): Promise<ModelRecord> {
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
          const prior = await findIdempotent(tx, 'createRegisteredModel', caller.name, input.idempotencyKey, hash);
          if (prior) return this.sameModel((await this.lookup.modelsIn(tx, [input.name]))[0], prior, input.name);
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
          await recordIdempotent(tx, 'createRegisteredModel', caller.name, input.idempotencyKey, hash, model.id);
        await appendEvent(tx, {
          type: EventType.MODEL_CREATED,
          actor: caller.name,
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
      if (isConstraintViolation(err)) {
        // Either the name is taken, or a concurrent retry with the same key won: answer as a retry would.
        if (input.idempotencyKey) {
          const again = await this.executor.readTx(async (tx) => {
            const prior = await findIdempotent(tx, 'createRegisteredModel', caller.name, input.idempotencyKey!, hash);
            return prior ? this.sameModel((await this.lookup.modelsIn(tx, [input.name]))[0], prior, input.name) : null;
          }, 'createRegisteredModel.retry');
          if (again) return again;
        }
        throw conflict(`a registered model named "${input.name}" already exists`, { field: 'name' });
      }
      throw err;
    }
  }

  /** The model a replay answers with: the one the key recorded, by id (a re-created namesake is not it). */
  private sameModel(model: ModelRecord | null | undefined, resultId: string, name: string): ModelRecord {
    if (model?.id === resultId) return model;
    throw conflict(`the model "${name}" created under this idempotency key has since been deleted or renamed`);
  }

  async updateModel(
    caller: Pick<Caller, 'name'>,
    name: string,
    patch: { description?: string | null; owner?: string | null },
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
        actor: caller.name,
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
      const retained = b.retained.filter((r) => retainedUntil(this.config, r.leftProductionAt) !== null);
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

  async setModelTag(caller: Pick<Caller, 'name'>, modelName: string, key: string, value: string): Promise<ModelRecord> {
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
        actor: caller.name,
        modelName,
        subjectId: row.model.id,
        before: row.previous === null ? null : { [key]: row.previous },
        after: { [key]: value },
      });
      return row.model;
    }, 'setRegisteredModelTag');
  }

  async deleteModelTag(caller: Pick<Caller, 'name'>, modelName: string, key: string): Promise<ModelRecord> {
    assertTag(key, null);
    assertNotFixedTag(key);
    return this.executor.writeTx(async (tx) => {
      const [row] = await tx.run<{ model: ModelRecord; previous: string }>(Q.deleteModelTag, { modelName, key });
      if (!row) {
        if (!(await this.lookup.modelsIn(tx, [modelName]))[0])
          throw notFound(`no registered model named "${modelName}"`);
        throw notFound(`model "${modelName}" has no tag "${key}"`);
      }
      await appendEvent(tx, {
        type: EventType.MODEL_TAG_DELETED,
        actor: caller.name,
        modelName,
        subjectId: row.model.id,
        before: { [key]: row.previous },
      });
      return row.model;
    }, 'deleteRegisteredModelTag');
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
        const [model] = await this.lookup.modelsIn(tx, [name]);
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
      if (isConstraintViolation(err))
        throw conflict(`a registered model named "${newName}" already exists`, { field: 'newName' });
      throw err;
    }
  }
}
