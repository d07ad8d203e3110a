import { Arg, Args, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { PromotionTarget } from '../../governance/promotion-rules.js';
import type { PromotionRequestView } from '../../governance/promotion.service.js';
import type { GatePreview as GatePreviewRecord } from '../../registry/lifecycle.service.js';
import type { Stage, VersionRecord } from '../../registry/types.js';
import type { Context } from '../context.js';
import { ModelVersionRefInput } from '../common/model-version-ref.input.js';
import { encodeCursor, PageArgs, toPage } from '../common/page.js';
import { GatePreview } from '../registry/gate-preview.type.js';
import { EvidenceInput } from '../registry/inputs.js';
import { AliasMoveResult, ModelVersion } from '../registry/model-version.type.js';
import { RegisteredModel } from '../registry/registered-model.type.js';
import {
  PromotionRequest,
  PromotionRequestConnection,
  PromotionRequestFilter,
  PromotionRights,
  PromotionTargetInput,
} from './promotion.type.js';

/** Reviewed and two-person promotion, owners and rollback. Who may call what: src/governance/policy.ts. */
@Resolver(() => PromotionRequest)
export class PromotionResolver {
  @Query(() => PromotionRequest, { nullable: true })
  async promotionRequest(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<PromotionRequest | null> {
    const r = await ctx.services.promotions.get(id);
    return r && toGraphQL(r);
  }

  @Query(() => PromotionRequestConnection, {
    description:
      'Promotion requests, oldest first, filtered and paged. With approvableByViewer: the pending requests the caller may approve now (the promotions inbox); a page may then come back short after reading 2,000 pending requests, with hasNextPage and a cursor where the reading stopped.',
  })
  async promotionRequests(
    @Arg('filter', () => PromotionRequestFilter, { nullable: true }) filter: PromotionRequestFilter | null,
    @Args(() => PageArgs) { first, after }: PageArgs,
    @Ctx() ctx: Context,
  ) {
    const page = toPage(first, after);
    const r = await ctx.services.promotions.list(
      ctx.actor,
      { status: filter?.status, modelName: filter?.modelName, approvableByCaller: filter?.approvableByViewer },
      page,
    );
    const edges = r.items.map(({ view, key }) => ({ cursor: encodeCursor(key), node: toGraphQL(view) }));
    return {
      edges,
      pageInfo: {
        hasNextPage: r.hasNextPage,
        hasPreviousPage: page.after !== null,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: r.endKey ? encodeCursor(r.endKey) : null,
      },
    };
  }

  @FieldResolver(() => PromotionRights, {
    description:
      'What the principal making this request may do with it now: approve or reject, as those mutations would decide.',
  })
  viewerCan(@Root() request: PromotionRequest, @Ctx() ctx: Context): PromotionRights {
    const r = ctx.services.promotions.rightsOf(ctx.actor, request as unknown as PromotionRequestView);
    return {
      approve: r.approve.ok,
      approveRefusal: r.approve.ok ? null : r.approve.message,
      approvalCarriesOut: r.approvalCarriesOut,
      reject: r.reject.ok,
      rejectRefusal: r.reject.ok ? null : r.reject.message,
    };
  }

  @FieldResolver(() => ModelVersion, {
    nullable: true,
    description: 'The version the request is for (null once it was deleted).',
  })
  async modelVersion(@Root() request: PromotionRequest, @Ctx() ctx: Context): Promise<VersionRecord | null> {
    return request.versionId ? ctx.loaders.versionById.load(request.versionId) : null;
  }

  @FieldResolver(() => ModelVersion, {
    nullable: true,
    description:
      "The version the target points to now: the alias's version, or the newest other version of the model in the target stage (null: none). Compare its metrics with modelVersion's.",
  })
  async currentTarget(@Root() request: PromotionRequest, @Ctx() ctx: Context): Promise<VersionRecord | null> {
    const id = (request as unknown as PromotionRequestView).currentTargetId;
    return id ? ctx.loaders.versionById.load(id) : null;
  }

  @FieldResolver(() => GatePreview, {
    nullable: true,
    description:
      'For a stage target: the lifecycle gate the approval that carries the request out will meet, evaluated now. Null for an alias target (no lifecycle gate) and once the version was deleted.',
  })
  async gate(@Root() request: PromotionRequest, @Ctx() ctx: Context): Promise<GatePreviewRecord | null> {
    if (!request.target.stage || !request.versionId) return null;
    return ctx.loaders.gatePreview.load({ versionId: request.versionId, stage: request.target.stage as Stage });
  }

  @Mutation(() => PromotionRequest, {
    description: 'Asks for a promotion to CANARY, PRODUCTION or a protected alias; approvals carry it out.',
  })
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

  @Mutation(() => PromotionRequest, {
    description: 'Approves; the approval that satisfies the rule carries the promotion out in the same transaction.',
  })
  async approvePromotion(
    @Arg('id', () => ID) id: string,
    @Arg('comment', () => String, { nullable: true }) comment: string | null,
    @Ctx() ctx: Context,
  ): Promise<PromotionRequest> {
    return toGraphQL(await ctx.services.promotions.approve(ctx.actor, id, comment));
  }

  @Mutation(() => PromotionRequest)
  async rejectPromotion(
    @Arg('id', () => ID) id: string,
    @Arg('reason', () => String) reason: string,
    @Ctx() ctx: Context,
  ): Promise<PromotionRequest> {
    return toGraphQL(await ctx.services.promotions.reject(ctx.actor, id, reason));
  }

  @Mutation(() => AliasMoveResult, {
    description:
      'Moves an alias (protected or not) back to a version it pointed to before; recorded as a rollback with its reason.',
  })
  async rollback(
    @Arg('modelName', () => String) modelName: string,
    @Arg('alias', () => String) alias: string,
    @Arg('version', () => Int) version: number,
    @Arg('reason', () => String) reason: string,
    @Ctx() ctx: Context,
  ): Promise<AliasMoveResult> {
    return (await ctx.services.promotions.rollback(
      ctx.actor,
      modelName,
      alias,
      version,
      reason,
    )) as unknown as AliasMoveResult;
  }

  @Mutation(() => RegisteredModel, {
    description: 'Replaces the owners (principal names) of a model: ADMIN or a current owner.',
  })
  async setModelOwners(
    @Arg('modelName', () => String) modelName: string,
    @Arg('owners', () => [String]) owners: string[],
    @Ctx() ctx: Context,
  ): Promise<RegisteredModel> {
    await ctx.services.promotions.setModelOwners(ctx.actor, modelName, owners);
    return (await ctx.services.registry.lookup.getModel(modelName)) as unknown as RegisteredModel;
  }
}

function toGraphQL(r: PromotionRequestView): PromotionRequest {
  return {
    ...r,
    target: { stage: (r.targetStage ?? null) as PromotionRequest['target']['stage'], alias: r.targetAlias },
    rule: r.rule as PromotionRequest['rule'],
    status: r.status as PromotionRequest['status'],
    evidence: r.evidence.map((e) => ({
      kind: e.kind,
      passed: e.passed ?? true,
      uri: e.uri ?? null,
      summary: e.summary ?? null,
    })),
  };
}
