import { randomUUID } from 'node:crypto';
import { badInput, conflict, DomainError, ErrorCode, gateFailed, notFound } from '../errors.js';
import { appendEvent, EventType } from '../events/event-log.js';
import { statement } from '../graph/cypher.js';
import type { Executor, Tx } from '../graph/executor.js';
import { decide, type Caller } from './policy.js';
import {
  checkApprover,
  checkRejecter,
  type ApprovalCheck,
  isSatisfied,
  protectedAliasesOf,
  ruleFor,
  type ApprovalFacts,
  type ApprovalRule,
  type PromotionTarget,
} from './promotion-rules.js';
import { STAGES, type AliasMove, type VersionRecord, type VersionRef } from '../registry/types.js';
import { assertAliasName } from '../registry/validation.js';
import { isPrincipalName } from './token.service.js';
import { hasRole, isRole, Role } from './roles.js';
import type { PromotionRecord, SignedPromotion } from '../operations/attestation.service.js';

const Q = {
  lock: statement('governance/lock-promotion-request'),
  get: statement('governance/get-promotion-requests'),
  page: statement('governance/page-promotion-requests'),
  create: statement('governance/create-promotion-request'),
  approve: statement('governance/add-approval'),
  decide: statement('governance/decide-promotion-request'),
  model: statement('governance/get-model-governance'),
  setOwners: statement('governance/set-model-owners'),
  pointedBefore: statement('governance/alias-pointed-to'),
  attach: statement('governance/attach-promotion-attestation'),
};

/** Evidence items on one promotion request. */
export const MAX_EVIDENCE = 50;
/** Owners of one model. */
export const MAX_OWNERS = 50;
/** Listing requests the caller may approve reads pending ones in batches of this many… */
const APPROVABLE_SCAN_BATCH = 200;
/** …and at most this many per page, then answers with what it found and a cursor where it stopped. */
const APPROVABLE_SCAN_BUDGET = 2000;

/**
 * What governance needs from the registry, all inside the caller's write
 * transaction (built in services.ts from the registry's lookup and aliases
 * services and LifecycleService). The carry-out functions apply the registry's own gates
 * and append its own events; they do not ask the governance guard (the
 * approved request, or the REVIEWER's rollback, is the permission).
 */
export interface RegistryPort {
  /** NOT_FOUND when the model or version does not exist. */
  resolveVersion(tx: Tx, ref: VersionRef): Promise<VersionRecord>;
  /** The version node itself, whatever its model is called now; null when it was deleted. */
  versionById(tx: Tx, id: string): Promise<VersionRecord | null>;
  transitionStage(
    tx: Tx,
    caller: Pick<Caller, 'name'>,
    target: VersionRecord,
    stage: string,
    comment: string | null,
  ): Promise<unknown>;
  moveAlias(
    tx: Tx,
    caller: Pick<Caller, 'name'>,
    target: VersionRecord,
    alias: string,
    opts: { eventType?: string; reason?: string },
  ): Promise<AliasMove>;
}

export type { VersionRef };

/**
 * Signed promotion records (the attestation service, given in services.ts): approvals run in its write transaction,
 * which may make signing
 * keys and cleans up what it wrote outside the graph when an attempt does not
 * commit.
 */
export interface PromotionAttestor {
  transaction<R>(work: (tx: Tx, keys: PromotionKeys) => Promise<R>, label: string): Promise<R>;
}

/** Inside the approval's transaction. */
export interface PromotionKeys {
  /** The key Pedigree keeps for an approver, made on their first approval. */
  ensureApproverKey(approver: string): Promise<void>;
  /** The version's attestation, recording this carried-out promotion, signed by Pedigree and every approver. */
  attestPromotion(p: PromotionRecord): Promise<SignedPromotion>;
}

export interface Evidence {
  kind: string;
  passed?: boolean | null;
  uri?: string | null;
  summary?: string | null;
}

export type PromotionStatus = 'PENDING' | 'APPROVED' | 'REJECTED' | 'EXPIRED' | 'CANCELLED';

export interface ApprovalView extends ApprovalFacts {
  comment: string | null;
  at: string;
}

export interface PromotionRequestView {
  id: string;
  /**
   * The version node the request is for: approvals carry it out on this node, whatever its model is called by then
   * (null once deleted).
   */
  versionId: string | null;
  /** The model's name now (the request keeps the name it was made under in its PROMOTION_REQUESTED event). */
  modelName: string;
  version: number;
  targetStage: string | null;
  targetAlias: string | null;
  rule: ApprovalRule;
  /** EXPIRED is computed: a PENDING request past `expiresAt`. */
  status: PromotionStatus;
  requestedBy: string;
  requestedAt: string;
  expiresAt: string;
  evidence: Evidence[];
  approvals: ApprovalView[];
  decidedAt: string | null;
  decidedBy: string | null;
  reason: string | null;
  /**
   * The DSSE envelope (JSON text) recording a carried-out TWO_PERSON promotion,
   * signed by Pedigree and every approver; null otherwise.
   */
  attestation: string | null;
  /** The owners of the version's model now (who may approve as the owner). */
  owners: string[];
  /**
   * The version the target points to now: the alias's version, or the newest other version in the target stage (null:
   * none).
   */
  currentTargetId: string | null;
}

type RequestRow = Omit<
  PromotionRequestView,
  'evidence' | 'approvals' | 'status' | 'attestation' | 'owners' | 'currentTargetId'
> & { evidence: string | null; status: string };

interface StateRow {
  request: RequestRow | null;
  approvals: ApprovalView[];
  attestation: string | null;
  owners: string[];
  protectedAliases: string[] | null;
  expired: boolean;
  currentTargetId: string | null;
}

/**
 * What the caller may do with a request now, decided by the rules approve()
 * and reject() apply (the policy table, then checkApprover / checkRejecter):
 * a client shows only what would be accepted.
 */
export interface PromotionRights {
  approve: ApprovalCheck;
  /** True when the caller's approval would satisfy the rule, carrying the promotion out. */
  approvalCarriesOut: boolean;
  reject: ApprovalCheck;
}

export interface PromotionListFilter {
  status?: PromotionStatus | null;
  modelName?: string | null;
  /** Only PENDING requests the caller may approve now (see {@link PromotionService.rightsOf}). */
  approvableByCaller?: boolean | null;
}

/**
 * A page of requests oldest first; `endKey` resumes after the last request read (with approvableByCaller, possibly one
 * not returned).
 */
export interface PromotionPage {
  items: { view: PromotionRequestView; key: [number, string] }[];
  hasNextPage: boolean;
  endKey: [number, string] | null;
}

/**
 * Reviewed and two-person promotion: requests, approvals, rejections, model
 * owners and protected aliases. The rule itself is in ./promotion-rules.ts.
 *
 * Concurrency: approve and reject first take the request's write lock, then
 * read its approvals, so concurrent approvals are serialised and each sees
 * the ones before it; the one that satisfies the rule carries the promotion
 * out in its own transaction, and every later one finds the request closed.
 * An `(request, approver)` uniqueness constraint backs "one approval each".
 */
export class PromotionService {
  constructor(
    private readonly executor: Executor,
    private readonly opts: { expiryHours: number; protectedAliases: readonly string[] },
    private readonly registry: RegistryPort,
    private readonly attestor: PromotionAttestor,
  ) {}

  async requestPromotion(
    caller: Caller,
    ref: VersionRef,
    target: PromotionTarget,
    evidence: Evidence[] | null | undefined,
  ): Promise<PromotionRequestView> {
    const t = parseTarget(target);
    const ev = parseEvidence(evidence ?? []);
    return this.executor.writeTx(async (tx) => {
      const v = await this.registry.resolveVersion(tx, ref);
      const rule = ruleFor(t, protectedAliasesOf(v.model ?? {}, this.opts.protectedAliases), v.stage);
      if (!rule) {
        throw badInput(
          t.stage !== undefined
            ? `moving version ${v.version} of "${v.modelName}" from ${v.stage} to ${t.stage} is not a promotion: call transitionModelVersionStage`
            : `alias "${t.alias}" is not protected on model "${v.modelName}": call setRegisteredModelAlias`,
          { field: 'target' },
        );
      }
      const id = randomUUID();
      await tx.run(Q.create, {
        id,
        versionId: v.id,
        targetStage: t.stage ?? null,
        targetAlias: t.alias ?? null,
        rule,
        actor: caller.name,
        expiryHours: this.opts.expiryHours,
        evidence: JSON.stringify(ev),
      });
      const view = await this.read(tx, id);
      await appendEvent(tx, {
        type: EventType.PROMOTION_REQUESTED,
        actor: caller.name,
        modelName: v.modelName,
        version: v.version,
        alias: t.alias ?? null,
        subjectId: id,
        after: { requestId: id, versionId: v.id, target: t, rule, evidence: ev, expiresAt: view.expiresAt },
      });
      return view;
    }, 'governance.requestPromotion');
  }

  /**
   * Adds an approval; the one that satisfies the rule carries the promotion
   * out in the same transaction. A TWO_PERSON promotion is recorded there too,
   * as the version's attestation signed by Pedigree and every approver (keys
   * made on first approval): it commits with the promotion or not at all, so a
   * rolled-back promotion leaves no envelope and a failure to sign (e.g. an
   * unverified version, or a key this replica cannot open) refuses the approval
   * and changes nothing.
   */
  async approve(caller: Caller, id: string, comment: string | null | undefined): Promise<PromotionRequestView> {
    if (!caller.role) throw new DomainError(ErrorCode.UNAUTHENTICATED, 'approving needs an API token');
    const role = caller.role;
    return this.attestor.transaction(async (tx, keys) => {
      const state = await this.lockAndRead(tx, id);
      const req = state.request;
      const isOwner = state.owners.includes(caller.name);
      const check = checkApprover(req.rule, req.requestedBy, state.approvals, { name: caller.name, role, isOwner });
      if (!check.ok) throw new DomainError(ErrorCode[check.code], check.message, { requestId: id });
      await keys.ensureApproverKey(caller.name);
      await tx.run(Q.approve, { id, approver: caller.name, role, asOwner: isOwner, comment: comment ?? null });
      const approvals: ApprovalFacts[] = [...state.approvals, { approver: caller.name, role, asOwner: isOwner }];
      const done = isSatisfied(req.rule, req.requestedBy, approvals);
      let attestedBy: string[] | null = null;
      if (done) {
        // Carried out in this transaction, on the version node the request was
        // made for (never re-resolved by name): the registry's gates apply, and
        // a gate failure rolls back the approval too.
        const target = req.versionId ? await this.registry.versionById(tx, req.versionId) : null;
        if (!target)
          throw conflict(`the version promotion request ${id} was made for no longer exists`, { requestId: id });
        if (req.targetStage)
          await this.registry.transitionStage(tx, caller, target, req.targetStage, `promotion request ${id}`);
        else
          await this.registry.moveAlias(tx, caller, target, req.targetAlias!, {
            reason: `promotion request ${id}`,
          });
        await tx.run(Q.decide, { id, status: 'APPROVED', actor: caller.name, reason: null });
        if (req.rule === 'TWO_PERSON') {
          const signed = await keys.attestPromotion({
            requestId: id,
            versionId: target.id,
            modelName: target.modelName,
            version: req.version,
            rule: req.rule,
            target: { stage: req.targetStage, alias: req.targetAlias },
            requestedBy: req.requestedBy,
            requestedAt: req.requestedAt,
            evidence: req.evidence,
            approvers: approvals.map((a) => a.approver),
          });
          await tx.run(Q.attach, {
            id: randomUUID(),
            requestId: id,
            envelope: signed.envelope,
            keyids: signed.keyids,
            subjectDigest: signed.subjectDigest,
          });
          attestedBy = signed.keyids;
        }
      }
      const view = await this.read(tx, id);
      await appendEvent(tx, {
        type: done ? EventType.PROMOTION_APPROVED : EventType.PROMOTION_APPROVAL_ADDED,
        actor: caller.name,
        modelName: req.modelName,
        version: req.version,
        alias: req.targetAlias,
        subjectId: id,
        after: {
          requestId: id,
          approver: caller.name,
          asOwner: isOwner,
          comment: comment ?? null,
          status: view.status,
          approvers: view.approvals.map((a) => a.approver),
          ...(attestedBy ? { attestedBy } : {}),
        },
      });
      return view;
    }, 'governance.approvePromotion');
  }

  /** Closes a request. The requester may withdraw it; otherwise an owner of the model or a REVIEWER. */
  async reject(caller: Caller, id: string, reason: string): Promise<PromotionRequestView> {
    if (!reason.trim()) throw badInput('reason must not be empty', { field: 'reason' });
    return this.executor.writeTx(async (tx) => {
      const state = await this.lockAndRead(tx, id);
      const req = state.request;
      const check = checkRejecter(req.requestedBy, state.owners, caller);
      if (!check.ok) throw new DomainError(ErrorCode[check.code], check.message, { requestId: id });
      await tx.run(Q.decide, { id, status: 'REJECTED', actor: caller.name, reason });
      const view = await this.read(tx, id);
      await appendEvent(tx, {
        type: EventType.PROMOTION_REJECTED,
        actor: caller.name,
        modelName: req.modelName,
        version: req.version,
        alias: req.targetAlias,
        subjectId: id,
        after: { requestId: id, reason },
      });
      return view;
    }, 'governance.rejectPromotion');
  }

  async get(id: string): Promise<PromotionRequestView | null> {
    return this.executor.readTx(async (tx) => {
      const [row] = await tx.run<StateRow>(Q.get, { keys: [id] });
      return row?.request ? toView(row) : null;
    }, 'governance.getPromotion');
  }

  /**
   * Requests oldest first (by when they were made, then id), filtered by
   * status (EXPIRED: PENDING past its expiry; PENDING: not yet) and by the
   * model their version belongs to now. With `approvableByCaller`, only
   * PENDING requests the caller may approve now, by the same rules approve()
   * applies ({@link rightsOf}): pending requests are read in batches until the
   * page is full, or until {@link APPROVABLE_SCAN_BUDGET} were read, when the
   * page may come back short with a cursor where the reading stopped.
   */
  async list(
    caller: Caller,
    filter: PromotionListFilter,
    page: { first: number; after: unknown[] | null },
  ): Promise<PromotionPage> {
    const approvable = filter.approvableByCaller === true;
    if (approvable && filter.status && filter.status !== 'PENDING') {
      throw badInput('approvableByCaller lists PENDING requests: leave status out or give PENDING', {
        field: 'filter.status',
      });
    }
    const status = approvable ? 'PENDING' : (filter.status ?? null);
    if (status !== null && !STATUSES.includes(status))
      throw badInput(`status must be one of ${STATUSES.join(', ')}`, { field: 'filter.status' });
    let position = parseListCursor(page.after);
    const params = {
      modelName: filter.modelName ?? null,
      statuses: status === null ? STORED_STATUSES : status === 'EXPIRED' ? ['PENDING'] : [status],
      expiry: status === 'PENDING' ? 'LIVE' : status === 'EXPIRED' ? 'EXPIRED' : 'ANY',
    };
    return this.executor.readTx(async (tx) => {
      const found: PromotionPage['items'] = [];
      let read = 0;
      let exhausted = false;
      while (found.length <= page.first && !exhausted && read < APPROVABLE_SCAN_BUDGET) {
        const limit = approvable
          ? Math.min(APPROVABLE_SCAN_BATCH, APPROVABLE_SCAN_BUDGET - read)
          : page.first + 1 - found.length;
        const ids = await tx.run<{ id: string; ms: number }>(Q.page, {
          ...params,
          afterMs: position?.[0] ?? -1,
          afterId: position?.[1] ?? '',
          limit,
        });
        exhausted = ids.length < limit;
        const rows = ids.length ? await tx.run<StateRow>(Q.get, { keys: ids.map((r) => r.id) }) : [];
        for (const [i, { id, ms }] of ids.entries()) {
          read += 1;
          position = [ms, id];
          const row = rows[i]!;
          if (!row.request) continue;
          const view = toView(row);
          if (approvable && !this.rightsOf(caller, view).approve.ok) continue;
          found.push({ view, key: [ms, id] });
          if (found.length > page.first) break;
        }
      }
      const full = found.length > page.first;
      const items = found.slice(0, page.first);
      return {
        items,
        hasNextPage: full || (!exhausted && read >= APPROVABLE_SCAN_BUDGET),
        endKey: full ? (items.at(-1)?.key ?? null) : position,
      };
    }, 'governance.listPromotions');
  }

  /**
   * What `caller` may do with `request` now: approve and reject as
   * approvePromotion and rejectPromotion would decide them (the policy
   * table, the request's state, then the rule). Pure: no database read.
   */
  rightsOf(caller: Caller, request: PromotionRequestView): PromotionRights {
    const closed: ApprovalCheck | null =
      request.status === 'PENDING'
        ? null
        : { ok: false, code: 'CONFLICT', message: `promotion request ${request.id} is ${request.status}` };
    const allowed = (field: string): ApprovalCheck | null => {
      const d = decide(caller, field, 'mutation', { anonymousRead: false });
      return d.allowed ? null : { ok: false, code: 'FORBIDDEN', message: d.message };
    };
    const isOwner = request.owners.includes(caller.name);
    const approve =
      closed ??
      allowed('Mutation.approvePromotion') ??
      checkApprover(request.rule, request.requestedBy, request.approvals, {
        name: caller.name,
        role: caller.role!,
        isOwner,
      });
    const reject =
      closed ?? allowed('Mutation.rejectPromotion') ?? checkRejecter(request.requestedBy, request.owners, caller);
    const approvalCarriesOut =
      approve.ok &&
      isSatisfied(request.rule, request.requestedBy, [
        ...request.approvals,
        { approver: caller.name, role: caller.role!, asOwner: isOwner },
      ]);
    return { approve, approvalCarriesOut, reject };
  }

  /** Replaces a model's owners: an ADMIN, or a current owner. */
  async setModelOwners(
    caller: Caller,
    modelName: string,
    owners: string[],
  ): Promise<{ name: string; owners: string[] }> {
    const unique = [...new Set(owners)];
    if (unique.length > MAX_OWNERS)
      throw badInput(`owners is limited to ${MAX_OWNERS} principals`, { field: 'owners' });
    for (const o of unique)
      if (!isPrincipalName(o))
        throw badInput(`owner "${o.slice(0, 100)}" is not a valid principal name`, { field: 'owners' });
    return this.executor.writeTx(async (tx) => {
      const current = await this.modelGovernance(tx, modelName);
      if (!hasRole(caller.role, Role.ADMIN) && !current.owners.includes(caller.name)) {
        throw new DomainError(
          ErrorCode.FORBIDDEN,
          `setting the owners of "${modelName}" needs role ADMIN or a current owner; "${caller.name}" is neither`,
        );
      }
      const [row] = await tx.run<{ name: string; before: string[]; owners: string[] }>(Q.setOwners, {
        modelName,
        owners: unique,
      });
      await appendEvent(tx, {
        type: EventType.MODEL_OWNERS_SET,
        actor: caller.name,
        modelName,
        before: row!.before,
        after: row!.owners,
      });
      return { name: row!.name, owners: row!.owners };
    }, 'governance.setModelOwners');
  }

  /**
   * Moves an alias back to a version it pointed to before, without a request
   * (REVIEWER, checked by the policy table); recorded as a ROLLBACK event with
   * the reason. The registry's alias move does the rest.
   */
  async rollback(
    caller: Caller,
    modelName: string,
    alias: string,
    version: number,
    reason: string,
  ): Promise<AliasMove> {
    if (!reason.trim()) throw badInput('reason must not be empty', { field: 'reason' });
    return this.executor.writeTx(async (tx) => {
      const target = await this.registry.resolveVersion(tx, { modelName, version });
      // By the version node: a rename since does not change what the alias pointed to.
      const [before] = await tx.run<{ pointedBefore: boolean; current: number | null }>(Q.pointedBefore, {
        modelId: target.model!.id,
        alias,
        versionId: target.id,
      });
      if (!before?.pointedBefore) {
        throw gateFailed(
          `alias "${alias}" of "${modelName}" never pointed to version ${version}: rollback only returns to an earlier target (use requestPromotion for a new one)`,
          { gate: 'rollback' },
        );
      }
      if (before.current === version)
        throw badInput(`alias "${alias}" of "${modelName}" already points to version ${version}`, { field: 'version' });
      return this.registry.moveAlias(tx, caller, target, alias, { eventType: EventType.ROLLBACK, reason });
    }, 'governance.rollback');
  }

  /** A model's owners and protected aliases (defaults applied). NOT_FOUND when the model does not exist. */
  async modelGovernance(tx: Tx, modelName: string): Promise<{ owners: string[]; protectedAliases: string[] }> {
    const [row] = await tx.run<{ owners: string[]; protectedAliases: string[] | null }>(Q.model, { modelName });
    if (!row) throw notFound(`no registered model is named "${modelName}"`);
    return { owners: row.owners, protectedAliases: [...protectedAliasesOf(row, this.opts.protectedAliases)] };
  }

  private async lockAndRead(
    tx: Tx,
    id: string,
  ): Promise<{ request: PromotionRequestView; approvals: ApprovalView[]; owners: string[] }> {
    const locked = await tx.run(Q.lock, { id });
    if (locked.length === 0) throw notFound(`no promotion request has id "${id}"`);
    const [row] = await tx.run<StateRow>(Q.get, { keys: [id] });
    const view = toView(row!);
    if (view.status !== 'PENDING') {
      throw conflict(
        view.status === 'EXPIRED'
          ? `promotion request ${id} expired at ${view.expiresAt}; make a new request`
          : `promotion request ${id} is already ${view.status}`,
        { requestId: id, status: view.status },
      );
    }
    return { request: view, approvals: view.approvals, owners: row!.owners };
  }

  private async read(tx: Tx, id: string): Promise<PromotionRequestView> {
    const [row] = await tx.run<StateRow>(Q.get, { keys: [id] });
    return toView(row!);
  }
}

const STATUSES: readonly PromotionStatus[] = ['PENDING', 'APPROVED', 'REJECTED', 'EXPIRED', 'CANCELLED'];
/** What a request node stores (EXPIRED is computed from a stored PENDING). */
const STORED_STATUSES = ['PENDING', 'APPROVED', 'REJECTED', 'CANCELLED'];

/** A list cursor's key: [requestedAt in epoch ms, id], or null for the first page. */
function parseListCursor(after: unknown[] | null): [number, string] | null {
  if (after === null) return null;
  const [ms, id] = after;
  if (after.length !== 2 || !Number.isSafeInteger(ms) || typeof id !== 'string')
    throw badInput('after is not a cursor returned by promotionRequests', { field: 'after' });
  return [ms as number, id];
}

function toView(row: StateRow): PromotionRequestView {
  const r = row.request!;
  const status = (r.status === 'PENDING' && row.expired ? 'EXPIRED' : r.status) as PromotionStatus;
  return {
    ...r,
    status,
    evidence: r.evidence ? (JSON.parse(r.evidence) as Evidence[]) : [],
    approvals: row.approvals.map((a) => ({ ...a, role: isRole(a.role) ? a.role : Role.VIEWER })),
    attestation: row.attestation ?? null,
    owners: row.owners,
    currentTargetId: row.currentTargetId ?? null,
  };
}

function parseTarget(target: PromotionTarget): PromotionTarget {
  const hasStage = target.stage !== undefined && target.stage !== null;
  const hasAlias = target.alias !== undefined && target.alias !== null;
  if (hasStage === hasAlias) throw badInput('target must name exactly one of stage and alias', { field: 'target' });
  if (hasStage) {
    if (!(STAGES as readonly string[]).includes(target.stage!))
      throw badInput(`target.stage must be one of ${STAGES.join(', ')}`, { field: 'target.stage' });
    return { stage: target.stage! };
  }
  // The registry's own alias rule: a promotion may target any alias setAlias accepts.
  assertAliasName(target.alias!, 'target.alias');
  return { alias: target.alias! };
}

function parseEvidence(evidence: Evidence[]): Evidence[] {
  if (evidence.length > MAX_EVIDENCE)
    throw badInput(`evidence is limited to ${MAX_EVIDENCE} items`, { field: 'evidence' });
  return evidence.map((e, i) => {
    if (!e.kind || !e.kind.trim()) throw badInput(`evidence[${i}].kind must not be empty`, { field: 'evidence' });
    if (e.uri != null && (e.uri.length > 2048 || !/^[a-z][a-z0-9+.-]*:\/\/[^\s]+$/i.test(e.uri))) {
      throw badInput(`evidence[${i}].uri must be an absolute URI such as https://… (at most 2048 characters)`, {
        field: 'evidence',
      });
    }
    return { kind: e.kind, passed: e.passed ?? true, uri: e.uri ?? null, summary: e.summary ?? null };
  });
}
