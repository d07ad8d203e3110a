import { Field, ID, Int, ObjectType } from 'type-graphql';

// TEMPORARY: the registry module (src/schema/registry/) owns `ModelVersion` and
// `RegisteredModel`. Until it lands on main, provenance results use these
// minimal stand-ins with the same names and field shapes; delete this file at
// the merge and import the registry's classes instead.

@ObjectType('RegisteredModel')
export class RegisteredModelStub {
  @Field(() => String)
  name!: string;
}

@ObjectType('ModelVersion')
export class ModelVersionStub {
  @Field(() => ID)
  id!: string;

  @Field(() => Int)
  version!: number;

  @Field(() => String, { nullable: true })
  stage?: string | null;

  @Field(() => String, { nullable: true })
  fingerprint?: string | null;

  @Field(() => RegisteredModelStub)
  model!: RegisteredModelStub;

  @Field(() => [String])
  aliases!: string[];
}
