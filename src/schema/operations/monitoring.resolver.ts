import { Arg, Args, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../context.js';
import { MAX_RULES_PER_MODEL } from '../../operations/monitoring.service.js';
import { ListPageArgs, MaxItems, toListPage } from '../common/page.js';
import {
  Alert,
  IngestHealthSignalsInput,
  IngestHealthSignalsResult,
  MonitoringRule,
  MonitoringRuleInput,
} from './monitoring.types.js';

@Resolver()
export class MonitoringResolver {
  @Mutation(() => MonitoringRule, {
    description:
      'Creates or replaces a per-model rule, e.g. error_rate GT 0.02 for 10 minutes → ROLLBACK of "production".',
  })
  async setMonitoringRule(
    @Arg('input', () => MonitoringRuleInput) input: MonitoringRuleInput,
    @Ctx() ctx: Context,
  ): Promise<MonitoringRule> {
    return (await ctx.services.monitoring.setRule(ctx.actor, input)) as unknown as MonitoringRule;
  }

  @Query(() => [MonitoringRule], {
    description: `A model's monitoring rules by name (at most ${MAX_RULES_PER_MODEL}).`,
  })
  @MaxItems(MAX_RULES_PER_MODEL)
  async monitoringRules(
    @Arg('modelName', () => String) modelName: string,
    @Ctx() ctx: Context,
  ): Promise<MonitoringRule[]> {
    return (await ctx.services.monitoring.rulesOf([modelName]))[0] as unknown as MonitoringRule[];
  }

  @Mutation(() => IngestHealthSignalsResult, {
    description:
      "Health signals of a deployment and version (drift, latency percentiles, error rate); evaluates the model's rules.",
  })
  async ingestHealthSignals(
    @Arg('input', () => IngestHealthSignalsInput) input: IngestHealthSignalsInput,
    @Ctx() ctx: Context,
  ): Promise<IngestHealthSignalsResult> {
    const r = await ctx.services.monitoring.ingest(ctx.actor, {
      deployment: input.deployment,
      model: input.modelVersion,
      signals: input.signals.map((s) => ({ metric: s.metric, value: s.value, at: s.at ? s.at.toISOString() : null })),
    });
    return r as unknown as IngestHealthSignalsResult;
  }

  @Query(() => [Alert], {
    description: 'Alerts, newest first, a page at a time: `after` is the `id` of the last alert of the previous page.',
  })
  async alerts(
    @Arg('deployment', () => String, { nullable: true }) deployment: string | null,
    @Arg('state', () => String, { nullable: true }) state: string | null,
    @Args(() => ListPageArgs) { first, after }: ListPageArgs,
    @Ctx() ctx: Context,
  ): Promise<Alert[]> {
    return (await ctx.services.monitoring.alerts(
      { deployment, state },
      toListPage(first, after),
    )) as unknown as Alert[];
  }
}
