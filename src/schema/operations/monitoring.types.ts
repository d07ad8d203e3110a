import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ModelVersionRefInput } from '../common/model-version-ref.input.js';
import { MAX_RULES_PER_MODEL } from '../../operations/monitoring.service.js';
import { MaxItems } from '../common/page.js';
import { DateTimeScalar } from '../common/scalars.js';

export enum RuleOp {
  GT = 'GT',
  GTE = 'GTE',
  LT = 'LT',
  LTE = 'LTE',
}
registerEnumType(RuleOp, { name: 'RuleOp' });

export enum RuleAction {
  ALERT = 'ALERT',
  PROPOSE_ROLLBACK = 'PROPOSE_ROLLBACK',
  ROLLBACK = 'ROLLBACK',
}
registerEnumType(RuleAction, {
  name: 'RuleAction',
  description: 'ALERT only; PROPOSE_ROLLBACK names the version to go back to; ROLLBACK moves the alias back.',
});

@InputType()
export class HealthSignalInput {
  @Field(() => String, { description: 'e.g. error_rate, latency_p99_ms, prediction_drift.' })
  metric!: string;

  @Field(() => Float)
  value!: number;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When it was observed (default: now).' })
  at?: Date | null;
}

@InputType()
export class IngestHealthSignalsInput {
  @Field(() => String)
  deployment!: string;

  @Field(() => ModelVersionRefInput)
  modelVersion!: ModelVersionRefInput;

  @Field(() => [HealthSignalInput])
  signals!: HealthSignalInput[];
}

@InputType()
export class MonitoringRuleInput {
  @Field(() => String)
  modelName!: string;

  @Field(() => String, { description: 'Unique per model; setting it again replaces the rule.' })
  name!: string;

  @Field(() => String)
  metric!: string;

  @Field(() => RuleOp)
  op!: RuleOp;

  @Field(() => Float)
  threshold!: number;

  @Field(() => Int, { description: 'How long the condition must hold, in minutes of signal time.' })
  forMinutes!: number;

  @Field(() => RuleAction)
  action!: RuleAction;

  @Field(() => String, { nullable: true, description: 'The alias a rollback moves (e.g. "production").' })
  alias?: string | null;
}

@ObjectType()
export class MonitoringRule {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  modelName!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String)
  metric!: string;

  @Field(() => RuleOp)
  op!: RuleOp;

  @Field(() => Float)
  threshold!: number;

  @Field(() => Int)
  forMinutes!: number;

  @Field(() => RuleAction)
  action!: RuleAction;

  @Field(() => String, { nullable: true })
  alias!: string | null;
}

@ObjectType()
export class Alert {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  ruleName!: string;

  @Field(() => String)
  deployment!: string;

  @Field(() => String)
  modelName!: string;

  @Field(() => Int)
  version!: number;

  @Field(() => String)
  metric!: string;

  @Field(() => Float, { description: 'The newest value when it was raised.' })
  value!: number;

  @Field(() => String, { description: 'OPEN or RESOLVED.' })
  state!: string;

  @Field(() => DateTimeScalar, { description: 'When the breach began.' })
  since!: string;

  @Field(() => DateTimeScalar)
  openedAt!: string;

  @Field(() => RuleAction)
  action!: RuleAction;

  @Field(() => Int, { nullable: true, description: 'The version the alias was rolled back to, when the rule did so.' })
  rolledBackTo!: number | null;
}

@ObjectType()
export class IngestHealthSignalsResult {
  @Field(() => Int)
  count!: number;

  @Field(() => [Alert], {
    description: `Alerts this call opened (one per rule at most: at most ${MAX_RULES_PER_MODEL}).`,
  })
  @MaxItems(MAX_RULES_PER_MODEL)
  raised!: Alert[];

  @Field(() => [Alert], {
    description: `Alerts this call resolved (one per rule at most: at most ${MAX_RULES_PER_MODEL}).`,
  })
  @MaxItems(MAX_RULES_PER_MODEL)
  resolved!: Alert[];
}
