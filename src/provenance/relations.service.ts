import { badInput, conflict, notFound } from '../errors.js';
import { unknownAfter, type ListPage } from '../paging.js';
import { appendEvent, EventType } from '../events/event-log.js';
import { statement } from '../graph/cypher.js';
import type { Executor } from '../graph/executor.js';
import type { Caller } from '../governance/policy.js';
import type { RegistryLookup } from '../registry/lookup.js';
import { MAX_TEACHERS } from '../registry/validation.js';
import { MODEL_RELATIONS, type ModelRelation } from './lineage.js';
import type { ModelVersionRecord, ModelVersionRef, ProviderModelRecord } from './types.js';
import { requireText } from './validation.js';

const Q = {
  mergeProviderModel: statement('provenance/merge-provider-model'),
  findProviderModels: statement('provenance/find-provider-models'),
  addModelRelation: statement('provenance/add-model-relation'),
};

/**
 * What a model version depends on: provider models (pinned by provider, name
 * and providerVersion) and typed model-to-model edges (base models, teachers,
 * adapter bases, quantisation and merge sources).
 */
export class ModelRelationService {
  constructor(
    private readonly executor: Executor,
    /** Model refs ({ modelName, version | alias }) are resolved by the registry, the one mechanism for refs. */
    private readonly registry: Pick<RegistryLookup, 'requireVersion'>,
  ) {}

  /**
   * Registers a provider model by its pin (provider, name, providerVersion).
   * An existing pin is returned as it is: no write, no event.
   */
  async registerProviderModel(
    caller: Pick<Caller, 'name'>,
    input: { provider: string; name: string; providerVersion: string; uri?: string | null },
  ): Promise<ProviderModelRecord> {
    const provider = requireText(input.provider, 'provider');
    const name = requireText(input.name, 'name');
    const providerVersion = requireText(input.providerVersion, 'providerVersion');
    return this.executor.writeTx(async (tx) => {
      const [row] = await tx.run<{ providerModel: ProviderModelRecord; created: boolean }>(Q.mergeProviderModel, {
        provider,
        name,
        providerVersion,
        uri: input.uri ?? null,
        actor: caller.name,
      });
      if (!row) throw new Error('merge-provider-model returned no row');
      // The pin existed: nothing was written, so nothing is audited.
      if (!row.created) return row.providerModel;
      await appendEvent(tx, {
        type: EventType.PROVIDER_MODEL_REGISTERED,
        actor: caller.name,
        subjectId: row.providerModel.id,
        after: { provider, name, providerVersion, uri: row.providerModel.uri },
      });
      return row.providerModel;
    }, 'registerProviderModel');
  }

  /** A page of provider models matching every given field, by pin: `first` after the one whose id is `after`. */
  async findProviderModels(
    filter: {
      id?: string | null;
      provider?: string | null;
      name?: string | null;
      providerVersion?: string | null;
    },
    page: ListPage,
  ): Promise<ProviderModelRecord[]> {
    const [row] = await this.executor.read<{ known: boolean; providerModels: ProviderModelRecord[] }>(
      Q.findProviderModels,
      {
        id: filter.id ?? null,
        provider: filter.provider ?? null,
        name: filter.name ?? null,
        providerVersion: filter.providerVersion ?? null,
        after: page.after,
        limit: page.first,
      },
    );
    if (!row!.known) throw unknownAfter('provider model');
    return row!.providerModels;
  }

  /**
   * Adds a typed model-to-model edge: `child` depends on `parent` (a model
   * version or a provider model). Refused with CONFLICT when the edge would
   * make a version its own ancestor; nothing is written then.
   */
  async addModelRelation(
    caller: Pick<Caller, 'name'>,
    input: {
      child: ModelVersionRef;
      relation: ModelRelation;
      parent?: ModelVersionRef | null;
      parentProviderModelId?: string | null;
    },
  ): Promise<{
    child: ModelVersionRecord;
    parentId: string;
    parentKind: string;
    relation: ModelRelation;
    created: boolean;
  }> {
    if (!(MODEL_RELATIONS as readonly string[]).includes(input.relation)) {
      throw badInput(`relation must be one of ${MODEL_RELATIONS.join(', ')}`, { field: 'relation' });
    }
    if ((input.parent ? 1 : 0) + (input.parentProviderModelId ? 1 : 0) !== 1) {
      throw badInput('give exactly one of parent and parentProviderModelId', { field: 'parent' });
    }
    return this.executor.writeTx(async (tx) => {
      const child: ModelVersionRecord = await this.registry.requireVersion(tx, input.child);
      const parentId = input.parent
        ? (await this.registry.requireVersion(tx, input.parent)).id
        : input.parentProviderModelId!;
      const [row] = await tx.run<{
        parent: Record<string, unknown>;
        parentKind: string;
        cycle: boolean;
        existing: boolean;
        full: boolean;
      }>(Q.addModelRelation, { childId: child.id, parentId, relation: input.relation, maxTeachers: MAX_TEACHERS });
      if (!row) throw notFound(`no provider model with id ${parentId}`, { field: 'parentProviderModelId' });
      if (row.cycle) {
        throw conflict(
          `a model version may not be its own ancestor: ${describe(child)} ${input.relation} ${String(row.parent.modelName ?? row.parent.name)}/${String(row.parent.version ?? '')} would close a cycle`,
          { field: 'parent' },
        );
      }
      if (row.full)
        throw badInput(`a version has at most ${MAX_TEACHERS} teachers`, { field: 'parent', limit: MAX_TEACHERS });
      await appendEvent(tx, {
        type: EventType.MODEL_RELATION_ADDED,
        actor: caller.name,
        modelName: child.modelName,
        version: child.version,
        subjectId: child.id,
        after: { relation: input.relation, parentId, parentKind: row.parentKind, created: !row.existing },
      });
      return { child, parentId, parentKind: row.parentKind, relation: input.relation, created: !row.existing };
    }, 'addModelRelation');
  }
}

function describe(ref: { modelName: string; version?: number | null; alias?: string | null }): string {
  return ref.alias ? `${ref.modelName}@${ref.alias}` : `${ref.modelName}/${ref.version}`;
}
