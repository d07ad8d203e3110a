import { Field, InputType, Int } from 'type-graphql';

/** A model version by number or by alias: `{ modelName, version }` or `{ modelName, alias }`. */
@InputType({
  description: 'A model version by { modelName, version } or { modelName, alias } (exactly one of version and alias).',
})
export class ModelVersionRefInput {
  @Field(() => String)
  modelName!: string;

  @Field(() => Int, { nullable: true })
  version?: number | null;

  @Field(() => String, {
    nullable: true,
    description: 'An alias such as "production", or "latest" for the highest version.',
  })
  alias?: string | null;
}
