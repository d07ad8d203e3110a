import { Field, ID, ObjectType } from 'type-graphql';
import { DateTimeScalar } from '../common/scalars.js';
import { Role } from './role.enum.js';

@ObjectType({ description: 'Who a token speaks for; events record its name as their actor.' })
export class Principal {
  @Field(() => String)
  name!: string;

  @Field(() => Role)
  role!: Role;
}

@ObjectType({ description: 'A new API token. `token` is shown here once; only its SHA-256 hash is stored.' })
export class CreatedApiToken {
  @Field(() => ID)
  id!: string;

  @Field(() => String, {
    description: 'The secret, to send as `Authorization: Bearer <token>`. Not retrievable later.',
  })
  token!: string;

  @Field(() => Principal)
  principal!: Principal;

  @Field(() => DateTimeScalar)
  createdAt!: string;
}

@ObjectType({ description: 'An API token, without its secret.' })
export class ApiToken {
  @Field(() => ID)
  id!: string;

  @Field(() => Principal)
  principal!: Principal;

  @Field(() => DateTimeScalar)
  createdAt!: string;

  @Field(() => String)
  createdBy!: string;

  @Field(() => DateTimeScalar, { nullable: true })
  revokedAt!: string | null;

  @Field(() => String, { nullable: true })
  revokedBy!: string | null;
}
