import { ModelKind } from './enums.js';
import { MAX_CHECKLIST_ITEMS } from '../../registry/lifecycle.service.js';
import {
  Arg,
  Args,
  Ctx,
  Field,
  FieldResolver,
  Float,
  Int,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import type { GateThreshold, ModelRecord, VersionRecord } from '../../registry/types.js';
import type { Context } from '../context.js';
import { MAX_ALIASES, MAX_GATES, MAX_TAGS } from '../../registry/validation.js';
import { MaxItems, PageArgs, toConnection, toPage, type ConnectionResult } from '../common/page.js';
import { Tag } from './common.type.js';
import { ComparisonOp } from './enums.js';
import {
  CreateRegisteredModelInput,
  GateThresholdInput,
  RegisteredModelFilter,
  UpdateRegisteredModelInput,
} from './inputs.js';
import { ModelAlias, ModelVersion, ModelVersionConnection } from './model-version.type.js';
import { RegisteredModel, RegisteredModelConnection } from './registered-model.type.js';

@ObjectType({ description: 'A STAGING gate threshold.' })
class GateThreshold_ {
  @Field(() => String)
  metric!: string;

  @Field(() => ComparisonOp)
  op!: ComparisonOp;

  @Field(() => Float)
  value!: number;
}

@ObjectType()
class DeleteRegisteredModelResult {
  @Field(() => String)
  name!: string;

  @Field(() => Int, { description: 'How many versions were deleted with it.' })
  deletedVersions!: number;
}

@Resolver(() => RegisteredModel)
export class RegisteredModelResolver {
  @Query(() => RegisteredModel, { nullable: true, description: 'A registered model by name, or null.' })
  registeredModel(@Arg('name', () => String) name: string, @Ctx() ctx: Context): Promise<ModelRecord | null> {
    return ctx.loaders.modelByName.load(name);
  }

  @Query(() => RegisteredModelConnection, { description: 'Registered models by name, filtered and paged.' })
  async registeredModels(
    @Args(() => PageArgs) { first, after }: PageArgs,
    @Arg('filter', () => RegisteredModelFilter, { nullable: true }) filter: RegisteredModelFilter | null,
    @Ctx() ctx: Context,
  ): Promise<ConnectionResult<ModelRecord>> {
    const page = toPage(first, after);
    const { total, models } = await ctx.services.registry.models.listModels(filter ?? {}, page);
    for (const m of models) ctx.loaders.modelByName.prime(m.name, m);
    return toConnection(models, page, total, (m) => [m.name]);
  }

  @FieldResolver(() => ModelKind)
  kind(@Root() m: ModelRecord): ModelKind {
    return (m.kind ?? 'MODEL') as ModelKind;
  }

  @Mutation(() => RegisteredModel)
  createRegisteredModel(
    @Arg('input', () => CreateRegisteredModelInput) input: CreateRegisteredModelInput,
    @Ctx() ctx: Context,
  ): Promise<ModelRecord> {
    return ctx.services.registry.models.createModel(ctx.actor, input);
  }

  @Mutation(() => RegisteredModel)
  updateRegisteredModel(
    @Arg('name', () => String) name: string,
    @Arg('input', () => UpdateRegisteredModelInput) input: UpdateRegisteredModelInput,
    @Ctx() ctx: Context,
  ): Promise<ModelRecord> {
    return ctx.services.registry.models.updateModel(ctx.actor, name, input);
  }

  @Mutation(() => DeleteRegisteredModelResult, {
    description:
      'Deletes a model and its versions. Refused (CONFLICT) while any version is protected (CANARY/PRODUCTION, kept after PRODUCTION, served predictions, has versions of other models derived from it) or an alias exists, unless an admin passes force. Pending promotion requests are cancelled.',
  })
  async deleteRegisteredModel(
    @Arg('name', () => String) name: string,
    @Arg('force', () => Boolean, { defaultValue: false }) force: boolean,
    @Ctx() ctx: Context,
  ): Promise<DeleteRegisteredModelResult> {
    const r = await ctx.services.registry.models.deleteModel(ctx.actor, name, { force });
    return { name: r.name, deletedVersions: r.versions };
  }

  @Mutation(() => RegisteredModel)
  setRegisteredModelTag(
    @Arg('modelName', () => String) modelName: string,
    @Arg('key', () => String) key: string,
    @Arg('value', () => String) value: string,
    @Ctx() ctx: Context,
  ): Promise<ModelRecord> {
    return ctx.services.registry.models.setModelTag(ctx.actor, modelName, key, value);
  }

  @Mutation(() => RegisteredModel)
  deleteRegisteredModelTag(
    @Arg('modelName', () => String) modelName: string,
    @Arg('key', () => String) key: string,
    @Ctx() ctx: Context,
  ): Promise<ModelRecord> {
    return ctx.services.registry.models.deleteModelTag(ctx.actor, modelName, key);
  }

  @Mutation(() => RegisteredModel, {
    description: 'Replaces the STAGING gate: every threshold must hold for a version to enter STAGING.',
  })
  setModelGates(
    @Arg('modelName', () => String) modelName: string,
    @Arg('thresholds', () => [GateThresholdInput]) thresholds: GateThresholdInput[],
    @Ctx() ctx: Context,
  ): Promise<ModelRecord> {
    return ctx.services.lifecycle.setGates(ctx.actor, modelName, thresholds);
  }

  @Mutation(() => RegisteredModel, {
    description: 'Replaces the list of protected aliases (moving one is a promotion).',
  })
  setProtectedAliases(
    @Arg('modelName', () => String) modelName: string,
    @Arg('aliases', () => [String]) aliases: string[],
    @Ctx() ctx: Context,
  ): Promise<ModelRecord> {
    return ctx.services.lifecycle.setProtectedAliases(ctx.actor, modelName, aliases);
  }

  @FieldResolver(() => [Tag], { description: `At most ${MAX_TAGS}.` })
  @MaxItems(MAX_TAGS)
  tags(@Root() m: ModelRecord, @Ctx() ctx: Context) {
    return ctx.loaders.tags.load(m.id);
  }

  @FieldResolver(() => [ModelAlias], {
    description: `Every alias of the model with the version it points to (a model has at most ${MAX_ALIASES}).`,
  })
  @MaxItems(MAX_ALIASES)
  aliases(@Root() m: ModelRecord, @Ctx() ctx: Context) {
    return ctx.loaders.modelAliases.load(m.name);
  }

  @FieldResolver(() => ModelVersion, { nullable: true, description: 'The highest version.' })
  latestVersion(@Root() m: ModelRecord, @Ctx() ctx: Context): Promise<VersionRecord | null> {
    return ctx.loaders.latestVersion.load(m.name);
  }

  @FieldResolver(() => ModelVersionConnection, { description: 'Versions, newest first.' })
  async versions(
    @Root() m: ModelRecord,
    @Args(() => PageArgs) { first, after }: PageArgs,
    @Ctx() ctx: Context,
  ): Promise<ConnectionResult<VersionRecord>> {
    const page = toPage(first, after);
    const afterVersion = page.after ? Number(page.after[0]) : null;
    const { total, versions } = await ctx.loaders
      .versionsPage(page.first + 1)
      .load({ modelName: m.name, afterVersion: Number.isInteger(afterVersion) ? afterVersion : null });
    return toConnection(versions, page, total, (v) => [v.version]);
  }

  @FieldResolver(() => [GateThreshold_], {
    description: `STAGING gate thresholds (empty: at least one metric is required); at most ${MAX_GATES}.`,
  })
  @MaxItems(MAX_GATES)
  gates(@Root() m: ModelRecord): GateThreshold[] {
    return m.gates ? (JSON.parse(m.gates) as GateThreshold[]) : [];
  }

  @MaxItems(MAX_CHECKLIST_ITEMS)
  @FieldResolver(() => [String], {
    description:
      'Items each version must have completed before it leaves PRODUCTION for ARCHIVED (setArchivalChecklist).',
  })
  archivalChecklist(@Root() m: ModelRecord): string[] {
    return m.archivalChecklist ?? [];
  }
}
