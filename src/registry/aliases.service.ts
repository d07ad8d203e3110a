import { notFound } from '../errors.js';
import { appendEvent, EventType } from '../events/event-log.js';
import { statement } from '../graph/cypher.js';
import type { Executor, Tx } from '../graph/executor.js';
import type { GovernanceGuard } from '../governance/guard.js';
import type { Caller } from '../governance/policy.js';
import { aliasMoved, AliasMoves, tooManyAliases } from './alias-moves.js';
import type { RegistryLookup } from './lookup.js';
import type { AliasMove, VersionRecord } from './types.js';
import { assertAliasName, assertModelName, assertVersionNumber, MAX_ALIASES } from './validation.js';

const Q = {
  setAlias: statement('registry/set-alias'),
  deleteAlias: statement('registry/delete-alias'),
};

/**
 * A model's aliases: set (created or moved) and deleted, each change asked of
 * governance's guard (a protected alias moves only through an approved
 * request or a rollback) and recorded as an event, which the alias history,
 * subscriptions and the alias view read. Under load, moves run as one batch
 * (src/registry/alias-moves.ts).
 */
export class AliasesService {
  private readonly aliasMoves: AliasMoves;

  constructor(
    private readonly executor: Executor,
    /** Governance's rules for direct changes of governed targets (protected aliases here). */
    private readonly guard: GovernanceGuard,
    private readonly lookup: RegistryLookup,
  ) {
    this.aliasMoves = new AliasMoves(guard);
  }

  /** Creates or moves an alias (governance decides for protected ones); returns the move with the version it left. */
  async setAlias(caller: Caller, modelName: string, alias: string, version: number): Promise<AliasMove> {
    assertModelName(modelName, 'modelName');
    assertAliasName(alias);
    assertVersionNumber(version);
    return this.executor.writeTx(
      async (tx) => {
        const target = await this.lookup.requireVersion(tx, { modelName, version });
        await this.guard.aliasChange(tx, caller, { model: target.model!, alias, kind: 'set', version });
        return this.moveAliasIn(tx, caller, target, alias);
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
    caller: Pick<Caller, 'name'>,
    target: VersionRecord,
    alias: string,
    opts: { eventType?: string; reason?: string } = {},
  ): Promise<AliasMove> {
    const [row] = await tx.run<{ previous: VersionRecord | null; version: VersionRecord; full: boolean }>(Q.setAlias, {
      modelName: target.modelName,
      alias,
      versionId: target.id,
      maxAliases: MAX_ALIASES,
    });
    if (row!.full) throw tooManyAliases();
    const ev = await appendEvent(tx, aliasMoved(caller.name, target, alias, row!.previous, opts));
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
      const [model] = await this.lookup.modelsIn(tx, [modelName]);
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
