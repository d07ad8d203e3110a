import { badInput, DomainError, ErrorCode, gateFailed, notFound } from '../errors.js';
import { ALIAS_EVENT_TYPES, appendEvent, EventType } from '../events/event-log.js';
import { parseSequence } from '../events/event-record.js';
import type { Caller } from '../governance/policy.js';
import { statement } from '../graph/cypher.js';
import type { Executor, Tx } from '../graph/executor.js';
import type { RegistryLookup } from '../registry/lookup.js';
import type { Stage, VersionRecord, VersionRef } from '../registry/types.js';
import type { ListPage } from '../paging.js';
import { assertDeploymentName } from './deployment-name.js';

const Q = {
  lockDeployment: statement('operations/lock-deployment'),
  record: statement('operations/record-deployment'),
  recordsAt: statement('operations/deployment-records-at'),
  history: statement('operations/deployment-history'),
  aliasMoves: statement('operations/alias-moves'),
  servingAt: statement('operations/serving-at'),
  page: statement('operations/page-deployments'),
  providerModels: statement('operations/provider-models-by-ids'),
};

/** At most this many models and provider models in one deployment. */
export const MAX_DEPLOYMENT_ENTRIES = 50;
const ENVIRONMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface DeploymentModelInput {
  ref: VersionRef;
  /** Share of traffic for this entry among the entries of the same model, in [0, 1]; default 1. */
  weight?: number | null;
  /** What the deployer computed from the bytes it loaded: "sha256:<hex>" (bare hex accepted). */
  checksum: string;
  /** A DSSE envelope from `attestation(ref)`, required when the deployment requires attestation. */
  attestation?: string | null;
}

export interface RecordDeploymentInput {
  name: string;
  environment: string;
  endpoint?: string | null;
  models: DeploymentModelInput[];
  /** Provider models served directly, by id; each must be a QUALIFIED provider version. */
  providerModels?: { providerModelId: string; weight?: number | null }[] | null;
  /** Require a valid attestation for every model entry from now on (sticky until set false). */
  requireAttestation?: boolean | null;
}

/** One entry of what a deployment serves, as recorded in its DEPLOYMENT_RECORDED event. */
export interface ServingSpec {
  /** The model node: history follows it across renames (records made before this field have none). */
  modelId?: string;
  modelName: string;
  /** The version recorded (verified) at deploy time. */
  version: number;
  versionId: string;
  alias: string | null;
  weight: number;
  checksum: string;
}

export interface ProviderSpec {
  providerModelId: string;
  provider: string;
  name: string;
  providerVersion: string;
  weight: number;
}

export interface ServingEntry {
  modelName: string;
  /** The version served at the instant asked (null when a followed alias had been deleted). */
  version: VersionRecord | null;
  weight: number;
  followsAlias: string | null;
  /** The checksum the deployer verified when it recorded the deployment. */
  checksum: string;
}

export interface DeploymentRecord {
  id: string;
  name: string;
  environment: string | null;
  endpoint: string | null;
  requireAttestation: boolean;
  createdAt: string;
  updatedAt: string | null;
}

/** What a deployment served at an instant. */
export interface DeploymentState {
  deployment: DeploymentRecord;
  /** The instant the state is for. */
  at: string;
  /** The DEPLOYMENT_RECORDED event in force. */
  recordedAt: string;
  recordSequence: string;
  environment: string;
  endpoint: string | null;
  serving: ServingEntry[];
  providerModels: ProviderSpec[];
}

export interface DeploymentChange {
  sequence: string;
  at: string;
  actor: string;
  /** DEPLOYMENT_RECORDED, or the alias event (ALIAS_SET, ALIAS_DELETED, ROLLBACK) that moved a followed alias. */
  type: string;
  /** For an alias move: which alias. */
  modelName: string | null;
  alias: string | null;
  state: DeploymentState;
}

/**
 * What the attestation service offers deployments: verifying that an envelope
 * attests this exact version (subject digest = its checksum).
 */
export interface AttestationVerifier {
  /** With `approvedStages`, the envelope must also carry the version's approved promotion to one of them. */
  verifyForVersion(
    envelope: string,
    version: VersionRecord,
    approvedStages: readonly Stage[] | null,
  ): Promise<{ valid: boolean; reason?: string }>;
}

/** The stages an environment that serves only approved versions accepts. */
export const APPROVED_STAGES: readonly Stage[] = ['PRODUCTION', 'CANARY'];

/**
 * Which stages a version must be in to be deployed with attestation to
 * `environment` (its attestation must then carry the carried-out promotion
 * to the stage it is in); null: any stage (the attestation then proves
 * provenance, not approval). Environment names are
 * free text, so the rule is closed by default: any name that looks like
 * production (contains "prod" or "prd", e.g. `production`, `prod-eu`,
 * `preprod`; or is or has the word `live`) or names a canary (`canary`,
 * `canary-eu`) needs PRODUCTION or CANARY. Everything else (`dev`, `test`,
 * `staging`, `qa`, ...) needs no approval.
 */
export function approvedStagesFor(environment: string): readonly Stage[] | null {
  const name = environment.toLowerCase();
  const words = name.split(/[^a-z0-9]+/);
  if (/prod|prd/.test(name) || words.includes('live') || words.includes('canary')) return APPROVED_STAGES;
  return null;
}

interface RecordedPayload {
  name: string;
  environment: string;
  endpoint: string | null;
  serving: ServingSpec[];
  providerModels: ProviderSpec[];
}

/** Thrown inside the deployment transaction: nothing is written, then the refusal is audited. */
class ChecksumMismatch extends Error {
  constructor(
    readonly mismatches: {
      modelName: string;
      version: number;
      versionId: string;
      alias: string | null;
      expected: string;
      got: string;
    }[],
  ) {
    super('checksum mismatch');
  }
}

/**
 * Deployments: what each one serves (model versions with weights, possibly
 * following aliases, and pinned provider models), verified by checksum and,
 * when required, by attestation. History is read from the event log, so
 * `deploymentAt` can never disagree with the audit log or alias history.
 */
export class DeploymentService {
  constructor(
    private readonly executor: Executor,
    private readonly registry: RegistryLookup,
    private readonly config: { requireAttestation: boolean },
    private readonly attestations: AttestationVerifier,
  ) {}

  async recordDeployment(caller: Pick<Caller, 'name'>, input: RecordDeploymentInput): Promise<DeploymentState> {
    const name = assertDeploymentName(input.name);
    const environment = requireMatch(
      input.environment,
      ENVIRONMENT,
      'environment',
      'an environment such as dev, staging or production',
    );
    const endpoint = input.endpoint ?? null;
    if (endpoint !== null && (typeof endpoint !== 'string' || endpoint.length === 0 || endpoint.length > 2000)) {
      throw badInput('endpoint must be 1–2000 characters', { field: 'endpoint' });
    }
    const models = input.models ?? [];
    const providers = input.providerModels ?? [];
    if (models.length + providers.length === 0)
      throw badInput('a deployment serves at least one model or provider model', { field: 'models' });
    if (models.length + providers.length > MAX_DEPLOYMENT_ENTRIES) {
      throw badInput(`a deployment serves at most ${MAX_DEPLOYMENT_ENTRIES} models and provider models`, {
        field: 'models',
      });
    }
    const checksums = models.map((m, i) => normaliseChecksum(m.checksum, `models[${i}].checksum`));
    const weights = models.map((m, i) => weightOf(m.weight, `models[${i}].weight`));
    const providerWeights = providers.map((p, i) => weightOf(p.weight, `providerModels[${i}].weight`));
    for (const [i, m] of models.entries()) {
      if (
        m.attestation !== null &&
        m.attestation !== undefined &&
        (typeof m.attestation !== 'string' || m.attestation.length > 1024 * 1024)
      ) {
        throw badInput(`models[${i}].attestation must be the JSON text of a DSSE envelope (at most 1 MiB)`, {
          field: 'models.attestation',
        });
      }
    }
    const seen = new Set<string>();
    for (const m of models) {
      const key = `${m.ref.modelName}\u0000${m.ref.alias ?? ''}\u0000${m.ref.version ?? ''}`;
      if (seen.has(key)) throw badInput(`${describe(m.ref)} is listed twice`, { field: 'models' });
      seen.add(key);
    }
    const providerIds = providers.map((p) => p.providerModelId);
    if (new Set(providerIds).size !== providerIds.length)
      throw badInput('a provider model is listed twice', { field: 'providerModels' });

    try {
      return await this.executor.writeTx(async (tx) => {
        const resolved: VersionRecord[] = await this.registry.requireVersions(
          tx,
          models.map((m) => m.ref),
        );
        // Weights are traffic shares among the entries of one model (an A/B split);
        // different models in one deployment each serve their own role.
        const perModel = new Map<string, number>();
        resolved.forEach((v, i) => perModel.set(v.modelName, (perModel.get(v.modelName) ?? 0) + weights[i]!));
        for (const [modelName, total] of perModel) {
          if (total > 1 + 1e-9)
            throw badInput(
              `the weights of "${modelName}" add up to ${total}; the entries of one model share traffic, at most 1`,
              { field: 'models.weight' },
            );
        }
        // A version registered through MLflow without a checksum is unverified: nothing to compare against.
        const unverified = resolved.find((v) => !v.checksum);
        if (unverified)
          throw gateFailed(
            `${unverified.modelName} version ${unverified.version} is unverified (no checksum): attach its checksum before deploying it`,
            { reason: 'UNVERIFIED' },
          );
        const mismatches = resolved.flatMap((v, i) =>
          v.checksum!.toLowerCase() === checksums[i]
            ? []
            : [
                {
                  modelName: v.modelName,
                  version: v.version,
                  versionId: v.id,
                  alias: models[i]!.ref.alias ?? null,
                  expected: v.checksum!,
                  got: checksums[i]!,
                },
              ],
        );
        if (mismatches.length) throw new ChecksumMismatch(mismatches);

        const pinned: ProviderSpec[] = [];
        if (providers.length) {
          const rows = await tx.run<{ key: string; providerModel: Record<string, unknown> | null }>(Q.providerModels, {
            keys: providerIds,
          });
          rows.forEach((r, i) => {
            const p = r.providerModel;
            if (!p) throw notFound(`no provider model with id "${r.key}"`, { field: 'providerModels' });
            const status = (p.qualificationStatus as string | undefined) ?? 'UNDER_EVALUATION';
            if (status !== 'QUALIFIED') {
              throw gateFailed(
                `${p.provider}/${p.name} version ${p.providerVersion} is ${status}: a deployment can pin only a QUALIFIED provider version (setProviderVersionQualification)`,
                {
                  providerModelId: r.key,
                  qualificationStatus: status,
                },
              );
            }
            pinned.push({
              providerModelId: r.key,
              provider: p.provider as string,
              name: p.name as string,
              providerVersion: p.providerVersion as string,
              weight: providerWeights[i]!,
            });
          });
        }

        const [locked] = await tx.run<{ deployment: DeploymentRecord; created: boolean }>(Q.lockDeployment, { name });
        const requireAttestation = input.requireAttestation ?? locked!.deployment.requireAttestation ?? false;
        if (requireAttestation || this.config.requireAttestation) {
          const approved = approvedStagesFor(environment);
          for (const [i, m] of models.entries()) {
            const v = resolved[i]!;
            if (!m.attestation) {
              throw gateFailed(
                `deployment "${name}" requires an attestation for every model: ${v.modelName} version ${v.version} has none (pass models[].attestation from the attestation query)`,
                { reason: 'ATTESTATION_REQUIRED' },
              );
            }
            // An attestation is about provenance; approval is the version's stage now, and its signed record.
            if (approved && !approved.includes(v.stage)) {
              throw gateFailed(
                `environment "${environment}" serves only versions approved for ${approved.join(' or ')}: ${v.modelName} version ${v.version} is in ${v.stage} (promote it with requestPromotion first)`,
                { reason: 'ATTESTATION_NOT_APPROVED', stage: v.stage, approvedStages: [...approved] },
              );
            }
            // The evidence must be of the approval that put the version where it is now.
            const check = await this.attestations.verifyForVersion(m.attestation, v, approved ? [v.stage] : null);
            if (!check.valid) {
              throw gateFailed(
                `the attestation for ${v.modelName} version ${v.version} does not verify: ${check.reason ?? 'invalid'}`,
                { reason: 'ATTESTATION_INVALID' },
              );
            }
          }
        }

        const serving: ServingSpec[] = resolved.map((v, i) => ({
          modelId: v.model?.id,
          modelName: v.modelName,
          version: v.version,
          versionId: v.id,
          alias: models[i]!.ref.alias ?? null,
          weight: weights[i]!,
          checksum: v.checksum!,
        }));
        const [row] = await tx.run<{ deployment: DeploymentRecord }>(Q.record, {
          name,
          environment,
          endpoint,
          requireAttestation,
          serving: serving.map((s, position) => ({ ...s, position })),
          providers: pinned.map((p, position) => ({ id: p.providerModelId, weight: p.weight, position })),
        });
        const payload: RecordedPayload = { name, environment, endpoint, serving, providerModels: pinned };
        const modelNames = [...new Set(serving.map((s) => s.modelName))];
        const ev = await appendEvent(tx, {
          type: EventType.DEPLOYMENT_RECORDED,
          actor: caller.name,
          // One model: the event shows in that model's audit log too.
          modelName: modelNames.length === 1 ? modelNames[0] : null,
          version: serving.length === 1 ? serving[0]!.version : null,
          alias: serving.length === 1 ? serving[0]!.alias : null,
          subjectId: row!.deployment.id,
          after: { ...payload, requireAttestation, attested: models.some((m) => !!m.attestation) },
        });
        return {
          deployment: row!.deployment,
          at: ev.at,
          recordedAt: ev.at,
          recordSequence: ev.sequence,
          environment,
          endpoint,
          serving: serving.map((s, i) => ({
            modelName: s.modelName,
            version: resolved[i]!,
            weight: s.weight,
            followsAlias: s.alias,
            checksum: s.checksum,
          })),
          providerModels: pinned,
        };
      }, 'recordDeployment');
    } catch (err) {
      if (!(err instanceof ChecksumMismatch)) throw err;
      // The refusal is itself audited: a transaction that appends only the event.
      const ev = await this.executor.writeTx(
        (tx) =>
          appendEvent(tx, {
            type: EventType.DEPLOYMENT_CHECKSUM_MISMATCH,
            actor: caller.name,
            modelName: err.mismatches[0]!.modelName,
            version: err.mismatches[0]!.version,
            alias: err.mismatches[0]!.alias,
            subjectId: err.mismatches[0]!.versionId,
            after: { deployment: name, environment, endpoint, mismatches: err.mismatches },
          }),
        'recordDeployment.checksumMismatch',
      );
      const first = err.mismatches[0]!;
      throw new DomainError(
        ErrorCode.CHECKSUM_MISMATCH,
        `the checksum the deployer computed for ${first.modelName} version ${first.version} is ${first.got}, but the registered artifact's is ${first.expected}: the bytes loaded are not the registered version (refusal recorded as event ${ev.sequence})`,
        {
          mismatches: err.mismatches.map((m) => ({
            modelName: m.modelName,
            version: m.version,
            expected: m.expected,
            got: m.got,
          })),
          sequence: ev.sequence,
        },
      );
    }
  }

  /** What `name` served at `at` (null when it did not exist yet or is unknown). */
  async deploymentAt(name: string, at: string): Promise<DeploymentState | null> {
    const [state] = await this.statesAt([{ name, at }]);
    return state ?? null;
  }

  /**
   * Deployments that existed at `at`, by name, each as it served then: one
   * page of names after `after`, then their states (three statements).
   */
  async list(
    at: string,
    page: { first: number; after: string | null },
  ): Promise<{ states: DeploymentState[]; total: number; hasNextPage: boolean }> {
    // A cursor is a stored name; logged predictions create deployments by name under a looser rule than
    // recordDeployment's.
    if (page.after !== null && (typeof page.after !== 'string' || page.after.length > 1000))
      throw badInput('after is not a cursor returned by deployments', { field: 'after' });
    const [row] = await this.executor.read<{ names: string[]; total: number }>(Q.page, {
      at,
      after: page.after ?? '',
      limit: page.first + 1,
    });
    const names = row!.names.slice(0, page.first);
    const states = await this.readStatesAt(names.map((name) => ({ name, at })));
    // A deployment created in the same instant as `at` may have no record yet in force: it is left out.
    return {
      states: states.filter((s): s is DeploymentState => s !== null),
      total: row!.total,
      hasNextPage: row!.names.length > page.first,
    };
  }

  /** What `name` serves now. */
  async deployment(name: string): Promise<DeploymentState | null> {
    return this.deploymentAt(name, new Date().toISOString());
  }

  /** Batch: states of deployments at instants; two statements however many. */
  async statesAt(keys: { name: string; at: string }[]): Promise<(DeploymentState | null)[]> {
    for (const k of keys) assertDeploymentName(k.name);
    return this.readStatesAt(keys);
  }

  /**
   * {@link statesAt} for names read from the graph (not checked again: deployments named before the rule covered logged
   * predictions may not follow it).
   */
  private async readStatesAt(keys: { name: string; at: string }[]): Promise<(DeploymentState | null)[]> {
    if (keys.length === 0) return [];
    return this.executor.readTx(async (tx) => {
      const rows = await tx.run<{
        deployment: DeploymentRecord | null;
        record: { after: string; at: string; sequence: string } | null;
      }>(Q.recordsAt, {
        keys,
        type: EventType.DEPLOYMENT_RECORDED,
      });
      const partial = rows.map((r, i) =>
        r.deployment && r.record
          ? {
              deployment: r.deployment,
              record: r.record,
              payload: JSON.parse(r.record.after) as RecordedPayload,
              at: keys[i]!.at,
            }
          : null,
      );
      return this.resolveStates(tx, partial);
    }, 'deploymentAt');
  }

  /**
   * A page of a deployment's history, oldest first: `first` changes (records
   * and moves of the aliases they follow) after the change with sequence
   * `after`. Reads at most `first` records and `first` moves per followed
   * alias, and resolves what was served for the page only.
   */
  async deploymentHistory(name: string, page: ListPage): Promise<DeploymentChange[]> {
    assertDeploymentName(name);
    const after = page.after === null ? null : parseSequence(page.after);
    if (page.first === 0) return [];
    return this.executor.readTx(async (tx) => {
      type Row = { after: string; at: string; actor: string; sequence: string };
      const [row] = await tx.run<{ deployment: DeploymentRecord; inForce: Row[]; records: Row[] }>(Q.history, {
        name,
        type: EventType.DEPLOYMENT_RECORDED,
        after,
        limit: page.first,
      });
      if (!row) return [];
      // Records after the cursor are changes; so are the moves in each record's
      // interval. With a full page of records, nothing past the last can be on it.
      const more = row.records.length === page.first;
      const records = [...row.inForce, ...row.records].map((r) => ({
        ...r,
        payload: JSON.parse(r.after) as RecordedPayload,
      }));
      const follows = records.flatMap((r, i) =>
        [
          ...new Map(
            r.payload.serving.filter((s) => s.alias).map((s) => [`${s.modelId ?? s.modelName}\u0000${s.alias}`, s]),
          ).values(),
        ].map((s) => ({
          record: i,
          modelId: s.modelId ?? null,
          modelName: s.modelName,
          alias: s.alias!,
          from: r.at,
          to: records[i + 1]?.at ?? (more ? r.at : null),
        })),
      );
      const moves = follows.length
        ? await tx.run<{ moves: { at: string; actor: string; type: string; sequence: string }[] }>(Q.aliasMoves, {
            keys: follows,
            types: ALIAS_EVENT_TYPES,
            after,
            limit: page.first,
          })
        : [];
      // A change before its state is resolved: which of the page's records it belongs to.
      const changes: (Omit<DeploymentChange, 'state'> & { record: number })[] = [];
      records.forEach((r, i) => {
        if (i >= row.inForce.length)
          changes.push({
            sequence: r.sequence,
            at: r.at,
            actor: r.actor,
            type: EventType.DEPLOYMENT_RECORDED,
            modelName: null,
            alias: null,
            record: i,
          });
      });
      follows.forEach((f, i) => {
        for (const m of moves[i]?.moves ?? [])
          changes.push({ ...m, modelName: f.modelName, alias: f.alias, record: f.record });
      });
      changes.sort((a, b) =>
        BigInt(a.sequence) < BigInt(b.sequence) ? -1 : BigInt(a.sequence) > BigInt(b.sequence) ? 1 : 0,
      );
      const onPage = changes.slice(0, page.first);
      const states = await this.resolveStates(
        tx,
        onPage.map((c) => ({
          deployment: row.deployment,
          record: records[c.record]!,
          payload: records[c.record]!.payload,
          at: c.at,
        })),
      );
      return onPage.map((c, i) => ({
        sequence: c.sequence,
        at: c.at,
        actor: c.actor,
        type: c.type,
        modelName: c.modelName,
        alias: c.alias,
        state: states[i]!,
      }));
    }, 'deploymentHistory');
  }

  private async resolveStates(
    tx: Tx,
    partial: ({
      deployment: DeploymentRecord;
      record: { at: string; sequence: string };
      payload: RecordedPayload;
      at: string;
    } | null)[],
  ): Promise<(DeploymentState | null)[]> {
    const entries = partial.flatMap((p) =>
      p
        ? p.payload.serving.map((s) => ({
            modelId: s.modelId ?? null,
            versionId: s.versionId ?? null,
            modelName: s.modelName,
            version: s.version,
            alias: s.alias,
            at: p.at,
          }))
        : [],
    );
    const versions = entries.length
      ? (
          await tx.run<{ version: VersionRecord | null }>(Q.servingAt, {
            entries,
            aliasTypes: ALIAS_EVENT_TYPES,
            createdType: EventType.VERSION_CREATED,
          })
        ).map((r) => r.version)
      : [];
    let k = 0;
    return partial.map((p) => {
      if (!p) return null;
      return {
        deployment: p.deployment,
        at: p.at,
        recordedAt: p.record.at,
        recordSequence: p.record.sequence,
        environment: p.payload.environment,
        endpoint: p.payload.endpoint,
        serving: p.payload.serving.map((s) => ({
          modelName: s.modelName,
          version: versions[k++] ?? null,
          weight: s.weight,
          followsAlias: s.alias,
          checksum: s.checksum,
        })),
        providerModels: p.payload.providerModels ?? [],
      };
    });
  }
}

function requireMatch(value: string, re: RegExp, field: string, what: string): string {
  if (typeof value !== 'string' || !re.test(value))
    throw badInput(`${field} must be ${what}; got ${JSON.stringify(String(value).slice(0, 80))}`, { field });
  return value;
}

/** "sha256:" + 64 lowercase hex; bare hex and upper case are accepted and normalised. */
export function normaliseChecksum(value: string, field = 'checksum'): string {
  const m = typeof value === 'string' ? /^(?:sha256:)?([0-9a-fA-F]{64})$/.exec(value.trim()) : null;
  if (!m)
    throw badInput(
      `${field} must be "sha256:" followed by 64 hex digits (the SHA-256 of the bytes the deployer loaded)`,
      { field },
    );
  return `sha256:${m[1]!.toLowerCase()}`;
}

function weightOf(value: number | null | undefined, field: string): number {
  if (value === null || value === undefined) return 1;
  if (!Number.isFinite(value) || value < 0 || value > 1) throw badInput(`${field} must be between 0 and 1`, { field });
  return value;
}

function describe(ref: VersionRef): string {
  return ref.alias ? `${ref.modelName}@${ref.alias}` : `${ref.modelName} version ${ref.version}`;
}
