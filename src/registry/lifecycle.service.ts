import { badInput, conflict, DomainError, ErrorCode, gateFailed, notFound } from '../errors.js';
import { hasRole, Role } from '../governance/roles.js';
import { appendEvent, EventType } from '../events/event-log.js';
import { statement } from '../graph/cypher.js';
import type { Executor, Tx } from '../graph/executor.js';
import { CLOSED_GUARD, type GovernanceGuard } from '../governance/guard.js';
import type { RegistryLookup } from './lookup.js';
import {
  EVIDENCE_KINDS,
  STAGES,
  type Evidence,
  type EvidenceKind,
  type GateThreshold,
  type Metric,
  type ModelRecord,
  type Stage,
  type VersionRecord,
  type VersionRef,
} from './types.js';
import { assertModelName, assertText, MAX_GATES, MAX_PROTECTED_ALIASES, validateSource } from './validation.js';
import type { Caller } from '../governance/policy.js';
import { REQUIRED_CARD_SECTIONS, titleFor } from '../operations/model-card.js';

const Q = {
  lock: statement('registry/lock-model-stages'),
  states: statement('registry/gate-states'),
  setStage: statement('registry/set-stage'),
  addEvidence: statement('registry/add-evidence'),
  setGates: statement('registry/set-gates'),
  setChecklist: statement('registry/set-archival-checklist'),
  completeItem: statement('registry/complete-checklist-item'),
  checklists: statement('registry/checklists-by-versions'),
  everProduction: statement('registry/ever-production-versions'),
  setProtected: statement('registry/set-protected-aliases'),
};

/** Items a model's archival checklist holds at most. */
export const MAX_CHECKLIST_ITEMS = 50;
/** Versions one rollback drill checks at most (newest first). */
export const MAX_DRILL_VERSIONS = 100;

export interface TransitionRequest {
  stage: Stage;
  comment?: string | null;
  /** With → PRODUCTION: archive the versions now in PRODUCTION. */
  archiveExisting?: boolean;
}

interface GateState {
  version: VersionRecord;
  gates: string | null;
  metrics: Metric[];
  evidence: Evidence[];
  /** The other versions in PRODUCTION, with the archival checklist items completed for each. */
  otherProduction: { id: string; version: number; completed: string[] }[];
  /** Keys of the non-empty human-written model-card sections (model-wide or the version's own). */
  cardSections: string[];
  /** The model's archival checklist (items every version leaving PRODUCTION for ARCHIVED must have completed). */
  checklist: string[] | null;
  /** Checklist items completed for this version. */
  completed: string[];
}

/**
 * The lifecycle DEVELOPMENT → STAGING → CANARY → PRODUCTION → ARCHIVED, each
 * step behind a gate. A refused gate is GATE_FAILED naming the unmet
 * condition and writes nothing.
 */
export class LifecycleService {
  constructor(
    private readonly executor: Executor,
    private readonly lookup: RegistryLookup,
    private readonly allowFileSources: boolean,
    /**
     * The files behind a source, hashed now, when they lie in Pedigree's artifact store (the rollback drill checks
     * them).
     */
    private readonly sources: { inspectSource(source: string): Promise<{ checksum: string } | null> },
    /** Governance's rules for direct stage changes; without one, every governed target is refused. */
    private readonly guard: GovernanceGuard = CLOSED_GUARD,
  ) {}

  /**
   * A direct stage change, on any transport: the registry's governance guard
   * decides who may move a version into or out of CANARY and PRODUCTION, then
   * the gates apply.
   */
  async transition(caller: Caller, ref: VersionRef, req: TransitionRequest): Promise<VersionRecord> {
    if (!(STAGES as readonly string[]).includes(req.stage))
      throw badInput(`stage must be one of ${STAGES.join(', ')}`, { field: 'stage' });
    assertText(req.comment, 'comment', 5000);
    return this.executor.writeTx(async (tx) => {
      const target = await this.lookup.requireVersion(tx, ref);
      await this.guard.stageChange(tx, caller, { version: target, to: req.stage });
      return this.transitionIn(tx, caller, target.id, req);
    }, 'transitionModelVersionStage');
  }

  /**
   * Evaluates the gate and moves the version inside the caller's transaction
   * (governance carries out approved promotions through this).
   */
  async transitionIn(
    tx: Tx,
    caller: Pick<Caller, 'name'>,
    versionId: string,
    req: TransitionRequest,
  ): Promise<VersionRecord> {
    await tx.run(Q.lock, { keys: [versionId] });
    const [state] = await tx.run<GateState | { version: null }>(Q.states, { keys: [versionId] });
    if (!state?.version) throw conflict('the version was deleted while the transition was under way');
    const from = state.version.stage;
    const kind = checkGate(state, req);
    const changes = [{ versionId, from }];
    const archived = req.stage === 'PRODUCTION' && req.archiveExisting ? state.otherProduction : [];
    for (const o of archived) {
      // Archiving on promotion is a way out of PRODUCTION too: the checklist applies.
      assertChecklistDone(state.checklist, o.completed, `version ${o.version} of "${state.version.modelName}"`);
      changes.push({ versionId: o.id, from: 'PRODUCTION' });
    }
    const moved = await tx.run<{ version: VersionRecord }>(Q.setStage, {
      changes: changes.slice(0, 1),
      stage: req.stage,
    });
    if (moved.length !== 1)
      throw conflict(
        `version ${state.version.version} of "${state.version.modelName}" changed stage concurrently; retry`,
      );
    if (archived.length) {
      const done = await tx.run(Q.setStage, { changes: changes.slice(1), stage: 'ARCHIVED' });
      if (done.length !== archived.length) throw conflict('a production version changed stage concurrently; retry');
      for (const o of archived) {
        await appendEvent(tx, {
          type: EventType.STAGE_CHANGED,
          actor: caller.name,
          modelName: state.version.modelName,
          version: o.version,
          subjectId: o.id,
          before: { stage: 'PRODUCTION' },
          after: { stage: 'ARCHIVED', reason: `archived by the promotion of version ${state.version.version}` },
        });
      }
    }
    await appendEvent(tx, {
      type: kind === 'rollback' ? EventType.STAGE_ROLLBACK : EventType.STAGE_CHANGED,
      actor: caller.name,
      modelName: state.version.modelName,
      version: state.version.version,
      subjectId: versionId,
      before: { stage: from },
      after: { stage: req.stage, ...(req.comment ? { comment: req.comment } : {}) },
    });
    return moved[0]!.version;
  }

  async addEvidence(
    caller: Pick<Caller, 'name'>,
    ref: VersionRef,
    e: { kind: EvidenceKind; passed: boolean; uri?: string | null; summary?: string | null },
  ): Promise<Evidence> {
    // ROLLBACK_DRILL is not among them: only rollbackDrill records it.
    if (!(EVIDENCE_KINDS as readonly string[]).includes(e.kind))
      throw badInput(`kind must be one of ${EVIDENCE_KINDS.join(', ')}`, { field: 'kind' });
    if (e.uri) validateSource(e.uri, { allowFile: this.allowFileSources }, 'uri');
    assertText(e.summary, 'summary', 5000);
    return this.executor.writeTx(async (tx) => {
      const v = await this.lookup.requireVersion(tx, ref);
      const [row] = await tx.run<{ evidence: Evidence }>(Q.addEvidence, {
        versionId: v.id,
        kind: e.kind,
        passed: e.passed,
        uri: e.uri ?? null,
        summary: e.summary ?? null,
        actor: caller.name,
      });
      await appendEvent(tx, {
        type: EventType.EVIDENCE_ADDED,
        actor: caller.name,
        modelName: v.modelName,
        version: v.version,
        subjectId: v.id,
        after: { kind: e.kind, passed: e.passed, uri: e.uri ?? null },
      });
      return row!.evidence;
    }, 'addModelVersionEvidence');
  }

  /**
   * Replaces a model's archival checklist: the items (e.g. "consumers
   * notified", "card updated", "monitoring moved") each version must have
   * completed before it leaves PRODUCTION for ARCHIVED. An ADMIN or an owner
   * of the model; an empty list removes the checklist.
   */
  async setArchivalChecklist(caller: Caller, modelName: string, items: string[]): Promise<ModelRecord> {
    assertModelName(modelName, 'modelName');
    const unique = [...new Set(items.map((i) => i.trim()))];
    if (unique.length > MAX_CHECKLIST_ITEMS)
      throw badInput(`an archival checklist has at most ${MAX_CHECKLIST_ITEMS} items`, { field: 'items' });
    for (const i of unique)
      if (!i || i.length > 200) throw badInput('checklist items are 1–200 characters', { field: 'items' });
    return this.executor.writeTx(async (tx) => {
      const [model] = await this.lookup.modelsIn(tx, [modelName]);
      if (!model) throw missingModel(modelName);
      if (!hasRole(caller.role, Role.ADMIN) && !(model.owners ?? []).includes(caller.name)) {
        throw new DomainError(
          ErrorCode.FORBIDDEN,
          `setting the archival checklist of "${modelName}" needs role ADMIN or an owner of the model; "${caller.name}" is neither`,
        );
      }
      const [row] = await tx.run<{ before: string[] | null; model: ModelRecord }>(Q.setChecklist, {
        modelId: model.id,
        items: unique,
      });
      await appendEvent(tx, {
        type: EventType.ARCHIVAL_CHECKLIST_SET,
        actor: caller.name,
        modelName,
        subjectId: model.id,
        before: row!.before ?? [],
        after: unique,
      });
      return row!.model;
    }, 'setArchivalChecklist');
  }

  /**
   * Records that `item` of the model's archival checklist is done for a
   * version, with evidence, in the caller's name (ARCHIVAL_CHECKLIST_ITEM_COMPLETED).
   * Completing an item again replaces its evidence.
   */
  async completeChecklistItem(
    caller: Caller,
    ref: VersionRef,
    item: string,
    evidence: { uri?: string | null; summary: string },
  ): Promise<ChecklistItemStatus[]> {
    if (!evidence.summary?.trim()) throw badInput('evidence.summary must say what was done', { field: 'summary' });
    assertText(evidence.summary, 'summary', 5000);
    if (evidence.uri) validateSource(evidence.uri, { allowFile: this.allowFileSources }, 'uri');
    return this.executor.writeTx(async (tx) => {
      const v = await this.lookup.requireVersion(tx, ref);
      const checklist = v.model?.archivalChecklist ?? [];
      if (!checklist.includes(item)) {
        throw badInput(
          `"${item}" is not an item of the archival checklist of "${v.modelName}" (${checklist.length ? checklist.map((i) => `"${i}"`).join(', ') : 'it has none'})`,
          { field: 'item' },
        );
      }
      await tx.run(Q.completeItem, {
        versionId: v.id,
        item,
        uri: evidence.uri ?? null,
        summary: evidence.summary,
        actor: caller.name,
      });
      await appendEvent(tx, {
        type: EventType.ARCHIVAL_CHECKLIST_ITEM_COMPLETED,
        actor: caller.name,
        modelName: v.modelName,
        version: v.version,
        subjectId: v.id,
        after: { item, uri: evidence.uri ?? null, summary: evidence.summary },
      });
      const [statuses] = await this.checklistsIn(tx, [v.id]);
      return statuses!;
    }, 'completeArchivalChecklistItem');
  }

  /** Each version's archival checklist: every item of its model's list, done or not (DataLoader batch). */
  async checklists(versionIds: readonly string[]): Promise<ChecklistItemStatus[][]> {
    return this.executor.readTx((tx) => this.checklistsIn(tx, versionIds), 'archivalChecklists');
  }

  private async checklistsIn(tx: Tx, versionIds: readonly string[]): Promise<ChecklistItemStatus[][]> {
    const rows = await tx.run<{ items: string[] | null; done: ChecklistItemStatus[] }>(Q.checklists, {
      keys: versionIds,
    });
    return rows.map((r) =>
      (r.items ?? []).map(
        (item) =>
          r.done.find((d) => d.item === item) ?? { item, done: false, by: null, at: null, uri: null, summary: null },
      ),
    );
  }

  /**
   * Each version's gate into a stage, evaluated now without moving anything
   * (DataLoader batch: one statement): the requirements, met or not, and what
   * the transition would be refused for. Null for a version that does not
   * exist. What a promotion request will meet when it is carried out.
   */
  async gatePreviews(keys: readonly { versionId: string; stage: Stage }[]): Promise<(GatePreview | null)[]> {
    const rows = await this.executor.read<GateState | { version: null }>(Q.states, {
      keys: keys.map((k) => k.versionId),
    });
    return rows.map((row, i) => (row.version ? previewGate(row as GateState, keys[i]!.stage) : null));
  }

  /**
   * A rollback drill: for every version of the model that was ever in
   * PRODUCTION (newest first, at most 100), checks that a rollback to it would
   * still work: its artefacts are still there and hash to its checksum (for
   * sources in Pedigree's store; external ones are reported as EXTERNAL,
   * unchecked), and the → PRODUCTION gate's requirements still hold. Each
   * version's result is recorded as ROLLBACK_DRILL evidence in the caller's
   * name, and the whole as a ROLLBACK_DRILL_RECORDED event.
   */
  async rollbackDrill(caller: Caller, modelName: string): Promise<RollbackDrill> {
    assertModelName(modelName, 'modelName');
    const versions = await this.executor.read<{ version: VersionRecord }>(Q.everProduction, {
      modelName,
      limit: MAX_DRILL_VERSIONS,
    });
    if (versions.length === 0 && !(await this.lookup.getModel(modelName))) throw missingModel(modelName);
    // Hashing reads the files: outside the transaction that records the result.
    const artefacts = await Promise.all(
      versions.map(async ({ version: v }): Promise<Pick<DrillVersion, 'artefacts' | 'found'>> => {
        try {
          const stored = await this.sources.inspectSource(v.source);
          if (!stored) return { artefacts: 'EXTERNAL', found: null };
          return { artefacts: stored.checksum === v.checksum ? 'MATCH' : 'MISMATCH', found: stored.checksum };
        } catch (err) {
          if (err instanceof DomainError && err.code === ErrorCode.BAD_USER_INPUT)
            return { artefacts: 'MISSING', found: null };
          throw err;
        }
      }),
    );
    return this.executor.writeTx(async (tx) => {
      const results: DrillVersion[] = [];
      const keys = versions.map(({ version: v }) => v.id);
      if (keys.length) await tx.run(Q.lock, { keys });
      const states = keys.length ? await tx.run<GateState | { version: null }>(Q.states, { keys }) : [];
      for (const [i, { version: v }] of versions.entries()) {
        const state = states[i];
        if (!state?.version) continue;
        const { missing, unwritten } = productionRequirements(state);
        const unmet = [...(v.checksum ? [] : ['checksum']), ...missing, ...unwritten.map((k) => `card:${k}`)];
        const a = artefacts[i]!;
        const passed = (a.artefacts === 'MATCH' || a.artefacts === 'EXTERNAL') && unmet.length === 0;
        const summary = `rollback drill: artefacts ${a.artefacts}${a.artefacts === 'MISMATCH' ? ` (found ${a.found}, registered ${v.checksum})` : ''}; gates ${unmet.length ? `unmet: ${unmet.join(', ')}` : 'hold'}`;
        await tx.run(Q.addEvidence, {
          versionId: v.id,
          kind: 'ROLLBACK_DRILL',
          passed,
          uri: null,
          summary,
          actor: caller.name,
        });
        results.push({
          version: state.version,
          stage: state.version.stage,
          artefacts: a.artefacts,
          found: a.found,
          unmetGates: unmet,
          passed,
        });
      }
      const ev = await appendEvent(tx, {
        type: EventType.ROLLBACK_DRILL_RECORDED,
        actor: caller.name,
        modelName,
        after: {
          passed: results.every((r) => r.passed),
          versions: results.map((r) => ({
            version: r.version.version,
            artefacts: r.artefacts,
            unmetGates: r.unmetGates,
            passed: r.passed,
          })),
        },
      });
      return { modelName, at: ev.at, sequence: ev.sequence, passed: results.every((r) => r.passed), versions: results };
    }, 'rollbackDrill');
  }

  /** Replaces the STAGING gate of a model: every threshold must hold for → STAGING. */
  async setGates(caller: Pick<Caller, 'name'>, modelName: string, thresholds: GateThreshold[]): Promise<ModelRecord> {
    assertModelName(modelName, 'modelName');
    if (thresholds.length > MAX_GATES) throw badInput(`at most ${MAX_GATES} gate thresholds`, { field: 'thresholds' });
    for (const t of thresholds) {
      if (!t.metric || t.metric.length > 250)
        throw badInput('threshold metric keys must be 1–250 characters', { field: 'thresholds' });
      if (!Number.isFinite(t.value))
        throw badInput(`threshold for "${t.metric}" must be a finite number`, { field: 'thresholds' });
    }
    return this.executor.writeTx(async (tx) => {
      const [row] = await tx.run<{ before: string | null; model: ModelRecord }>(Q.setGates, {
        modelName,
        gates: JSON.stringify(thresholds),
      });
      if (!row) throw missingModel(modelName);
      await appendEvent(tx, {
        type: EventType.GATES_SET,
        actor: caller.name,
        modelName,
        subjectId: row.model.id,
        before: row.before ? JSON.parse(row.before) : null,
        after: thresholds,
      });
      return row.model;
    }, 'setModelGates');
  }

  async setProtectedAliases(caller: Pick<Caller, 'name'>, modelName: string, aliases: string[]): Promise<ModelRecord> {
    assertModelName(modelName, 'modelName');
    if (aliases.length > MAX_PROTECTED_ALIASES)
      throw badInput(`at most ${MAX_PROTECTED_ALIASES} protected aliases`, { field: 'aliases' });
    return this.executor.writeTx(async (tx) => {
      const [row] = await tx.run<{ before: string[] | null; model: ModelRecord }>(Q.setProtected, {
        modelName,
        aliases: [...new Set(aliases)].sort(),
      });
      if (!row) throw missingModel(modelName);
      await appendEvent(tx, {
        type: EventType.PROTECTED_ALIASES_SET,
        actor: caller.name,
        modelName,
        subjectId: row.model.id,
        before: row.before,
        after: row.model.protectedAliases,
      });
      return row.model;
    }, 'setProtectedAliases');
  }
}

/** A rollback drill's result for one version that was in PRODUCTION. */
export interface DrillVersion {
  version: VersionRecord;
  stage: Stage;
  /** MATCH, MISMATCH or MISSING for artefacts in Pedigree's store; EXTERNAL (not checked) for other sources. */
  artefacts: 'MATCH' | 'MISMATCH' | 'MISSING' | 'EXTERNAL';
  /** The checksum the stored files hash to now (MATCH or MISMATCH). */
  found: string | null;
  /** The → PRODUCTION requirements it no longer meets (evidence kinds, `card:` sections, `checksum`). */
  unmetGates: string[];
  passed: boolean;
}

export interface RollbackDrill {
  modelName: string;
  at: string;
  sequence: string;
  /** Every version passed (EXTERNAL artefacts count as passed: Pedigree cannot read them). */
  passed: boolean;
  versions: DrillVersion[];
}

/** One item of a version's archival checklist. */
export interface ChecklistItemStatus {
  item: string;
  done: boolean;
  by: string | null;
  at: string | null;
  uri: string | null;
  summary: string | null;
}

function missingModel(modelName: string) {
  return notFound(`no registered model named "${modelName}"`, { field: 'modelName' });
}

const ORDER: Record<Stage, number> = { DEVELOPMENT: 0, STAGING: 1, CANARY: 2, PRODUCTION: 3, ARCHIVED: 4 };
/** Passed evidence → CANARY needs. */
const CANARY_EVIDENCE = ['HUMAN_REVIEW', 'FAIRNESS_CHECK'] as const;
/** Passed evidence → PRODUCTION needs (with the required card sections). */
const PRODUCTION_EVIDENCE = ['SLO_VALIDATION', 'SIGN_OFF'] as const;

const passedEvidence = (state: Pick<GateState, 'evidence'>, kind: EvidenceKind) =>
  state.evidence.some((e) => e.kind === kind && e.passed);

/** The model's STAGING thresholds, each with the version's overall value. */
function thresholdValues(
  state: Pick<GateState, 'gates' | 'metrics'>,
): { threshold: GateThreshold; value: number | undefined; met: boolean }[] {
  const thresholds = state.gates ? (JSON.parse(state.gates) as GateThreshold[]) : [];
  const overall = new Map(state.metrics.filter((m) => m.segment === null).map((m) => [m.key, m.value]));
  return thresholds.map((t) => {
    const value = overall.get(t.metric);
    return { threshold: t, value, met: value !== undefined && compare(value, t.op, t.value) };
  });
}

/**
 * The gate rules, in one place. Returns 'rollback' when a version that was in
 * PRODUCTION before returns to it directly.
 */
export function checkGate(state: GateState, req: TransitionRequest): 'promotion' | 'demotion' | 'archive' | 'rollback' {
  const v = state.version;
  const from = v.stage;
  const to = req.stage;
  const name = `version ${v.version} of "${v.modelName}"`;
  if (from === to) throw badInput(`${name} is already in ${to}`, { field: 'stage' });

  // Every way out of PRODUCTION keeps one version there: models:/NAME/Production never goes empty by a demotion.
  if (from === 'PRODUCTION' && state.otherProduction.length === 0) {
    throw gateFailed(
      `${name} is the only version in PRODUCTION: promote another version to PRODUCTION before taking it out (to ${to})`,
      { unmet: ['replacement'] },
    );
  }
  if (to === 'ARCHIVED') {
    if (from === 'PRODUCTION') assertChecklistDone(state.checklist, state.completed, name);
    return 'archive';
  }
  if (to === 'PRODUCTION' && v.everProduction) {
    if (!req.comment)
      throw gateFailed(`returning ${name} to PRODUCTION is a rollback and needs a comment giving the reason`);
    return 'rollback';
  }
  if (from === 'ARCHIVED')
    throw gateFailed(
      `${name} is ARCHIVED; only a version that was in PRODUCTION may return (to PRODUCTION, as a rollback)`,
    );
  if (to === 'DEVELOPMENT' || ORDER[to] < ORDER[from]) return 'demotion';
  if (ORDER[to] !== ORDER[from] + 1) {
    throw gateFailed(
      `${name} is in ${from}; the next stage is ${STAGES[ORDER[from] + 1]}, not ${to} (stages go DEVELOPMENT → STAGING → CANARY → PRODUCTION)`,
    );
  }
  switch (to) {
    case 'STAGING': {
      if (!v.checksum) {
        throw gateFailed(
          `${name} is unverified (registered from an external source without a checksum): attach its checksum before → STAGING`,
          { unmet: ['checksum'] },
        );
      }
      const thresholds = thresholdValues(state);
      if (thresholds.length === 0) {
        if (state.metrics.length === 0)
          throw gateFailed(
            `${name} has no metrics: → STAGING needs at least one metric when the model configures no thresholds`,
          );
        return 'promotion';
      }
      const unmet = thresholds.filter((t) => !t.met);
      if (unmet.length) {
        throw gateFailed(
          `→ STAGING needs ${unmet.map(({ threshold: t, value }) => `${t.metric} ${OP_TEXT[t.op]} ${t.value} (has ${value ?? 'none'})`).join(', ')}`,
          { unmet: unmet.map((t) => t.threshold.metric) },
        );
      }
      return 'promotion';
    }
    case 'CANARY': {
      const missing = CANARY_EVIDENCE.filter((k) => !passedEvidence(state, k));
      if (missing.length)
        throw gateFailed(
          `→ CANARY needs passed evidence of kind ${missing.join(' and ')} on ${name} (addModelVersionEvidence)`,
          { unmet: missing },
        );
      return 'promotion';
    }
    case 'PRODUCTION': {
      const { missing, unwritten } = productionRequirements(state);
      if (missing.length)
        throw gateFailed(
          `→ PRODUCTION needs passed evidence of kind ${missing.join(' and ')} on ${name} (addModelVersionEvidence)`,
          { unmet: missing },
        );
      if (unwritten.length) {
        throw gateFailed(
          `→ PRODUCTION needs a model card with the sections ${unwritten.map((k) => `"${k}"`).join(' and ')} written for ${name} (setModelCardSection)`,
          { unmet: unwritten.map((k) => `card:${k}`) },
        );
      }
      return 'promotion';
    }
    default:
      throw gateFailed(`no transition from ${from} to ${to}`);
  }
}

/**
 * What the → PRODUCTION gate wants and `state` lacks: passed evidence kinds, and the model card's required sections.
 */
function productionRequirements(state: Pick<GateState, 'evidence' | 'cardSections'>): {
  missing: EvidenceKind[];
  unwritten: string[];
} {
  const missing = PRODUCTION_EVIDENCE.filter((k) => !passedEvidence(state, k));
  return { missing, unwritten: REQUIRED_CARD_SECTIONS.filter((k) => !state.cardSections.includes(k)) };
}

/** One requirement of a stage gate, met or not. */
export interface GateCheck {
  /**
   * `replacement`, `checksum`, `metric`, `threshold:<metric>`, `evidence:<KIND>`, `card:<section>`, `checklist:<item>`
   * or `rollback`.
   */
  check: string;
  passed: boolean;
  detail: string;
}

/**
 * A gate evaluated without moving anything: its requirements, and why the transition would be refused now (null: it
 * would pass).
 */
export interface GatePreview {
  stage: Stage;
  checks: GateCheck[];
  refusal: string | null;
}

/**
 * The requirements {@link checkGate} checks for a move into `to`, itemised
 * (met or not) for people to read; the order of stages is checkGate's alone
 * and shows in {@link previewGate}'s refusal.
 */
/**
 * Checks {@link gateRequirements} lists at most: the replacement, then the
 * largest of one move's lists (the checksum and a metric or one per threshold;
 * the evidence kinds and required card sections; the archival checklist).
 */
export const MAX_GATE_CHECKS =
  1 +
  Math.max(
    1 + MAX_GATES,
    CANARY_EVIDENCE.length,
    PRODUCTION_EVIDENCE.length + REQUIRED_CARD_SECTIONS.length,
    MAX_CHECKLIST_ITEMS,
  );

export function gateRequirements(state: GateState, to: Stage): GateCheck[] {
  const v = state.version;
  const checks: GateCheck[] = [];
  const evidence = (kinds: readonly EvidenceKind[]) =>
    kinds.map((k) => ({
      check: `evidence:${k}`,
      passed: passedEvidence(state, k),
      detail: `passed ${k} evidence (addModelVersionEvidence)`,
    }));
  if (v.stage === 'PRODUCTION' && to !== 'PRODUCTION') {
    checks.push({
      check: 'replacement',
      passed: state.otherProduction.length > 0,
      detail: 'another version is in PRODUCTION (it never goes empty)',
    });
  }
  switch (to) {
    case 'STAGING': {
      checks.push({ check: 'checksum', passed: !!v.checksum, detail: 'the artifact has a checksum' });
      const thresholds = thresholdValues(state);
      if (thresholds.length === 0)
        checks.push({
          check: 'metric',
          passed: state.metrics.length > 0,
          detail: 'at least one metric (the model sets no thresholds)',
        });
      for (const { threshold: t, value, met } of thresholds) {
        checks.push({
          check: `threshold:${t.metric}`,
          passed: met,
          detail: `${t.metric} ${OP_TEXT[t.op]} ${t.value} (has ${value ?? 'none'})`,
        });
      }
      break;
    }
    case 'CANARY':
      checks.push(...evidence(CANARY_EVIDENCE));
      break;
    case 'PRODUCTION': {
      if (v.everProduction) {
        checks.push({
          check: 'rollback',
          passed: true,
          detail: 'it was in PRODUCTION before: it returns as a rollback, with a comment',
        });
        break;
      }
      const { unwritten } = productionRequirements(state);
      checks.push(...evidence(PRODUCTION_EVIDENCE));
      for (const key of REQUIRED_CARD_SECTIONS) {
        checks.push({
          check: `card:${key}`,
          passed: !unwritten.includes(key),
          detail: `model card section "${titleFor(key, key)}" written (setModelCardSection)`,
        });
      }
      break;
    }
    case 'ARCHIVED':
      if (v.stage === 'PRODUCTION') {
        for (const item of state.checklist ?? []) {
          checks.push({
            check: `checklist:${item}`,
            passed: state.completed.includes(item),
            detail: `archival checklist item "${item}" completed`,
          });
        }
      }
      break;
    case 'DEVELOPMENT':
      break;
  }
  return checks;
}

/**
 * The gate into `to` as a promotion request would meet it if carried out now: {@link gateRequirements} and checkGate's
 * verdict.
 */
export function previewGate(state: GateState, to: Stage): GatePreview {
  let refusal: string | null = null;
  try {
    checkGate(state, { stage: to, comment: 'promotion request' });
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    refusal = err.message;
  }
  return { stage: to, checks: gateRequirements(state, to), refusal };
}

/**
 * PRODUCTION → ARCHIVED: every item of the model's archival checklist completed for the version
 * (completeArchivalChecklistItem).
 */
function assertChecklistDone(checklist: string[] | null, completed: string[], name: string): void {
  const open = (checklist ?? []).filter((i) => !completed.includes(i));
  if (open.length) {
    throw gateFailed(
      `archiving ${name} out of PRODUCTION needs its archival checklist complete; still open: ${open.map((i) => `"${i}"`).join(', ')} (completeArchivalChecklistItem)`,
      {
        unmet: open.map((i) => `checklist:${i}`),
      },
    );
  }
}

const OP_TEXT = { GT: '>', GTE: '≥', LT: '<', LTE: '≤', EQ: '=' } as const;

function compare(value: number, op: GateThreshold['op'], target: number): boolean {
  switch (op) {
    case 'GT':
      return value > target;
    case 'GTE':
      return value >= target;
    case 'LT':
      return value < target;
    case 'LTE':
      return value <= target;
    case 'EQ':
      return value === target;
  }
}
