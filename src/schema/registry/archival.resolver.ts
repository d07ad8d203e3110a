import { MaxItems } from '../common/page.js';
import { MAX_CHECKLIST_ITEMS, MAX_DRILL_VERSIONS } from '../../registry/lifecycle.service.js';
import { Arg, Ctx, Field, FieldResolver, InputType, Mutation, ObjectType, Resolver, Root } from 'type-graphql';
import type { ChecklistItemStatus, DrillVersion, RollbackDrill } from '../../registry/lifecycle.service.js';
import type { ModelRecord, VersionRecord } from '../../registry/types.js';
import type { Context } from '../context.js';
import { ModelVersionRefInput } from '../common/model-version-ref.input.js';
import { DateTimeScalar } from '../common/scalars.js';
import { ModelVersion } from './model-version.type.js';
import { RegisteredModel } from './registered-model.type.js';

@ObjectType({
  description: "One item of a version's archival checklist: done (with who, when and the evidence) or still open.",
})
export class ArchivalChecklistItem {
  @Field(() => String)
  item!: string;

  @Field(() => Boolean)
  done!: boolean;

  @Field(() => String, { nullable: true, description: 'The principal who completed it.' })
  by!: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  at!: string | null;

  @Field(() => String, { nullable: true })
  uri!: string | null;

  @Field(() => String, { nullable: true })
  summary!: string | null;
}

@ObjectType({ description: 'What a rollback drill found for one version that was in PRODUCTION.' })
export class RollbackDrillVersion {
  @Field(() => ModelVersion)
  version!: VersionRecord;

  @Field(() => String, {
    description:
      "MATCH, MISMATCH or MISSING for artefacts in Pedigree's store; EXTERNAL (not checked) for other sources.",
  })
  artefacts!: string;

  @Field(() => String, { nullable: true, description: 'What the stored files hash to now.' })
  found!: string | null;

  @MaxItems(10)
  @Field(() => [String], {
    description: 'The → PRODUCTION requirements it no longer meets (evidence kinds, card:<section>, checksum).',
  })
  unmetGates!: string[];

  @Field(() => Boolean)
  passed!: boolean;
}

@ObjectType({
  description: 'A rollback drill over every version of a model that was ever in PRODUCTION, recorded as evidence.',
})
export class RollbackDrillResult {
  @Field(() => String)
  modelName!: string;

  @Field(() => DateTimeScalar)
  at!: string;

  @Field(() => String, { description: 'The ROLLBACK_DRILL_RECORDED event.' })
  sequence!: string;

  @Field(() => Boolean, {
    description: 'Every version passed (EXTERNAL artefacts count as passed: Pedigree cannot read them).',
  })
  passed!: boolean;

  @MaxItems(MAX_DRILL_VERSIONS)
  @Field(() => [RollbackDrillVersion], { description: 'Newest first, at most 100.' })
  versions!: DrillVersion[];
}

@InputType({ description: 'What shows an archival checklist item is done.' })
export class ChecklistEvidenceInput {
  @Field(() => String, { description: 'What was done (required).' })
  summary!: string;

  @Field(() => String, { nullable: true, description: 'A link to the evidence (ticket, announcement, dashboard).' })
  uri?: string | null;
}

/**
 * Leaving production by the book: a model's archival checklist, completed
 * per version before PRODUCTION → ARCHIVED (the lifecycle gate checks it),
 * and rollback drills over the versions kept after PRODUCTION.
 */
@Resolver(() => ModelVersion)
export class ArchivalResolver {
  @Mutation(() => RegisteredModel, {
    description:
      "Replaces a model's archival checklist (ADMIN or an owner): items each version must have completed before it leaves PRODUCTION for ARCHIVED. An empty list removes it.",
  })
  setArchivalChecklist(
    @Arg('modelName', () => String) modelName: string,
    @Arg('items', () => [String]) items: string[],
    @Ctx() ctx: Context,
  ): Promise<ModelRecord> {
    return ctx.services.lifecycle.setArchivalChecklist(ctx.actor, modelName, items);
  }

  @MaxItems(MAX_CHECKLIST_ITEMS)
  @Mutation(() => [ArchivalChecklistItem], {
    description:
      "Records an item of the model's archival checklist as done for a version, with evidence, in the caller's name.",
  })
  completeArchivalChecklistItem(
    @Arg('ref', () => ModelVersionRefInput) ref: ModelVersionRefInput,
    @Arg('item', () => String) item: string,
    @Arg('evidence', () => ChecklistEvidenceInput) evidence: ChecklistEvidenceInput,
    @Ctx() ctx: Context,
  ): Promise<ChecklistItemStatus[]> {
    return ctx.services.lifecycle.completeChecklistItem(ctx.actor, ref, item, evidence);
  }

  @Mutation(() => RollbackDrillResult, {
    description:
      'Checks that a rollback to each version that was ever in PRODUCTION would still work (its artefacts are there and match its checksum; the → PRODUCTION requirements hold) and records the result as ROLLBACK_DRILL evidence on each.',
  })
  rollbackDrill(@Arg('modelName', () => String) modelName: string, @Ctx() ctx: Context): Promise<RollbackDrill> {
    return ctx.services.lifecycle.rollbackDrill(ctx.actor, modelName);
  }

  @MaxItems(MAX_CHECKLIST_ITEMS)
  @FieldResolver(() => [ArchivalChecklistItem], {
    description: "Its model's archival checklist, item by item, done or open for this version.",
  })
  archivalChecklist(@Root() v: VersionRecord, @Ctx() ctx: Context): Promise<ChecklistItemStatus[]> {
    return ctx.loaders.archivalChecklist.load(v.id);
  }
}
