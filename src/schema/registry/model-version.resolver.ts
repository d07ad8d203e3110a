import { PROMPT_SOURCES, PROMPT_TEXT_TAG } from '../../registry/prompts.js';
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Evidence as EvidenceRecord, ModelRecord, VersionRecord } from '../../registry/types.js';
import type { Context } from '../context.js';
import { ModelVersionRefInput } from '../common/model-version-ref.input.js';
import { MAX_ALIASES, MAX_TAGS, MAX_TEACHERS, MAX_VERSION_METRICS } from '../../registry/validation.js';
import { MAX_BULK } from '../../registry/bulk.js';
import { MaxItems, PageArgs, toConnection, toPage, type ConnectionResult } from '../common/page.js';
import { selectsField } from '../common/selection.js';
import { SEARCH_COUNT_CAP } from '../../registry/version-search.js';
import { Run } from '../provenance/provenance.types.js';
import { Metric, Tag } from './common.type.js';
import { Stage } from './enums.js';
import {
  CreateModelVersionInput,
  CreatePromptVersionInput,
  EvidenceInput,
  ModelVersionFilter,
  ModelVersionOrder,
  ModelVersionTagInput,
  UpdateModelVersionInput,
} from './inputs.js';
import { Evidence, ModelVersion, ModelVersionConnection } from './model-version.type.js';
import { RegisteredModel } from './registered-model.type.js';

@Resolver(() => ModelVersion)
export class ModelVersionResolver {
  @Query(() => ModelVersion, { nullable: true, description: 'A version by model name and number, or null.' })
  modelVersion(
    @Arg('modelName', () => String) modelName: string,
    @Arg('version', () => Int) version: number,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.registry.lookup.findVersion({ modelName, version });
  }

  @Query(() => ModelVersion, {
    nullable: true,
    description:
      'The version an alias points to ("latest" = the highest), or null. Answered from the alias view (no database round trip) once it is built.',
  })
  modelVersionByAlias(
    @Arg('modelName', () => String) modelName: string,
    @Arg('alias', () => String) alias: string,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.registry.lookup.findVersion({ modelName, alias });
  }

  @Query(() => ModelVersion, {
    nullable: true,
    description: 'Resolves models:/NAME/VERSION, models:/NAME@ALIAS or models:/NAME/STAGE (newest in that stage).',
  })
  resolveModelUri(@Arg('uri', () => String) uri: string, @Ctx() ctx: Context) {
    return ctx.services.registry.lookup.resolveUri(uri);
  }

  @Query(() => ModelVersionConnection, {
    description: `Versions across models, filtered, ordered and paged (keyset: a cursor stays valid as versions are added). totalCount is counted only when selected, up to ${SEARCH_COUNT_CAP.toLocaleString('en-US')} (totalCountIsExact).`,
  })
  async searchModelVersions(
    @Arg('filter', () => ModelVersionFilter, { nullable: true }) filter: ModelVersionFilter | null,
    @Arg('orderBy', () => [ModelVersionOrder], { nullable: true }) orderBy: ModelVersionOrder[] | null,
    @Args(() => PageArgs) { first, after }: PageArgs,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<ConnectionResult<VersionRecord>> {
    const page = toPage(first, after);
    const f = filter ?? {};
    const tag = f.tag ? { key: f.tag.key, value: f.tag.value ?? '' } : null;
    const result = await ctx.services.registry.search.search(
      {
        modelName: f.modelName,
        stage: f.stage,
        tag,
        metric: f.metric,
        createdAfter: f.createdAfter?.toISOString() ?? null,
        createdBefore: f.createdBefore?.toISOString() ?? null,
      },
      orderBy ?? [],
      page,
      { withTotal: selectsField(info, 'totalCount') || selectsField(info, 'totalCountIsExact') },
    );
    const keys = new Map(result.page.map((r) => [r.version.id, r.key]));
    return toConnection(
      result.page.map((r) => r.version),
      page,
      result.total ?? 0,
      (v) => keys.get(v.id)!,
      result.totalIsExact,
    );
  }

  @Mutation(() => ModelVersion, {
    description:
      'Registers a version: numbered under the model lock, semver from the bump, source and checksum immutable.',
  })
  createModelVersion(@Arg('input', () => CreateModelVersionInput) input: CreateModelVersionInput, @Ctx() ctx: Context) {
    return ctx.services.registry.versions.createVersion(ctx.actor, input);
  }

  @Mutation(() => [ModelVersion], {
    description: `Registers up to ${MAX_BULK} versions in one transaction, all or nothing: each input as createModelVersion (numbered in input order, idempotent per input's idempotencyKey); an error names the input (inputs[i]) and nothing is written. The versions in input order.`,
  })
  @MaxItems(MAX_BULK)
  createModelVersions(
    @Arg('inputs', () => [CreateModelVersionInput]) inputs: CreateModelVersionInput[],
    @Ctx() ctx: Context,
  ) {
    return ctx.services.registry.versions.createVersions(ctx.actor, inputs);
  }

  @Mutation(() => ModelVersion, {
    description:
      "Registers a prompt version (a PROMPT model's next version): the template is its content and its checksum the template's sha256.",
  })
  createPromptVersion(
    @Arg('input', () => CreatePromptVersionInput) input: CreatePromptVersionInput,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.registry.versions.createVersion(ctx.actor, {
      modelName: input.promptName,
      source: PROMPT_SOURCES[0]!,
      checksum: null,
      promptTemplate: input.template,
      description: input.description,
      tags: input.tags,
      idempotencyKey: input.idempotencyKey,
    });
  }

  @Mutation(() => ModelVersion, {
    description:
      "Copies a version into a model as its next version, linked COPIED_FROM (MLflow's copy_model_version): same source and checksum (recomputed from Pedigree's store), DEVELOPMENT, no aliases.",
  })
  copyModelVersion(
    @Arg('from', () => ModelVersionRefInput) from: ModelVersionRefInput,
    @Arg('modelName', () => String) modelName: string,
    @Arg('description', () => String, { nullable: true }) description: string | null,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.registry.versions.copyVersion(ctx.actor, from, modelName, { description });
  }

  @Mutation(() => ModelVersion, {
    description: "Changes a version's description; source and checksum are immutable (a correction is a new version).",
  })
  updateModelVersion(
    @Arg('ref', () => ModelVersionRefInput) ref: ModelVersionRefInput,
    @Arg('input', () => UpdateModelVersionInput) input: UpdateModelVersionInput,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.registry.versions.updateVersion(ctx.actor, ref, input);
  }

  @Mutation(() => ModelVersion)
  setModelVersionTag(
    @Arg('ref', () => ModelVersionRefInput) ref: ModelVersionRefInput,
    @Arg('key', () => String) key: string,
    @Arg('value', () => String) value: string,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.registry.versionTags.setVersionTag(ctx.actor, ref, key, value);
  }

  @Mutation(() => [ModelVersion], {
    description: `Sets up to ${MAX_BULK} tags (on one version or across versions) in one transaction, all or nothing: each as setModelVersionTag; an error names the tag (tags[i]) and nothing is written. Each tag's version as it is after the call, in order.`,
  })
  @MaxItems(MAX_BULK)
  setModelVersionTags(@Arg('tags', () => [ModelVersionTagInput]) tags: ModelVersionTagInput[], @Ctx() ctx: Context) {
    return ctx.services.registry.versionTags.setVersionTags(ctx.actor, tags);
  }

  @Mutation(() => ModelVersion)
  deleteModelVersionTag(
    @Arg('ref', () => ModelVersionRefInput) ref: ModelVersionRefInput,
    @Arg('key', () => String) key: string,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.registry.versionTags.deleteVersionTag(ctx.actor, ref, key);
  }

  @Mutation(() => ModelVersion, {
    description:
      'Moves a version to a stage through its gate (GATE_FAILED names the unmet condition). Into CANARY or PRODUCTION only through requestPromotion; out of them only by a REVIEWER (or a request).',
  })
  transitionModelVersionStage(
    @Arg('ref', () => ModelVersionRefInput) ref: ModelVersionRefInput,
    @Arg('stage', () => Stage) stage: Stage,
    @Arg('comment', () => String, { nullable: true }) comment: string | null,
    @Arg('archiveExisting', () => Boolean, {
      defaultValue: false,
      description: 'With PRODUCTION: archive the versions in PRODUCTION now.',
    })
    archiveExisting: boolean,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.lifecycle.transition(ctx.actor, ref, { stage, comment, archiveExisting });
  }

  @Mutation(() => Evidence, {
    description: 'Records gate evidence on a version (review, fairness check, SLO validation, sign-off).',
  })
  addModelVersionEvidence(
    @Arg('ref', () => ModelVersionRefInput) ref: ModelVersionRefInput,
    @Arg('evidence', () => EvidenceInput) evidence: EvidenceInput,
    @Ctx() ctx: Context,
  ): Promise<EvidenceRecord> {
    return ctx.services.lifecycle.addEvidence(ctx.actor, ref, evidence);
  }

  @FieldResolver(() => RegisteredModel)
  async model(@Root() v: VersionRecord, @Ctx() ctx: Context): Promise<ModelRecord> {
    return v.model ?? (await ctx.loaders.modelByName.load(v.modelName))!;
  }

  @FieldResolver(() => [Tag], { description: `At most ${MAX_TAGS}.` })
  @MaxItems(MAX_TAGS)
  tags(@Root() v: VersionRecord, @Ctx() ctx: Context) {
    return v.held?.tags ?? ctx.loaders.tags.load(v.id);
  }

  @FieldResolver(() => [String], { description: 'Names of the aliases pointing here.' })
  @MaxItems(MAX_ALIASES)
  aliases(@Root() v: VersionRecord, @Ctx() ctx: Context) {
    return v.held?.aliases ?? ctx.loaders.versionAliasNames.load(v.id);
  }

  @FieldResolver(() => [Metric], { description: `Given at registration; at most ${MAX_VERSION_METRICS}.` })
  @MaxItems(MAX_VERSION_METRICS)
  metrics(@Root() v: VersionRecord, @Ctx() ctx: Context) {
    return ctx.loaders.metrics.load(v.id);
  }

  @FieldResolver(() => Run, { nullable: true, description: 'The training run that produced it.' })
  run(@Root() v: VersionRecord, @Ctx() ctx: Context) {
    return ctx.loaders.runOfVersion.load(v.id);
  }

  @FieldResolver(() => ModelVersion, { nullable: true, description: 'The model version it was fine-tuned from.' })
  async baseModel(@Root() v: VersionRecord, @Ctx() ctx: Context): Promise<VersionRecord | null> {
    return (await ctx.loaders.parents.load(v.id)).bases[0] ?? null;
  }

  @FieldResolver(() => [ModelVersion], {
    description: `The model versions it was distilled from (at most ${MAX_TEACHERS}).`,
  })
  @MaxItems(MAX_TEACHERS)
  async teachers(@Root() v: VersionRecord, @Ctx() ctx: Context): Promise<VersionRecord[]> {
    return (await ctx.loaders.parents.load(v.id)).teachers;
  }

  @FieldResolver(() => [ModelVersion], {
    description: `The prompt versions it uses (USES_PROMPT; at most ${MAX_TEACHERS}).`,
  })
  @MaxItems(MAX_TEACHERS)
  async usesPrompts(@Root() v: VersionRecord, @Ctx() ctx: Context): Promise<VersionRecord[]> {
    return (await ctx.loaders.parents.load(v.id)).prompts;
  }

  @FieldResolver(() => ModelVersion, {
    nullable: true,
    description: 'The version this one is a copy of (COPIED_FROM; MLflow copy_model_version).',
  })
  async copiedFrom(@Root() v: VersionRecord, @Ctx() ctx: Context): Promise<VersionRecord | null> {
    return (await ctx.loaders.parents.load(v.id)).copiedFrom[0] ?? null;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: "A prompt version's template (its content); null for a model's version.",
  })
  async promptTemplate(@Root() v: VersionRecord, @Ctx() ctx: Context): Promise<string | null> {
    if (v.kind !== 'PROMPT') return null;
    return (await ctx.loaders.tags.load(v.id)).find((t) => t.key === PROMPT_TEXT_TAG)?.value ?? null;
  }
}
