import { badInput, conflict, gateFailed, notFound } from '../errors.js';
import { appendEvent, EventType } from '../events/event-log.js';
import { statement } from '../graph/cypher.js';
import type { Executor, Tx } from '../graph/executor.js';
import type { RegistryService } from './registry.service.js';
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
import { REQUIRED_CARD_SECTIONS } from '../operations/model-card.js';

const Q = {
  read: statement('registry/read-transition'),
  setStage: statement('registry/set-stage'),
  addEvidence: statement('registry/add-evidence'),
  setGates: statement('registry/set-gates'),
  setProtected: statement('registry/set-protected-aliases'),
};

export interface TransitionRequest {
  stage: Stage;
  comment?: string | null;
  /** With → PRODUCTION: archive the versions now in PRODUCTION. */
  archiveExisting?: boolean;
  /**
   * The caller holds the REVIEWER role: returning a version that was in
   * PRODUCTION before is then a rollback that needs no promotion request.
   */
  asReviewer?: boolean;
}

interface GateState {
  version: VersionRecord;
  gates: string | null;
  metrics: Metric[];
  evidence: Evidence[];
  otherProduction: { id: string; version: number }[];
  /** Keys of the non-empty human-written model-card sections (model-wide or the version's own). */
  cardSections: string[];
}

/**
 * The lifecycle DEVELOPMENT → STAGING → CANARY → PRODUCTION → ARCHIVED, each
 * step behind a gate. A refused gate is GATE_FAILED naming the unmet
 * condition and writes nothing.
 */
export class LifecycleService {
  constructor(
    private readonly executor: Executor,
    private readonly registry: RegistryService,
    private readonly allowFileSources: boolean,
  ) {}

  async transition(ref: VersionRef, req: TransitionRequest, actor: string): Promise<VersionRecord> {
    if (!(STAGES as readonly string[]).includes(req.stage)) throw badInput(`stage must be one of ${STAGES.join(', ')}`, { field: 'stage' });
    assertText(req.comment, 'comment', 5000);
    return this.executor.writeTx(async (tx) => {
      const target = await this.registry.requireVersion(tx, ref);
      if (this.registry.promotionGuard) {
        const rollbackByReviewer = Boolean(req.asReviewer) && req.stage === 'PRODUCTION' && target.everProduction;
        await this.registry.promotionGuard(tx, { kind: 'stage', version: target, stage: req.stage, rollbackByReviewer }, actor);
      }
      return this.transitionIn(tx, target.id, req, actor);
    }, 'transitionModelVersionStage');
  }

  /**
   * Evaluates the gate and moves the version inside the caller's transaction
   * (governance carries out approved promotions through this).
   */
  async transitionIn(tx: Tx, versionId: string, req: TransitionRequest, actor: string): Promise<VersionRecord> {
    const [state] = await tx.run<GateState>(Q.read, { versionId });
    if (!state) throw conflict('the version was deleted while the transition was under way');
    const from = state.version.stage;
    const kind = checkGate(state, req);
    const changes = [{ versionId, from }];
    const archived = req.stage === 'PRODUCTION' && req.archiveExisting ? state.otherProduction : [];
    for (const o of archived) changes.push({ versionId: o.id, from: 'PRODUCTION' });
    const moved = await tx.run<{ version: VersionRecord }>(Q.setStage, { changes: changes.slice(0, 1), stage: req.stage });
    if (moved.length !== 1) throw conflict(`version ${state.version.version} of "${state.version.modelName}" changed stage concurrently; retry`);
    if (archived.length) {
      const done = await tx.run(Q.setStage, { changes: changes.slice(1), stage: 'ARCHIVED' });
      if (done.length !== archived.length) throw conflict('a production version changed stage concurrently; retry');
      for (const o of archived) {
        await appendEvent(tx, { type: EventType.STAGE_CHANGED, actor, modelName: state.version.modelName, version: o.version, subjectId: o.id, before: { stage: 'PRODUCTION' }, after: { stage: 'ARCHIVED', reason: `archived by the promotion of version ${state.version.version}` } });
      }
    }
    await appendEvent(tx, {
      type: kind === 'rollback' ? EventType.STAGE_ROLLBACK : EventType.STAGE_CHANGED,
      actor,
      modelName: state.version.modelName,
      version: state.version.version,
      subjectId: versionId,
      before: { stage: from },
      after: { stage: req.stage, ...(req.comment ? { comment: req.comment } : {}) },
    });
    return moved[0]!.version;
  }

  async addEvidence(ref: VersionRef, e: { kind: EvidenceKind; passed: boolean; uri?: string | null; summary?: string | null }, actor: string): Promise<Evidence> {
    if (!(EVIDENCE_KINDS as readonly string[]).includes(e.kind)) throw badInput(`kind must be one of ${EVIDENCE_KINDS.join(', ')}`, { field: 'kind' });
    if (e.uri) validateSource(e.uri, { allowFile: this.allowFileSources }, 'uri');
    assertText(e.summary, 'summary', 5000);
    return this.executor.writeTx(async (tx) => {
      const v = await this.registry.requireVersion(tx, ref);
      const [row] = await tx.run<{ evidence: Evidence }>(Q.addEvidence, { versionId: v.id, kind: e.kind, passed: e.passed, uri: e.uri ?? null, summary: e.summary ?? null, actor });
      await appendEvent(tx, { type: EventType.EVIDENCE_ADDED, actor, modelName: v.modelName, version: v.version, subjectId: v.id, after: { kind: e.kind, passed: e.passed, uri: e.uri ?? null } });
      return row!.evidence;
    }, 'addModelVersionEvidence');
  }

  /** Replaces the STAGING gate of a model: every threshold must hold for → STAGING. */
  async setGates(modelName: string, thresholds: GateThreshold[], actor: string): Promise<ModelRecord> {
    assertModelName(modelName, 'modelName');
    if (thresholds.length > MAX_GATES) throw badInput(`at most ${MAX_GATES} gate thresholds`, { field: 'thresholds' });
    for (const t of thresholds) {
      if (!t.metric || t.metric.length > 250) throw badInput('threshold metric keys must be 1–250 characters', { field: 'thresholds' });
      if (!Number.isFinite(t.value)) throw badInput(`threshold for "${t.metric}" must be a finite number`, { field: 'thresholds' });
    }
    return this.executor.writeTx(async (tx) => {
      const [row] = await tx.run<{ before: string | null; model: ModelRecord }>(Q.setGates, { modelName, gates: JSON.stringify(thresholds) });
      if (!row) throw missingModel(modelName);
      await appendEvent(tx, { type: EventType.GATES_SET, actor, modelName, subjectId: row.model.id, before: row.before ? JSON.parse(row.before) : null, after: thresholds });
      return row.model;
    }, 'setModelGates');
  }

  async setProtectedAliases(modelName: string, aliases: string[], actor: string): Promise<ModelRecord> {
    assertModelName(modelName, 'modelName');
    if (aliases.length > MAX_PROTECTED_ALIASES) throw badInput(`at most ${MAX_PROTECTED_ALIASES} protected aliases`, { field: 'aliases' });
    return this.executor.writeTx(async (tx) => {
      const [row] = await tx.run<{ before: string[] | null; model: ModelRecord }>(Q.setProtected, { modelName, aliases: [...new Set(aliases)].sort() });
      if (!row) throw missingModel(modelName);
      await appendEvent(tx, { type: EventType.PROTECTED_ALIASES_SET, actor, modelName, subjectId: row.model.id, before: row.before, after: row.model.protectedAliases });
      return row.model;
    }, 'setProtectedAliases');
  }
}

function missingModel(modelName: string) {
  return notFound(`no registered model named "${modelName}"`, { field: 'modelName' });
}

const ORDER: Record<Stage, number> = { DEVELOPMENT: 0, STAGING: 1, CANARY: 2, PRODUCTION: 3, ARCHIVED: 4 };

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

  if (to === 'ARCHIVED') {
    if (from === 'PRODUCTION' && state.otherProduction.length === 0) {
      throw gateFailed(`${name} is the only version in PRODUCTION: promote another version to PRODUCTION before archiving it`);
    }
    return 'archive';
  }
  if (to === 'PRODUCTION' && v.everProduction) {
    if (!req.comment) throw gateFailed(`returning ${name} to PRODUCTION is a rollback and needs a comment giving the reason`);
    return 'rollback';
  }
  if (from === 'ARCHIVED') throw gateFailed(`${name} is ARCHIVED; only a version that was in PRODUCTION may return (to PRODUCTION, as a rollback)`);
  if (to === 'DEVELOPMENT' || ORDER[to] < ORDER[from]) return 'demotion';
  if (ORDER[to] !== ORDER[from] + 1) {
    throw gateFailed(`${name} is in ${from}; the next stage is ${STAGES[ORDER[from] + 1]}, not ${to} (stages go DEVELOPMENT → STAGING → CANARY → PRODUCTION)`);
  }
  const passed = (kind: EvidenceKind) => state.evidence.some((e) => e.kind === kind && e.passed);
  switch (to) {
    case 'STAGING': {
      if (!v.checksum) {
        throw gateFailed(`${name} is unverified (registered from an external source without a checksum): attach its checksum before → STAGING`, { unmet: ['checksum'] });
      }
      const thresholds: GateThreshold[] = state.gates ? JSON.parse(state.gates) : [];
      const overall = new Map(state.metrics.filter((m) => m.segment === null).map((m) => [m.key, m.value]));
      if (thresholds.length === 0) {
        if (state.metrics.length === 0) throw gateFailed(`${name} has no metrics: → STAGING needs at least one metric when the model configures no thresholds`);
        return 'promotion';
      }
      const unmet = thresholds.filter((t) => {
        const value = overall.get(t.metric);
        return value === undefined || !compare(value, t.op, t.value);
      });
      if (unmet.length) {
        throw gateFailed(
          `→ STAGING needs ${unmet.map((t) => `${t.metric} ${OP_TEXT[t.op]} ${t.value} (has ${overall.get(t.metric) ?? 'none'})`).join(', ')}`,
          { unmet: unmet.map((t) => t.metric) },
        );
      }
      return 'promotion';
    }
    case 'CANARY': {
      const missing = (['HUMAN_REVIEW', 'FAIRNESS_CHECK'] as const).filter((k) => !passed(k));
      if (missing.length) throw gateFailed(`→ CANARY needs passed evidence of kind ${missing.join(' and ')} on ${name} (addModelVersionEvidence)`, { unmet: missing });
      return 'promotion';
    }
    case 'PRODUCTION': {
      const missing = (['SLO_VALIDATION', 'SIGN_OFF'] as const).filter((k) => !passed(k));
      if (missing.length) throw gateFailed(`→ PRODUCTION needs passed evidence of kind ${missing.join(' and ')} on ${name} (addModelVersionEvidence)`, { unmet: missing });
      const unwritten = REQUIRED_CARD_SECTIONS.filter((k) => !state.cardSections.includes(k));
      if (unwritten.length) {
        throw gateFailed(`→ PRODUCTION needs a model card with the sections ${unwritten.map((k) => `"${k}"`).join(' and ')} written for ${name} (setModelCardSection)`, { unmet: unwritten.map((k) => `card:${k}`) });
      }
      return 'promotion';
    }
    default:
      throw gateFailed(`no transition from ${from} to ${to}`);
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
