import { Field, ID, Int, ObjectType } from 'type-graphql';
import { REQUIRED_CARD_SECTIONS } from '../../operations/model-card.js';
import { MAX_CARD_SECTIONS } from '../../operations/model-card.service.js';
import { MaxItems } from '../common/page.js';
import { DateTimeScalar } from '../common/scalars.js';

@ObjectType({ description: 'One section of a model card.' })
export class ModelCardSection {
  @Field(() => String)
  key!: string;

  @Field(() => String)
  title!: string;

  @Field(() => String, { description: 'Markdown.' })
  body!: string;

  @Field(() => Boolean, {
    description: 'True when rendered from the graph (always current); false when written by people.',
  })
  generated!: boolean;
}

@ObjectType({
  description: 'A model card: Markdown in the Hugging Face layout (YAML header) and the same content as sections.',
})
export class ModelCard {
  @Field(() => String)
  markdown!: string;

  @Field(() => [ModelCardSection], {
    description: `At most ${MAX_CARD_SECTIONS}: the generated sections, and the human-written ones of the model and of the version.`,
  })
  @MaxItems(MAX_CARD_SECTIONS)
  sections!: ModelCardSection[];

  @Field(() => [String], { description: 'Required human-written sections still empty (PRODUCTION is gated on them).' })
  @MaxItems(REQUIRED_CARD_SECTIONS.length)
  missingRequiredSections!: string[];
}

@ObjectType({ description: 'One stored revision of a human-written card section.' })
export class ModelCardSectionRevision {
  @Field(() => ID, { description: 'Names the revision: the `after` of the next page of modelCardSectionHistory.' })
  id!: string;

  @Field(() => String)
  key!: string;

  @Field(() => String)
  title!: string;

  @Field(() => String)
  body!: string;

  @Field(() => Int)
  revision!: number;

  @Field(() => String, {
    description: 'MODEL (every version) or VERSION (one version, overriding the model-wide one).',
  })
  scope!: string;

  @Field(() => Int, { nullable: true })
  version!: number | null;

  @Field(() => DateTimeScalar)
  at!: string;

  @Field(() => String)
  by!: string;
}
