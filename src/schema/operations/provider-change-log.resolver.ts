import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { ProviderVersionRecord } from '../../operations/provider-change-log.service.js';
import type { Context } from '../context.js';
import { ListPageArgs, toListPage } from '../common/page.js';
import { DateTimeScalar } from '../common/scalars.js';
import { ProviderModel } from '../provenance/provenance.types.js';
import { DeprecatedProviderPin, QualificationStatus, RecordProviderVersionInput } from './provider-change-log.types.js';

const asProvider = (p: ProviderVersionRecord) => p as unknown as ProviderModel;

/** The change-log fields of a provider model: properties of the node itself, so no extra round trip. */
@Resolver(() => ProviderModel)
export class ProviderChangeLogResolver {
  @FieldResolver(() => QualificationStatus, { description: 'UNDER_EVALUATION until qualified or rejected.' })
  qualificationStatus(@Root() p: ProviderVersionRecord): QualificationStatus {
    return (p.qualificationStatus ?? 'UNDER_EVALUATION') as QualificationStatus;
  }

  @FieldResolver(() => String, { nullable: true })
  qualificationNote(@Root() p: ProviderVersionRecord): string | null {
    return p.qualificationNote ?? null;
  }

  @FieldResolver(() => DateTimeScalar, { nullable: true, description: "When the provider made this version's change." })
  changeDate(@Root() p: ProviderVersionRecord): string | null {
    return p.changeDate ?? null;
  }

  @FieldResolver(() => String, { nullable: true })
  impactAssessment(@Root() p: ProviderVersionRecord): string | null {
    return p.impactAssessment ?? null;
  }

  @FieldResolver(() => DateTimeScalar, {
    nullable: true,
    description: 'When the provider deprecated it (null while supported).',
  })
  deprecatedAt(@Root() p: ProviderVersionRecord): string | null {
    return p.deprecatedAt ?? null;
  }

  @Mutation(() => ProviderModel, {
    description:
      'Records a provider version in the change log (change date, impact assessment); new versions start UNDER_EVALUATION.',
  })
  async recordProviderVersion(
    @Arg('input', () => RecordProviderVersionInput) input: RecordProviderVersionInput,
    @Ctx() ctx: Context,
  ): Promise<ProviderModel> {
    return asProvider(
      await ctx.services.providerChangeLog.recordVersion(ctx.actor, {
        ...input,
        changeDate: input.changeDate.toISOString(),
      }),
    );
  }

  @Mutation(() => ProviderModel, {
    description:
      'Qualifies or rejects a provider version (a rejection needs a note). Deployments pin only QUALIFIED versions.',
  })
  async setProviderVersionQualification(
    @Arg('id', () => ID) id: string,
    @Arg('status', () => QualificationStatus) status: QualificationStatus,
    @Arg('note', () => String, { nullable: true }) note: string | null,
    @Ctx() ctx: Context,
  ): Promise<ProviderModel> {
    return asProvider(await ctx.services.providerChangeLog.setQualification(ctx.actor, id, status, note));
  }

  @Mutation(() => ProviderModel, { description: 'Records that the provider deprecated this version (default: now).' })
  async deprecateProviderVersion(
    @Arg('id', () => ID) id: string,
    @Arg('deprecatedAt', () => DateTimeScalar, { nullable: true }) deprecatedAt: Date | null,
    @Arg('note', () => String, { nullable: true }) note: string | null,
    @Ctx() ctx: Context,
  ): Promise<ProviderModel> {
    return asProvider(
      await ctx.services.providerChangeLog.deprecate(ctx.actor, id, deprecatedAt?.toISOString() ?? null, note),
    );
  }

  @Query(() => [ProviderModel], {
    description:
      'The change log of a provider model: its versions, newest change first; a page at a time, `after` being the `id` of the last version of the previous page.',
  })
  async providerChangeLog(
    @Arg('provider', () => String) provider: string,
    @Arg('name', () => String) name: string,
    @Args(() => ListPageArgs) { first, after }: ListPageArgs,
    @Ctx() ctx: Context,
  ): Promise<ProviderModel[]> {
    return (await ctx.services.providerChangeLog.changeLog(provider, name, toListPage(first, after))).map(asProvider);
  }

  @Query(() => [DeprecatedProviderPin], {
    description:
      'Deployments still pinned to a provider version the provider has deprecated, by deprecation date; a page at a time, `after` being the `cursor` of the last pin of the previous page.',
  })
  async deploymentsOnDeprecatedProviderVersions(
    @Args(() => ListPageArgs) { first, after }: ListPageArgs,
    @Ctx() ctx: Context,
  ): Promise<DeprecatedProviderPin[]> {
    return (await ctx.services.providerChangeLog.deploymentsOnDeprecatedVersions(toListPage(first, after))).map(
      (r) => ({
        cursor: r.cursor,
        deploymentName: r.deployment.name,
        environment: r.deployment.environment,
        endpoint: r.deployment.endpoint,
        weight: r.weight,
        providerModel: asProvider(r.providerModel),
      }),
    );
  }
}
