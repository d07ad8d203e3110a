import { Field, Int, ObjectType } from 'type-graphql';
import { DateTimeScalar } from '../common/scalars.js';

@ObjectType({ description: 'One section of a model card.' })
export class ModelCardSection {
  @Field(() => String)
  key!: string;

  @Field(() => String)
  title!: string;

  @Field(() => String, { description: 'Markdown.' })
  body!: string;

  @Field(() => Boolean, { description: 'True when rendered from the graph (always current); false when written by people.' })
  generated!: boolean;
}

@ObjectType({ description: 'A model card: Markdown in the Hugging Face layout (YAML header) and the same content as sections.' })
export class ModelCard {
  @Field(() => String)
  markdown!: string;

  @Field(() => [ModelCardSection])
  sections!: ModelCardSection[];

  @Field(() => [String], { description: 'Required human-written sections still empty (PRODUCTION is gated on them).' })
  missingRequiredSections!: string[];
}

@ObjectType({ description: 'One stored revision of a human-written card section.' })
export class ModelCardSectionRevision {
  @Field(() => String)
  key!: string;

  @Field(() => String)
  title!: string;

  @Field(() => String)
  body!: string;

  @Field(() => Int)
  revision!: number;

  @Field(() => String, { description: 'MODEL (every version) or VERSION (one version, overriding the model-wide one).' })
  scope!: string;

  @Field(() => Int, { nullable: true })
  version!: number | null;

  @Field(() => DateTimeScalar)
  at!: string;

  @Field(() => String)
  by!: string;
}
