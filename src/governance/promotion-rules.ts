import type { Caller } from './policy.js';
import { hasRole, Role } from './roles.js';

/**
 * The two-person rule, pure. The service (./promotion.service.ts) reads the
 * request, its approvals and the model's owners under a lock on the request,
 * asks these functions, and writes what they decide.
 */

/** Stages that are promotions: moving a version there needs an approved request. */
export const PROTECTED_STAGES = ['CANARY', 'PRODUCTION'] as const;
/**
 * A model's protected aliases: its own list (every model gets one at
 * creation, from PEDIGREE_PROTECTED_ALIASES), or `defaults` — that setting —
 * for a model recorded before models carried one.
 */
export function protectedAliasesOf(
  model: { protectedAliases?: readonly string[] | null },
  defaults: readonly string[],
): readonly string[] {
  return model.protectedAliases ?? defaults;
}

export type PromotionTarget = { stage: string; alias?: undefined } | { alias: string; stage?: undefined };

/**
 * - `ONE_REVIEWER`: one approval by a REVIEWER or ADMIN other than the requester
 *   (CANARY, and leaving CANARY or PRODUCTION);
 * - `TWO_PERSON`: two distinct approvers, neither the requester, one an owner of
 *   the model and the other a REVIEWER or ADMIN (PRODUCTION, protected aliases).
 */
export type ApprovalRule = 'ONE_REVIEWER' | 'TWO_PERSON';

/**
 * The rule a target needs, or null when it is not a promotion (no request
 * needed or accepted). Taking a version out of CANARY or PRODUCTION (to
 * another stage) is governed too: one reviewer, like entering CANARY.
 */
export function ruleFor(
  target: PromotionTarget,
  protectedAliases: readonly string[],
  currentStage: string,
): ApprovalRule | null {
  if (target.stage !== undefined) {
    if (target.stage === 'PRODUCTION') return 'TWO_PERSON';
    if (target.stage === 'CANARY') return 'ONE_REVIEWER';
    if (target.stage !== currentStage && (PROTECTED_STAGES as readonly string[]).includes(currentStage))
      return 'ONE_REVIEWER';
    return null;
  }
  return protectedAliases.includes(target.alias) ? 'TWO_PERSON' : null;
}

/** One recorded approval, with what the approver was when approving. */
export interface ApprovalFacts {
  approver: string;
  role: Role;
  /** An owner of the model at the time of approval. */
  asOwner: boolean;
}

export type ApprovalCheck = { ok: true } | { ok: false; code: 'FORBIDDEN' | 'CONFLICT'; message: string };

/**
 * Approvals one request holds at most: once it holds one fewer without being
 * satisfied (reviewers who are not owners piling up on a two-person request),
 * only an approval that satisfies it is accepted, and that one decides it.
 */
export const MAX_APPROVALS = 20;

/**
 * May `approver` (with `role`, owner or not) add an approval to a request
 * made by `requestedBy` that already holds `approvals`?
 */
export function checkApprover(
  rule: ApprovalRule,
  requestedBy: string,
  approvals: readonly ApprovalFacts[],
  approver: { name: string; role: Role; isOwner: boolean },
): ApprovalCheck {
  if (approver.name === requestedBy) {
    return {
      ok: false,
      code: 'FORBIDDEN',
      message: `"${approver.name}" requested this promotion and may not approve it (self-approval)`,
    };
  }
  if (approvals.some((a) => a.approver === approver.name)) {
    return {
      ok: false,
      code: 'CONFLICT',
      message: `"${approver.name}" has already approved this promotion; a second approver must be someone else`,
    };
  }
  const reviewer = hasRole(approver.role, Role.REVIEWER);
  if (rule === 'ONE_REVIEWER' && !reviewer) {
    return {
      ok: false,
      code: 'FORBIDDEN',
      message: `approving a CANARY promotion needs role REVIEWER or ADMIN; "${approver.name}" has ${approver.role}`,
    };
  }
  if (rule === 'TWO_PERSON' && !reviewer && !approver.isOwner) {
    return {
      ok: false,
      code: 'FORBIDDEN',
      message: `approving this promotion needs an owner of the model or role REVIEWER or ADMIN; "${approver.name}" is neither`,
    };
  }
  if (
    approvals.length >= MAX_APPROVALS - 1 &&
    !isSatisfied(rule, requestedBy, [
      ...approvals,
      { approver: approver.name, role: approver.role, asOwner: approver.isOwner },
    ])
  ) {
    return {
      ok: false,
      code: 'CONFLICT',
      message: `this request already holds ${approvals.length} approvals without satisfying its rule (at most ${MAX_APPROVALS}); only an approval that completes it is accepted now`,
    };
  }
  return { ok: true };
}

/**
 * May `caller` close a request made by `requestedBy` on a model owned by
 * `owners`? The requester may withdraw it; otherwise an owner of the model or
 * a REVIEWER (or ADMIN).
 */
export function checkRejecter(requestedBy: string, owners: readonly string[], caller: Caller): ApprovalCheck {
  if (caller.name === requestedBy || owners.includes(caller.name) || hasRole(caller.role, Role.REVIEWER))
    return { ok: true };
  return {
    ok: false,
    code: 'FORBIDDEN',
    message: `rejecting needs the requester, an owner of the model or role REVIEWER; "${caller.name}" is none of them`,
  };
}

/** True when `approvals` (all by principals other than the requester) satisfy `rule`. */
export function isSatisfied(rule: ApprovalRule, requestedBy: string, approvals: readonly ApprovalFacts[]): boolean {
  const valid = approvals.filter((a) => a.approver !== requestedBy);
  if (rule === 'ONE_REVIEWER') return valid.some((a) => hasRole(a.role, Role.REVIEWER));
  // Two distinct principals: one owner, the other a reviewer.
  return valid.some(
    (owner) =>
      owner.asOwner && valid.some((rev) => rev.approver !== owner.approver && hasRole(rev.role, Role.REVIEWER)),
  );
}
