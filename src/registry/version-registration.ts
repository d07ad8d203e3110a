import { createHash } from 'node:crypto';
import type { StoredSource } from '../artifacts/artifact-seals.js';
import type { Config } from '../config.js';
import { badInput, conflict, DomainError, ErrorCode, notFound } from '../errors.js';
import { appendEvents, EventType, type NewEvent } from '../events/event-log.js';
import type { Caller } from '../governance/policy.js';
import { statement } from '../graph/cypher.js';
import type { Outcome, Tx, WriteBatch } from '../graph/executor.js';
import { computeFingerprint } from './fingerprint.js';
import { findIdempotentMany, inputHash, recordIdempotentMany } from './idempotency.js';
import { checkRef, describeRef, resolveRefsIn } from './refs.js';
import { PROMPT_SOURCES, PROMPT_TAG, PROMPT_TEXT_TAG } from './prompts.js';
import type { ModelRecord, Tag, VersionRecord, VersionRef } from './types.js';
import {
  assertChecksum,
  assertMetrics,
  assertModelName,
  assertTags,
  assertText,
  MAX_TEACHERS,
  validateSource,
  type Bump,
} from './validation.js';

const Q = {
  providerModels: statement('registry/provider-models-by-ids'),
  trainingRuns: statement('registry/training-runs-of-versions'),
  createVersions: statement('registry/create-versions'),
  versionsByIds: statement('registry/versions-by-ids'),
  modelsByNames: statement('registry/models-by-names'),
};

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

/** Most prompt versions one version uses. */
const MAX_PROMPT_VERSIONS = 100;

const OPERATION = 'createModelVersion';

/** A registration checked outside the transaction (input rules, the stored artefacts hashed), ready to write. */
export interface PreparedVersion {
  input: CreateVersionInput;
  actor: string;
  hash: string;
  bump: Bump;
  /** The checksum recorded: the stored artefacts' when the source lies in Pedigree's store. */
  checksum: string | null;
  stored: StoredSource | null;
  /** Base model first (when given), then teachers. */
  refs: VersionRef[];
  providerIds: string[];
  /** A prompt's version (a template), which only a PROMPT model takes. */
  prompt: boolean;
  /** The prompt versions it uses (USES_PROMPT). */
  promptRefs: VersionRef[];
  /** The version it is a copy of (COPIED_FROM). */
  copiedFrom: VersionRef | null;
}

/** Where one item stands while its batch runs. */
interface Work {
  index: number;
  p: PreparedVersion;
  runId: string | null;
  fingerprint: string | null;
  baseVersionIds: string[];
  teacherVersionIds: string[];
  kind: string;
  prompts: VersionRecord[];
  copied: VersionRecord | null;
}

/**
 * Registering model versions, one or many, as one batch: the single
 * `createModelVersion` is a batch of one, a group commit's run of
 * registrations one batch of many (src/graph/executor.ts), and
 * `createModelVersions` one all-or-nothing batch. The steps are the same
 * statements whatever the count: idempotency keys, base models and teachers,
 * provider models, training runs, the versions themselves (numbering per
 * model), seals, keys recorded, events; each answers every item of the batch
 * at once.
 */
export class VersionRegistration {
  /** What the executor runs a group's registrations as (see WriteBatch). */
  readonly batch: WriteBatch<PreparedVersion, VersionRecord> = {
    name: OPERATION,
    run: (tx, items) => this.registerIn(tx, items),
  };

  constructor(
    private readonly config: Pick<Config, 'allowFileSources'>,
    private readonly artifacts: SourceArtifacts,
  ) {}

  /**
   * The input rules of a registration, and its stored artefacts hashed: a
   * checksum given must match them (CHECKSUM_MISMATCH), none given takes
   * theirs. Synchronous unless the source may lie in Pedigree's store, so an
   * external source is registered without waiting a tick: the write order
   * stays the call order.
   */
  prepare(
    caller: Pick<Caller, 'name'>,
    input: CreateVersionInput,
    opts: { allowUnverified?: boolean } = {},
  ): PreparedVersion | Promise<PreparedVersion> {
    assertModelName(input.modelName, 'modelName');
    const prompt = input.promptTemplate != null;
    if (prompt) {
      // A prompt version's content is its template: Pedigree computes its checksum, and its source is MLflow's
      // placeholder.
      assertText(input.promptTemplate, 'template', 1_000_000);
      if (!input.promptTemplate) throw badInput('a prompt version needs a non-empty template', { field: 'template' });
      if (!PROMPT_SOURCES.includes(input.source))
        throw badInput(
          `a prompt version's source is MLflow's placeholder (${PROMPT_SOURCES.join(' or ')}); got ${JSON.stringify(input.source.slice(0, 80))}`,
          { field: 'source' },
        );
      const computed = `sha256:${createHash('sha256').update(input.promptTemplate, 'utf8').digest('hex')}`;
      if (input.checksum != null && input.checksum !== computed) {
        throw new DomainError(
          ErrorCode.CHECKSUM_MISMATCH,
          `checksum ${input.checksum} does not match the prompt template, which hashes to ${computed}`,
          { field: 'checksum' },
        );
      }
      // MLflow's clients read a prompt version by these tags, whichever transport registered it.
      const own = (input.tags ?? []).filter((t) => t.key !== PROMPT_TEXT_TAG && t.key !== PROMPT_TAG);
      input = {
        ...input,
        checksum: computed,
        tags: [...own, { key: PROMPT_TAG, value: 'true' }, { key: PROMPT_TEXT_TAG, value: input.promptTemplate }],
      };
    } else {
      validateSource(input.source, { allowFile: this.config.allowFileSources });
    }
    // Only the MLflow route registers external sources without a checksum: such a
    // version is unverified (checksum null) and the STAGING gate refuses it until
    // attachChecksum. GraphQL always requires the checksum.
    if (!(opts.allowUnverified && input.checksum == null)) assertChecksum(input.checksum as string);
    assertTags(input.tags);
    assertMetrics(input.metrics);
    assertText(input.framework, 'framework', 256);
    assertText(input.description, 'description', 5000);
    const teachers = input.teachers ?? [];
    const teacherProviders = input.teacherProviderModelIds ?? [];
    if (teachers.length + teacherProviders.length > MAX_TEACHERS)
      throw badInput(`at most ${MAX_TEACHERS} teachers per version`, { field: 'teachers' });
    if (input.baseModel && input.baseProviderModelId) {
      throw badInput('give the base model either as baseModel (a model version) or as baseProviderModelId, not both', {
        field: 'baseModel',
      });
    }
    const finish = (stored: StoredSource | null): PreparedVersion => {
      if (stored && input.checksum != null && input.checksum !== stored.checksum) {
        throw new DomainError(
          ErrorCode.CHECKSUM_MISMATCH,
          `checksum ${input.checksum} does not match the artefacts of ${input.source} in Pedigree's store: they hash to ${stored.checksum}`,
          {
            field: 'checksum',
          },
        );
      }
      if (input.idempotencyKey) assertText(input.idempotencyKey, 'idempotencyKey', 200);
      const refs = [...(input.baseModel ? [input.baseModel] : []), ...teachers];
      for (const ref of refs) checkRef(ref);
      const promptRefs = input.promptVersions ?? [];
      if (promptRefs.length > MAX_PROMPT_VERSIONS)
        throw badInput(`at most ${MAX_PROMPT_VERSIONS} prompt versions per version`, { field: 'promptVersions' });
      for (const ref of promptRefs) checkRef(ref);
      if (input.copiedFrom) checkRef(input.copiedFrom);
      return {
        input,
        actor: caller.name,
        hash: inputHash(input as unknown as Record<string, unknown>),
        bump: input.bump ?? 'MINOR',
        checksum: stored ? stored.checksum : (input.checksum ?? null),
        stored,
        refs,
        providerIds: [...(input.baseProviderModelId ? [input.baseProviderModelId] : []), ...teacherProviders],
        prompt,
        promptRefs,
        copiedFrom: input.copiedFrom ?? null,
      };
    };
    return this.artifacts.mayLieInStore(input.source)
      ? this.artifacts.inspectSource(input.source).then(finish)
      : finish(null);
  }

  /**
   * Registers `items` in the caller's transaction and answers each: its
   * version, or the error registering it alone (after the items before it)
   * would have given, in which case nothing was written for it. Items that
   * read what an earlier item of the batch writes (its idempotency key again,
   * a base model or teacher of a model the batch registers into) start a new
   * wave, which runs after the earlier ones: so every item sees the items
   * before it exactly as if they had committed. The events come last, in one
   * statement: the event counter is taken once, at the end.
   */
  async registerIn(tx: Tx, items: readonly PreparedVersion[]): Promise<Outcome<VersionRecord>[]> {
    const outcomes = new Array<Outcome<VersionRecord>>(items.length);
    const created: Work[] = [];
    for (const wave of waves(items)) await this.registerWave(tx, items, wave, outcomes, created);
    const events = created.map((w) => versionCreated(w, (outcomes[w.index] as { value: VersionRecord }).value));
    await appendEvents(tx, events);
    return outcomes;
  }

  private async registerWave(
    tx: Tx,
    items: readonly PreparedVersion[],
    wave: number[],
    outcomes: Outcome<VersionRecord>[],
    created: Work[],
  ): Promise<void> {
    const fail = (i: number, error: unknown) => (outcomes[i] = { ok: false, error });
    let open = wave;

    // 1. Idempotency keys: a key used with the same input replays its version and writes nothing.
    const keyed = open.filter((i) => items[i]!.input.idempotencyKey);
    const found = await findIdempotentMany(
      tx,
      keyed.map((i) => ({
        operation: OPERATION,
        principal: items[i]!.actor,
        key: items[i]!.input.idempotencyKey!,
        hash: items[i]!.hash,
      })),
    );
    const replays: { i: number; id: string }[] = [];
    keyed.forEach((i, k) => {
      const f = found[k];
      if (f instanceof Error) fail(i, f);
      else if (f) replays.push({ i, id: f });
    });
    if (replays.length) {
      const rows = await tx.run<{ version: VersionRecord | null }>(Q.versionsByIds, { keys: replays.map((r) => r.id) });
      replays.forEach((r, k) => {
        const v = rows[k]?.version;
        outcomes[r.i] = v
          ? { ok: true, value: v }
          : {
              ok: false,
              error: conflict(
                `the model "${items[r.i]!.input.modelName}" created under this idempotency key has since been deleted`,
              ),
            };
      });
    }
    open = open.filter((i) => !outcomes[i]);

    // 2. Base models and teachers that are model versions.
    const work = new Map<number, Work>(
      open.map((i) => [
        i,
        {
          index: i,
          p: items[i]!,
          runId: null,
          fingerprint: null,
          baseVersionIds: [],
          teacherVersionIds: [],
          kind: 'MODEL',
          prompts: [],
          copied: null,
        },
      ]),
    );
    const withRefs = open.filter((i) => items[i]!.refs.length);
    const resolved = await resolveRefsIn(
      tx,
      withRefs.flatMap((i) => items[i]!.refs),
    );
    let at = 0;
    for (const i of withRefs) {
      const { input, refs } = items[i]!;
      const mine = resolved.slice(at, (at += refs.length));
      const missing = mine.findIndex((r) => !r.version);
      if (missing >= 0) {
        const field = missing === 0 && input.baseModel ? 'baseModel' : 'teachers';
        fail(
          i,
          notFound(`${field === 'baseModel' ? 'baseModel' : 'teacher'} ${describeRef(refs[missing]!)} does not exist`, {
            field,
          }),
        );
        continue;
      }
      const ids = mine.map((r) => r.version!.id);
      work.get(i)!.baseVersionIds = input.baseModel ? ids.slice(0, 1) : [];
      work.get(i)!.teacherVersionIds = input.baseModel ? ids.slice(1) : ids;
    }
    open = open.filter((i) => !outcomes[i]);

    // 2b. The model, and whether it takes prompt templates or artefacts.
    if (open.length) {
      const names = [...new Set(open.map((i) => items[i]!.input.modelName))];
      const rows = await tx.run<{ model: ModelRecord | null }>(Q.modelsByNames, { keys: names });
      const models = new Map(names.map((n, k) => [n, rows[k]?.model ?? null]));
      for (const i of open) {
        const { input, prompt } = items[i]!;
        const model = models.get(input.modelName);
        if (!model) {
          fail(i, notFound(`no registered model named "${input.modelName}"`, { field: 'modelName' }));
          continue;
        }
        if ((model.kind === 'PROMPT') !== prompt) {
          fail(
            i,
            badInput(
              model.kind === 'PROMPT'
                ? `"${input.modelName}" is a prompt: its versions are prompt templates (MLflow's register_prompt; GraphQL createPromptVersion)`
                : `"${input.modelName}" is a model, not a prompt: register the prompt version under a prompt`,
              { field: 'modelName' },
            ),
          );
          continue;
        }
        work.get(i)!.kind = model.kind ?? 'MODEL';
      }
      open = open.filter((i) => !outcomes[i]);
    }

    // 2c. The prompt versions it uses, and the version it copies.
    const withPrompts = open.filter((i) => items[i]!.promptRefs.length || items[i]!.copiedFrom);
    if (withPrompts.length) {
      const resolvedP = await resolveRefsIn(
        tx,
        withPrompts.flatMap((i) => [...items[i]!.promptRefs, ...(items[i]!.copiedFrom ? [items[i]!.copiedFrom!] : [])]),
      );
      let atP = 0;
      for (const i of withPrompts) {
        const { promptRefs, copiedFrom } = items[i]!;
        const prompts = resolvedP.slice(atP, (atP += promptRefs.length));
        const copied = copiedFrom ? resolvedP[atP++]! : null;
        const bad = prompts.findIndex((r) => !r.version || r.model?.kind !== 'PROMPT');
        if (bad >= 0) {
          const r = prompts[bad]!;
          fail(
            i,
            r.version
              ? badInput(`${describeRef(promptRefs[bad]!)} is not a prompt version`, { field: 'promptVersions' })
              : notFound(`prompt version ${describeRef(promptRefs[bad]!)} does not exist`, { field: 'promptVersions' }),
          );
          continue;
        }
        if (copiedFrom && !copied?.version) {
          fail(i, notFound(`the version to copy, ${describeRef(copiedFrom)}, does not exist`, { field: 'copiedFrom' }));
          continue;
        }
        work.get(i)!.prompts = prompts.map((r) => r.version!);
        work.get(i)!.copied = copied?.version ?? null;
      }
      open = open.filter((i) => !outcomes[i]);
    }

    // 3. Provider models named as base or teachers.
    const providerIds = [...new Set(open.flatMap((i) => items[i]!.providerIds))];
    if (providerIds.length) {
      const known = new Set((await tx.run<{ id: string }>(Q.providerModels, { ids: providerIds })).map((r) => r.id));
      for (const i of open) {
        const missing = items[i]!.providerIds.filter((id) => !known.has(id));
        if (missing.length)
          fail(
            i,
            notFound(`no provider model with id ${missing.map((m) => `"${m}"`).join(', ')}`, {
              field: 'baseProviderModelId',
            }),
          );
      }
      open = open.filter((i) => !outcomes[i]);
    }

    // 4. Training runs and fingerprints. Without a runId, a pipeline that reported
    // (through OpenLineage) writing the artifact at this source is the version's
    // training run: the link is made whichever arrives first, the version or the
    // run's COMPLETE event.
    if (open.length) {
      const runs = await tx.run<{
        i: number;
        runId: string | null;
        found: boolean;
        codeCommit: string | null;
        params: string | null;
        seeds: number[] | null;
        datasetHashes: string[];
      }>(Q.trainingRuns, {
        items: open.map((i) => ({
          i,
          runId: items[i]!.input.runId ?? null,
          uris: sourceVariants(items[i]!.input.source),
        })),
      });
      for (const r of runs) {
        if (r.runId === null) continue;
        if (!r.found) {
          fail(r.i, notFound(`no run with id "${r.runId}"`, { field: 'runId' }));
          continue;
        }
        const w = work.get(r.i)!;
        w.runId = r.runId;
        w.fingerprint = computeFingerprint({
          codeCommit: r.codeCommit,
          datasetHashes: r.datasetHashes,
          params: r.params ? (JSON.parse(r.params) as Record<string, string>) : {},
          seeds: r.seeds ?? [],
        });
      }
      open = open.filter((i) => !outcomes[i]);
    }

    // 5. The versions, numbered per model in arrival order under each model's write lock.
    if (open.length === 0) return;
    const byModel = new Map<string, number[]>();
    for (const i of open)
      byModel.set(items[i]!.input.modelName, [...(byModel.get(items[i]!.input.modelName) ?? []), i]);
    const rows = await tx.run<{ i: number; version: VersionRecord; model: ModelRecord }>(Q.createVersions, {
      models: [...byModel.keys()]
        .sort()
        .map((name) => ({ name, items: byModel.get(name)!.map((i) => createRow(work.get(i)!)) })),
    });
    for (const r of rows) outcomes[r.i] = { ok: true, value: { ...r.version, model: r.model } };
    for (const i of open)
      if (!outcomes[i])
        fail(i, notFound(`no registered model named "${items[i]!.input.modelName}"`, { field: 'modelName' }));
    const made: Work[] = [];

    // 6. Artefacts in Pedigree's store are sealed write-once with the version.
    // A refusal comes after the version was written: the item's outcome says
    // so (afterWrite), and its caller rolls the transaction back.
    for (const i of open) {
      if (!outcomes[i]!.ok) continue;
      const w = work.get(i)!;
      if (w.p.stored) {
        try {
          await this.artifacts.sealIn(tx, w.p.stored, versionOf(outcomes, w).id);
        } catch (err) {
          if (!(err instanceof DomainError)) throw err;
          outcomes[i] = { ok: false, error: err, afterWrite: true };
          continue;
        }
      }
      made.push(w);
    }

    // 7. Keys recorded.
    await recordIdempotentMany(
      tx,
      made
        .filter((w) => w.p.input.idempotencyKey)
        .map((w) => ({
          operation: OPERATION,
          principal: w.p.actor,
          key: w.p.input.idempotencyKey!,
          hash: w.p.hash,
          resultId: versionOf(outcomes, w).id,
        })),
    );
    created.push(...made);
  }
}

/**
 * Splits items into waves, in order: an item starts a new wave when it reads
 * what an earlier item of the current wave writes: the same principal's
 * idempotency key, or a version (by number, alias or `latest`) of a model the
 * wave registers into.
 */
export function waves(items: readonly PreparedVersion[]): number[][] {
  const out: number[][] = [];
  let wave: number[] = [];
  let keys = new Set<string>();
  let models = new Set<string>();
  items.forEach((p, i) => {
    const key = p.input.idempotencyKey ? JSON.stringify([p.actor, p.input.idempotencyKey]) : null;
    const reads = [...p.refs, ...p.promptRefs, ...(p.copiedFrom ? [p.copiedFrom] : [])];
    if ((key && keys.has(key)) || reads.some((r) => models.has(r.modelName))) {
      out.push(wave);
      wave = [];
      keys = new Set();
      models = new Set();
    }
    wave.push(i);
    if (key) keys.add(key);
    models.add(p.input.modelName);
  });
  if (wave.length) out.push(wave);
  return out;
}

function versionOf(outcomes: Outcome<VersionRecord>[], w: Work): VersionRecord {
  return (outcomes[w.index] as { value: VersionRecord }).value;
}

function createRow(w: Work): Record<string, unknown> {
  const { input, actor, bump, checksum } = w.p;
  return {
    i: w.index,
    bump,
    source: input.source,
    checksum,
    fingerprint: w.fingerprint,
    framework: input.framework ?? null,
    description: input.description ?? null,
    actor,
    tags: input.tags ?? [],
    metrics: (input.metrics ?? []).map((m) => ({ key: m.key, value: m.value, segment: m.segment ?? null })),
    runId: w.runId,
    baseVersionIds: w.baseVersionIds,
    baseProviderIds: input.baseProviderModelId ? [input.baseProviderModelId] : [],
    teacherVersionIds: w.teacherVersionIds,
    teacherProviderIds: input.teacherProviderModelIds ?? [],
    promptVersionIds: w.prompts.map((p) => p.id),
    copiedFromId: w.copied?.id ?? null,
    kind: w.kind,
  };
}

function versionCreated(w: Work, v: VersionRecord): NewEvent {
  return {
    type: EventType.VERSION_CREATED,
    actor: w.p.actor,
    modelName: v.modelName,
    version: v.version,
    subjectId: v.id,
    after: {
      version: v.version,
      semver: v.semver,
      source: v.source,
      checksum: v.checksum,
      stage: v.stage,
      runId: w.runId,
      fingerprint: w.fingerprint,
      ...(w.runId && !w.p.input.runId ? { runLinkedBy: 'openlineage-output' } : {}),
      ...(w.prompts.length
        ? { promptVersions: w.prompts.map((p) => ({ modelName: p.modelName, version: p.version })) }
        : {}),
      ...(w.copied ? { copiedFrom: { modelName: w.copied.modelName, version: w.copied.version } } : {}),
    },
  };
}

/** A source and its spelling with or without a trailing slash: the same artifact location. */
export function sourceVariants(source: string): string[] {
  const bare = source.replace(/\/+$/, '');
  return bare === source ? [source, `${source}/`] : [bare, source];
}
