import { DomainError, ErrorCode, gateFailed, notFound } from '../errors.js';
import { statement } from '../graph/cypher.js';
import type { Tx } from '../graph/executor.js';
import type { ModelRecord, Stage, VersionRecord } from '../registry/types.js';
import type { Caller } from './policy.js';
import { PROTECTED_STAGES, protectedAliasesOf } from './promotion-rules.js';
import { hasRole, Role } from './roles.js';

const Q = {
  renameState: statement('governance/model-rename-state'),
};

/**
 * What a DIRECT change of a governed target must pass: the registry and the
 * lifecycle call it inside the change's own transaction, whatever transport
 * the change came through (GraphQL, MLflow, ingestion). Approved promotion
 * requests and rollbacks carry their change out through the registry's
 * transaction-level functions, which do not ask the guard: the request (or the
 * REVIEWER role) was the permission.
 *
 * Closed by default: a registry or lifecycle built without a guard gets
 * {@link CLOSED_GUARD}, which refuses every governed target.
 */
export interface GovernanceGuard {
  /** Setting or deleting `alias` on `model`. */
  aliasChange(
    tx: Tx,
    caller: Caller,
    change: { model: ModelRecord; alias: string; kind: 'set' | 'delete'; version?: number },
  ): Promise<void>;
  /** Moving `version` from its stage to `to`. */
  stageChange(tx: Tx, caller: Caller, change: { version: VersionRecord; to: Stage }): Promise<void>;
  /** Renaming `model` (which is about to lose the name clients resolve it by). */
  rename(tx: Tx, caller: Caller, model: ModelRecord): Promise<void>;
}

const isProtectedStage = (s: string) => (PROTECTED_STAGES as readonly string[]).includes(s);

/**
 * The governance rules for direct changes (see README "Promotion flow"):
 * - a version moves INTO CANARY or PRODUCTION only through an approved
 *   promotion request; a REVIEWER may return a former production version to
 *   PRODUCTION directly (a rollback);
 * - a version moves OUT of CANARY or PRODUCTION only by a REVIEWER (or an
 *   approved request for that exit);
 * - a protected alias is set or deleted only through a request or a rollback;
 * - a model with protected aliases, CANARY/PRODUCTION versions or pending
 *   promotion requests is renamed only by one of its owners or an ADMIN.
 */
export class PromotionGuard implements GovernanceGuard {
  /** `defaultProtectedAliases`: PEDIGREE_PROTECTED_ALIASES, for models recorded without a list of their own. */
  constructor(private readonly defaultProtectedAliases: readonly string[]) {}

  async aliasChange(
    _tx: Tx,
    _caller: Caller,
    change: { model: ModelRecord; alias: string; kind: 'set' | 'delete'; version?: number },
  ): Promise<void> {
    if (!protectedAliasesOf(change.model, this.defaultProtectedAliases).includes(change.alias)) return;
    const { model, alias } = change;
    const ref = `{ modelName: ${JSON.stringify(model.name)}, version: ${change.version ?? '<version>'} }`;
    throw gateFailed(
      change.kind === 'delete'
        ? `alias "${alias}" is protected on "${model.name}": it can only be moved, through requestPromotion or rollback`
        : `alias "${alias}" is protected on "${model.name}": moving it is a promotion. Request it with the GraphQL mutation ` +
            `requestPromotion(ref: ${ref}, target: { alias: ${JSON.stringify(alias)} }, evidence: [...]) and have it approved by an owner of the model and a REVIEWER`,
      { gate: 'promotion', kind: 'alias', requires: 'requestPromotion', modelName: model.name, alias },
    );
  }

  async stageChange(_tx: Tx, caller: Caller, change: { version: VersionRecord; to: Stage }): Promise<void> {
    const { version: v, to } = change;
    const reviewer = hasRole(caller.role, Role.REVIEWER);
    if (isProtectedStage(to)) {
      // A reviewer may return a former production version directly: a rollback, recorded as one.
      if (to === 'PRODUCTION' && v.everProduction && reviewer) return;
      const ref = `{ modelName: ${JSON.stringify(v.modelName)}, version: ${v.version} }`;
      // PRODUCTION is reached from CANARY only: name the step that is missing rather than a request that would fail.
      const step: Stage = to === 'PRODUCTION' && v.stage !== 'CANARY' ? 'CANARY' : to;
      throw gateFailed(
        step !== to
          ? `version ${v.version} of "${v.modelName}" is in ${v.stage}; PRODUCTION is reached from CANARY only, so the missing step is CANARY: ` +
              `request it with the GraphQL mutation requestPromotion(ref: ${ref}, target: { stage: CANARY }, evidence: [...]) (one REVIEWER approves), then request PRODUCTION the same way`
          : `moving a version to ${to} needs an approved promotion request: call requestPromotion(ref: ${ref}, target: { stage: ${to} }, evidence: [...]) and have it approved`,
        { gate: 'promotion', kind: 'stage', requires: 'requestPromotion', modelName: v.modelName, step },
      );
    }
    if (isProtectedStage(v.stage) && !reviewer) {
      throw gateFailed(
        `taking version ${v.version} of "${v.modelName}" out of ${v.stage} needs role REVIEWER, or an approved promotion request: call requestPromotion(ref, target: { stage: ${to} }, evidence); "${caller.name}" has ${caller.role ?? 'no role'}`,
        { gate: 'stage-exit', kind: 'stage', requires: 'requestPromotion' },
      );
    }
  }

  async rename(tx: Tx, caller: Caller, model: ModelRecord): Promise<void> {
    if (hasRole(caller.role, Role.ADMIN)) return;
    const [s] = await tx.run<{
      owners: string[];
      protectedAliases: string[] | null;
      aliases: string[];
      governedVersions: number;
      pendingRequests: number;
    }>(Q.renameState, {
      modelId: model.id,
    });
    if (!s) throw notFound(`no registered model named "${model.name}"`);
    if (s.owners.includes(caller.name)) return;
    const guarded = s.aliases.filter((a) => protectedAliasesOf(s, this.defaultProtectedAliases).includes(a));
    const why = [
      ...(guarded.length ? [`protected alias(es) ${guarded.join(', ')}`] : []),
      ...(s.governedVersions ? [`${s.governedVersions} version(s) in CANARY or PRODUCTION`] : []),
      ...(s.pendingRequests ? [`${s.pendingRequests} pending promotion request(s)`] : []),
    ];
    if (why.length === 0) return;
    throw new DomainError(
      ErrorCode.FORBIDDEN,
      `renaming "${model.name}" needs an owner of the model or role ADMIN, because it has ${why.join(', ')} (clients resolve it by name); "${caller.name}" is neither`,
      { gate: 'rename' },
    );
  }
}

const refuse = (what: string) => {
  throw gateFailed(`${what} is governed, and this registry was built without governance: nothing governed may change`, {
    gate: 'promotion',
    requires: 'governance',
  });
};

/**
 * What a registry built without a guard gets: every governed target refused
 * (protected aliases, into or out of CANARY and PRODUCTION, renaming a model).
 * It knows no configured defaults, so on a model without a list of its own
 * every alias counts as protected.
 */
export const CLOSED_GUARD: GovernanceGuard = {
  aliasChange: async (_tx, _caller, { model, alias }) => {
    if (model.protectedAliases == null || model.protectedAliases.includes(alias)) refuse(`alias "${alias}"`);
  },
  stageChange: async (_tx, _caller, { version, to }) => {
    if (isProtectedStage(to) || isProtectedStage(version.stage))
      refuse(`moving a version into or out of ${isProtectedStage(to) ? to : version.stage}`);
  },
  rename: async (_tx, _caller, model) => refuse(`renaming "${model.name}"`),
};

/**
 * TEST ONLY: lets protected targets be reached directly, for tests of the
 * registry's own gates (selected by `createServices`' `testOnlyUngoverned`).
 */
export const UNGOVERNED_FOR_TESTS: GovernanceGuard = {
  aliasChange: async () => undefined,
  stageChange: async () => undefined,
  rename: async () => undefined,
};
