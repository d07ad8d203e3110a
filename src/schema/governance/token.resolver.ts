import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { fieldsAllowed, POLICY } from '../../governance/policy.js';
import type { Context } from '../context.js';
import { MAX_LIVE_TOKENS } from '../../governance/token.service.js';
import { ListPageArgs, MaxItems, toListPage } from '../common/page.js';
import { ApiToken, CreatedApiToken, Principal } from './principal.type.js';
import { Role } from './role.enum.js';

/** Tokens and "who am I". Who may call each field: src/governance/policy.ts. */
@Resolver()
export class TokenResolver {
  @Query(() => Principal, {
    nullable: true,
    description: "The principal behind the request's token (null when anonymous).",
  })
  viewer(@Ctx() ctx: Context): Principal | null {
    return ctx.actor.role ? { name: ctx.actor.name, role: ctx.actor.role } : null;
  }

  @Query(() => [ApiToken], {
    description:
      'Every API token, newest first, without secrets; a page at a time, `after` being the `id` of the last token of the previous page. Admin only.',
  })
  async apiTokens(@Args(() => ListPageArgs) { first, after }: ListPageArgs, @Ctx() ctx: Context): Promise<ApiToken[]> {
    const rows = await ctx.services.tokens.listTokens(toListPage(first, after));
    return rows.map((r) => ({ ...r, principal: { name: r.name, role: r.role } }));
  }

  @Mutation(() => CreatedApiToken, {
    description:
      'A new API token for principal `name` (created on first use with `role`). Admin only; the token is shown once.',
  })
  async createApiToken(
    @Arg('name', () => String) name: string,
    @Arg('role', () => Role) role: Role,
    @Ctx() ctx: Context,
  ): Promise<CreatedApiToken> {
    return ctx.services.tokens.createToken(ctx.actor, name, role);
  }

  @Mutation(() => [ID], {
    description: `Revokes the token with this id, or every live token of the principal with this name (at most ${MAX_LIVE_TOKENS}); returns the revoked token ids. Takes effect within 5 s on every replica.`,
  })
  @MaxItems(MAX_LIVE_TOKENS)
  async revokeApiToken(@Arg('ref', () => String) ref: string, @Ctx() ctx: Context): Promise<string[]> {
    return (await ctx.services.tokens.revokeTokens(ctx.actor, ref)).map((r) => r.id);
  }
}

/** What a principal's role may call, from the policy table (the dashboard shows only what its user may use). */
@Resolver(() => Principal)
export class PrincipalResolver {
  @FieldResolver(() => [String], {
    description:
      'Root fields (Query.x, Mutation.x, Subscription.x) this role may call by the policy table (src/governance/policy.ts), sorted. Finer rules (owners, protected targets, the two-person rule) are still decided on each call; for a promotion request see PromotionRequest.viewerCan.',
  })
  @MaxItems(Object.keys(POLICY).length)
  allowedFields(@Root() principal: Principal): string[] {
    return fieldsAllowed(principal.role);
  }
}
