import { Field, Float, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar } from '../common/scalars.js';
import { ProviderModel } from '../provenance/provenance.types.js';

export enum QualificationStatus {
  UNDER_EVALUATION = 'UNDER_EVALUATION',
  QUALIFIED = 'QUALIFIED',
  REJECTED = 'REJECTED',
}
registerEnumType(QualificationStatus, {
  name: 'QualificationStatus',
  description: 'Whether a provider version may be deployed (only QUALIFIED may).',
});

@InputType({ description: 'A provider version for the change log.' })
export class RecordProviderVersionInput {
  @Field(() => String)
  provider!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String)
  providerVersion!: string;

  @Field(() => DateTimeScalar, { description: 'When the provider made the change.' })
  changeDate!: Date;

  @Field(() => String, {
    nullable: true,
    description: 'What the change means for the models and deployments that use it (Markdown).',
  })
  impactAssessment?: string | null;

  @Field(() => String, { nullable: true })
  uri?: string | null;
}

@ObjectType({ description: 'A deployment still pinned to a provider version its provider has deprecated.' })
export class DeprecatedProviderPin {
  @Field(() => String, {
    description: 'Names the pin: the `after` of the next page of deploymentsOnDeprecatedProviderVersions.',
  })
  cursor!: string;

  @Field(() => String)
  deploymentName!: string;

  @Field(() => String, { nullable: true })
  environment!: string | null;

  @Field(() => String, { nullable: true })
  endpoint!: string | null;

  @Field(() => Float)
  weight!: number;

  @Field(() => ProviderModel)
  providerModel!: ProviderModel;
}
