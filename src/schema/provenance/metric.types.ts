import { Field, Float, InputType, ObjectType } from 'type-graphql';

// `Metric` and `MetricInput` are shared with the registry (version metrics):
// if src/schema/registry/ defines them too at merge time, keep one of the two.

@ObjectType({ description: 'A metric value, overall (segment null) or for one segment.' })
export class Metric {
  @Field(() => String)
  key!: string;

  @Field(() => Float)
  value!: number;

  @Field(() => String, { nullable: true })
  segment?: string | null;
}

@InputType()
export class MetricInput {
  @Field(() => String)
  key!: string;

  @Field(() => Float)
  value!: number;

  @Field(() => String, { nullable: true })
  segment?: string | null;
}
