import { Arg, Args, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { DeploymentState } from '../../operations/deployment.service.js';
import type { Context } from '../context.js';
import { encodeCursor, ListPageArgs, PageArgs, toListPage, toPage, type ConnectionResult } from '../common/page.js';
import { DateTimeScalar } from '../common/scalars.js';
import type { ModelVersion } from '../registry/model-version.type.js';
import { Deployment, DeploymentChange, DeploymentConnection, RecordDeploymentInput } from './deployment.types.js';

export const toDeployment = (s: DeploymentState): Deployment => ({
  id: s.deployment.id,
  name: s.deployment.name,
  environment: s.environment,
  endpoint: s.endpoint,
  requireAttestation: s.deployment.requireAttestation ?? false,
  createdAt: s.deployment.createdAt,
  at: s.at,
  recordedAt: s.recordedAt,
  recordSequence: s.recordSequence,
  serving: s.serving.map((e) => ({
    modelName: e.modelName,
    modelVersion: e.version as unknown as ModelVersion | null,
    weight: e.weight,
    followsAlias: e.followsAlias,
    checksum: e.checksum,
  })),
  providerModels: s.providerModels,
});

@Resolver()
export class DeploymentResolver {
  @Mutation(() => Deployment, {
    description:
      "Records what a deployment serves. Each checksum must equal the version's (else CHECKSUM_MISMATCH, and the refusal is audited); a ref by alias makes the deployment follow it.",
  })
  async recordDeployment(
    @Arg('input', () => RecordDeploymentInput) input: RecordDeploymentInput,
    @Ctx() ctx: Context,
  ): Promise<Deployment> {
    return toDeployment(await ctx.services.deployments.recordDeployment(ctx.actor, input));
  }

  @Query(() => Deployment, { nullable: true, description: 'What a deployment serves now.' })
  async deployment(@Arg('name', () => String) name: string, @Ctx() ctx: Context): Promise<Deployment | null> {
    const s = await ctx.services.deployments.deployment(name);
    return s ? toDeployment(s) : null;
  }

  @Query(() => Deployment, {
    nullable: true,
    description:
      'What a deployment served at an instant (null before its first record), from the event log and the alias events.',
  })
  async deploymentAt(
    @Arg('name', () => String) name: string,
    @Arg('at', () => DateTimeScalar) at: Date,
    @Ctx() ctx: Context,
  ): Promise<Deployment | null> {
    const s = await ctx.services.deployments.deploymentAt(name, at.toISOString());
    return s ? toDeployment(s) : null;
  }

  @Query(() => DeploymentConnection, {
    description: 'Deployments that existed at `at` (default: now), by name, each as it served then: what runs where.',
  })
  async deployments(
    @Arg('at', () => DateTimeScalar, { nullable: true }) at: Date | null,
    @Args(() => PageArgs) { first, after }: PageArgs,
    @Ctx() ctx: Context,
  ): Promise<ConnectionResult<Deployment>> {
    const page = toPage(first, after);
    const r = await ctx.services.deployments.list((at ?? new Date()).toISOString(), {
      first: page.first,
      after: page.after ? String(page.after[0]) : null,
    });
    const edges = r.states.map((s) => ({ cursor: encodeCursor([s.deployment.name]), node: toDeployment(s) }));
    return {
      totalCount: r.total,
      edges,
      pageInfo: {
        hasNextPage: r.hasNextPage,
        hasPreviousPage: page.after !== null,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges.at(-1)?.cursor ?? null,
      },
    };
  }

  @Query(() => [DeploymentChange], {
    description:
      'Every change of what a deployment served, oldest first: its records and the moves of the aliases it followed; a page at a time, `after` being the `sequence` of the last change of the previous page.',
  })
  async deploymentHistory(
    @Arg('name', () => String) name: string,
    @Args(() => ListPageArgs) { first, after }: ListPageArgs,
    @Ctx() ctx: Context,
  ): Promise<DeploymentChange[]> {
    return (await ctx.services.deployments.deploymentHistory(name, toListPage(first, after))).map((c) => ({
      ...c,
      deployment: toDeployment(c.state),
    }));
  }
}
