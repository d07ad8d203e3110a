import { ArgsType, Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Connection } from '../common/connection.js';
import { MAX_RUN_INPUTS } from '../../provenance/lineage.js';
import { MaxItems, PageArgs } from '../common/page.js';
import { DateTimeScalar } from '../common/scalars.js';
import { Stage } from '../registry/enums.js';

export enum AnalyticsPeriod {
  DAY = 'DAY',
  WEEK = 'WEEK',
}
registerEnumType(AnalyticsPeriod, {
  name: 'AnalyticsPeriod',
  description: 'Bucket size of a time series (UTC days; ISO weeks starting Monday).',
});

@ArgsType()
export class AnalyticsWindowArgs extends PageArgs {
  @Field(() => DateTimeScalar, {
    nullable: true,
    description: 'Start of the window (inclusive); default: 30 days before `to`. A window spans at most 400 days.',
  })
  from?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'End of the window (exclusive); default: now.' })
  to?: Date | null;

  @Field(() => String, { nullable: true, description: 'Only this model.' })
  modelName?: string | null;
}

@ObjectType({ description: 'How many versions of a model were registered in one period.' })
export class VersionsRegisteredBucket {
  @Field(() => DateTimeScalar)
  periodStart!: string;

  @Field(() => String)
  modelName!: string;

  @Field(() => Int)
  count!: number;
}
export const VersionsRegisteredBucketConnection = Connection(VersionsRegisteredBucket);

@ObjectType({ description: 'How many versions are in one stage now.' })
export class StageCount {
  @Field(() => Stage)
  stage!: Stage;

  @Field(() => Int)
  count!: number;
}

@ObjectType({ description: 'Percentiles of a set of durations, in seconds (null when the set is empty).' })
export class DurationPercentiles {
  @Field(() => Int, { description: 'How many durations were measured.' })
  count!: number;

  @Field(() => Float, { nullable: true })
  p50Seconds!: number | null;

  @Field(() => Float, { nullable: true })
  p90Seconds!: number | null;

  @Field(() => Float, { nullable: true })
  p95Seconds!: number | null;

  @Field(() => Float, { nullable: true })
  maxSeconds!: number | null;
}

@ObjectType({ description: 'Completed stays in one stage.' })
export class StageTime extends DurationPercentiles {
  @Field(() => Stage)
  stage!: Stage;
}

@ObjectType({ description: 'Alias moves in one period; rollbacks are counted among the moves and on their own.' })
export class AliasActivityBucket {
  @Field(() => DateTimeScalar)
  periodStart!: string;

  @Field(() => Int)
  moves!: number;

  @Field(() => Int)
  rollbacks!: number;
}
export const AliasActivityBucketConnection = Connection(AliasActivityBucket);

@ObjectType({ description: 'Predictions newly logged against one model version on one UTC day.' })
export class PredictionVolumeBucket {
  @Field(() => DateTimeScalar)
  periodStart!: string;

  @Field(() => String)
  modelName!: string;

  @Field(() => Int)
  version!: number;

  @Field(() => Int)
  count!: number;
}
export const PredictionVolumeBucketConnection = Connection(PredictionVolumeBucket);

@ObjectType({ description: 'A production version whose newest training data is older than asked.' })
export class StaleProductionModel {
  @Field(() => String)
  modelName!: string;

  @Field(() => Int)
  version!: number;

  @Field(() => Stage)
  stage!: Stage;

  @Field(() => DateTimeScalar, { description: 'When the newest training dataset version was registered.' })
  newestDataAt!: string;

  @Field(() => Float, { description: 'Age of that dataset version in days, at query time.' })
  dataAgeDays!: number;

  @Field(() => [String], { description: 'Training dataset versions as "dataset@version".' })
  @MaxItems(MAX_RUN_INPUTS)
  datasets!: string[];
}
export const StaleProductionModelConnection = Connection(StaleProductionModel);
