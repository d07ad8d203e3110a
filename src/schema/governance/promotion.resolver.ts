import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { PromotionTarget } from '../../governance/promotion-rules.js';
import type { PromotionRequestView } from '../../governance/promotion.service.js';
import type { Context } from '../../server/context.js';
import { ModelVersionRefInput } from '../common/model-version-ref.input.js';
import { EvidenceInput } from '../registry/inputs.js';
import { AliasMoveResult } from '../registry/model-version.type.js';
import { RegisteredModel } from '../registry/registered-model.type.js';
import { PromotionRequest, PromotionTargetInput } from './promotion.type.js';

/** Reviewed and two-person promotion, owners and rollback. Who may call what: src/governance/policy.ts. */
@Resolver()
export class PromotionResolver {
  @Query(() => PromotionRequest, { nullable: true })
  async promotionRequest(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<PromotionRequest | null> {
    const r = await ctx.services.promotions.get(id);
    return r && toGraphQL(r);
  }

  @Mutation(() => PromotionRequest, { description: 'Asks for a promotion to CANARY, PRODUCTION or a protected alias; approvals carry it out.' })
  async requestPromotion(
    @Arg('ref', () => ModelVersionRefInput) ref: ModelVersionRefInput,
    @Arg('target', () => PromotionTargetInput) target: PromotionTargetInput,
    @Arg('evidence', () => [EvidenceInput], { nullable: true }) evidence: EvidenceInput[] | null,
    @Ctx() ctx: Context,
  ): Promise<PromotionRequest> {
    // The service refuses anything but exactly one of stage and alias.
    const t = { stage: target.stage ?? undefined, alias: target.alias ?? undefined } as PromotionTarget;
    return toGraphQL(await ctx.services.promotions.requestPromotion(ctx.actor, ref, t, evidence));
  }

  @Mutation(() => PromotionRequest, { description: 'Approves; the approval that satisfies the rule carries the promotion out in the same transaction.' })
  async approvePromotion(
    @Arg('id', () => ID) id: string,
    @Arg('comment', () => String, { nullable: true }) comment: string | null,
    @Ctx() ctx: Context,
  ): Promise<PromotionRequest> {
    return toGraphQL(await ctx.services.promotions.approve(ctx.actor, id, comment));
  }

  @Mutation(() => PromotionRequest)
  async rejectPromotion(@Arg('id', () => ID) id: string, @Arg('reason', () => String) reason: string, @Ctx() ctx: Context): Promise<PromotionRequest> {
    return toGraphQL(await ctx.services.promotions.reject(ctx.actor, id, reason));
  }

  @Mutation(() => AliasMoveResult, { description: 'Moves an alias (protected or not) back to a version it pointed to before; recorded as a rollback with its reason.' })
  async rollback(
    @Arg('modelName', () => String) modelName: string,
    @Arg('alias', () => String) alias: string,
    @Arg('version', () => Int) version: number,
    @Arg('reason', () => String) reason: string,
    @Ctx() ctx: Context,
  ): Promise<AliasMoveResult> {
    return (await ctx.services.promotions.rollback(ctx.actor, modelName, alias, version, reason)) as unknown as AliasMoveResult;
  }

  @Mutation(() => RegisteredModel, { description: 'Replaces the owners (principal names) of a model: ADMIN or a current owner.' })
  async setModelOwners(
    @Arg('modelName', () => String) modelName: string,
    @Arg('owners', () => [String]) owners: string[],
    @Ctx() ctx: Context,
  ): Promise<RegisteredModel> {
    await ctx.services.promotions.setModelOwners(ctx.actor, modelName, owners);
    return (await ctx.services.registry.getModel(modelName)) as unknown as RegisteredModel;
  }
}

function toGraphQL(r: PromotionRequestView): PromotionRequest {
  return {
    ...r,
    target: { stage: (r.targetStage ?? null) as PromotionRequest['target']['stage'], alias: r.targetAlias },
    rule: r.rule as PromotionRequest['rule'],
    status: r.status as PromotionRequest['status'],
    evidence: r.evidence.map((e) => ({ kind: e.kind, passed: e.passed ?? true, uri: e.uri ?? null, summary: e.summary ?? null })),
  };
}
