import { Field, ID, ObjectType } from 'type-graphql';
import { MAX_OWNERS } from '../../governance/promotion.service.js';
import { MAX_PROTECTED_ALIASES } from '../../registry/validation.js';
import { MaxItems } from '../common/page.js';
import { DateTimeScalar } from '../common/scalars.js';
import { Connection } from '../common/connection.js';
import { Tag } from './common.type.js';
import { ModelKind } from './enums.js';

@ObjectType({ description: 'A named model; its versions are numbered 1, 2, 3…' })
export class RegisteredModel {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => String, { nullable: true, description: 'The responsible team or person.' })
  owner!: string | null;

  @Field(() => [String], {
    description: `Principals who own the model (they take part in two-person promotions); at most ${MAX_OWNERS}.`,
  })
  @MaxItems(MAX_OWNERS)
  owners!: string[];

  @Field(() => ModelKind, { description: 'MODEL or PROMPT; fixed at creation.' })
  kind!: ModelKind;

  @Field(() => [String], {
    description: `Aliases whose moves are promotions (two-person rule); at most ${MAX_PROTECTED_ALIASES}.`,
  })
  @MaxItems(MAX_PROTECTED_ALIASES)
  protectedAliases!: string[];

  @Field(() => DateTimeScalar)
  createdAt!: string;

  @Field(() => DateTimeScalar)
  updatedAt!: string;

  // Resolved by RegisteredModelResolver: tags, aliases, latestVersion, versions, gates.
  tags?: Tag[];
}

export const RegisteredModelConnection = Connection(RegisteredModel);
