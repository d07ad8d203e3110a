import { Field, Float, InputType, ObjectType } from 'type-graphql';

@ObjectType({ description: 'A key/value tag on a model or a version.' })
export class Tag {
  @Field(() => String)
  key!: string;

  @Field(() => String)
  value!: string;
}

@InputType()
export class TagInput {
  @Field(() => String, { description: '1–250 characters.' })
  key!: string;

  @Field(() => String, { description: 'At most 5,000 characters.' })
  value!: string;
}

@ObjectType({ description: 'A metric value, overall (segment null) or for one subgroup.' })
export class Metric {
  @Field(() => String)
  key!: string;

  @Field(() => Float)
  value!: number;

  @Field(() => String, { nullable: true, description: 'The subgroup the value is for; null for the overall value.' })
  segment!: string | null;
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

@InputType({ description: 'Matches a tag by key, and by value when given.' })
export class TagFilterInput {
  @Field(() => String)
  key!: string;

  @Field(() => String, { nullable: true })
  value?: string | null;
}
