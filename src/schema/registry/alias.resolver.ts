import { Arg, Args, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { AliasMove, VersionRecord } from '../../registry/types.js';
import type { Context } from '../context.js';
import { decodeSequenceCursor, PageArgs, sequencePage, toPage } from '../common/page.js';
import { DateTimeScalar } from '../common/scalars.js';
import { AliasHistoryConnection } from './events.type.js';
import { AliasMoveResult, ModelVersion } from './model-version.type.js';

@Resolver()
export class AliasResolver {
  @Mutation(() => AliasMoveResult, { description: 'Creates or moves an alias; returns the version it left.' })
  setRegisteredModelAlias(
    @Arg('modelName', () => String) modelName: string,
    @Arg('alias', () => String) alias: string,
    @Arg('version', () => Int) version: number,
    @Ctx() ctx: Context,
  ): Promise<AliasMove> {
    return ctx.services.registry.aliases.setAlias(ctx.actor, modelName, alias, version);
  }

  @Mutation(() => AliasMoveResult)
  deleteRegisteredModelAlias(
    @Arg('modelName', () => String) modelName: string,
    @Arg('alias', () => String) alias: string,
    @Ctx() ctx: Context,
  ): Promise<AliasMove> {
    return ctx.services.registry.aliases.deleteAlias(ctx.actor, modelName, alias);
  }

  @Query(() => AliasHistoryConnection, { description: "One alias's moves, oldest first." })
  async aliasHistory(
    @Arg('modelName', () => String) modelName: string,
    @Arg('alias', () => String) alias: string,
    @Args(() => PageArgs) { first, after }: PageArgs,
    @Ctx() ctx: Context,
  ) {
    const page = toPage(first, null);
    const rows = await ctx.services.audit.aliasHistory(modelName, alias, page.first, decodeSequenceCursor(after));
    return sequencePage(rows, page.first, after);
  }

  @Query(() => ModelVersion, {
    nullable: true,
    description:
      'The version the alias pointed to at that instant (a move at exactly that instant counts); null before it existed or after it was deleted.',
  })
  aliasAt(
    @Arg('modelName', () => String) modelName: string,
    @Arg('alias', () => String) alias: string,
    @Arg('at', () => DateTimeScalar) at: Date,
    @Ctx() ctx: Context,
  ): Promise<VersionRecord | null> {
    return ctx.services.audit.aliasAt(modelName, alias, at.toISOString());
  }
}
