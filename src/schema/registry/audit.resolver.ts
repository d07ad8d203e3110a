import { Arg, Args, Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../context.js';
import { decodeSequenceCursor, PageArgs, sequencePage, toPage } from '../common/page.js';
import { RegistryEventConnection } from './events.type.js';
import { AuditFilter } from './inputs.js';

@Resolver()
export class AuditResolver {
  @Query(() => RegistryEventConnection, {
    description: 'The append-only event log in sequence order, filtered and paged.',
  })
  async auditLog(
    @Arg('filter', () => AuditFilter, { nullable: true }) filter: AuditFilter | null,
    @Args(() => PageArgs) { first, after }: PageArgs,
    @Ctx() ctx: Context,
  ) {
    const page = toPage(first, null);
    const f = filter ?? {};
    const rows = await ctx.services.audit.auditLog(
      {
        modelName: f.modelName,
        actor: f.actor,
        types: f.types,
        after: f.after?.toISOString() ?? null,
        before: f.before?.toISOString() ?? null,
      },
      page.first,
      decodeSequenceCursor(after),
      ctx.actor.role,
    );
    return sequencePage(rows, page.first, after);
  }
}
