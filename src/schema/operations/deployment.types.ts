import { Field, Float, ID, InputType, ObjectType } from 'type-graphql';
import { Connection } from '../common/connection.js';
import { MAX_DEPLOYMENT_ENTRIES } from '../../operations/deployment.service.js';
import { ModelVersionRefInput } from '../common/model-version-ref.input.js';
import { MaxItems } from '../common/page.js';
import { DateTimeScalar } from '../common/scalars.js';
import { ModelVersion } from '../registry/model-version.type.js';

@InputType({ description: 'One model a deployment serves.' })
export class DeploymentModelInput {
  @Field(() => ModelVersionRefInput, {
    description: 'By version (pinned) or by alias (the deployment then follows the alias).',
  })
  ref!: ModelVersionRefInput;

  @Field(() => Float, {
    nullable: true,
    description: 'Traffic share among the entries of the same model, in [0, 1]; default 1.',
  })
  weight?: number | null;

  @Field(() => String, {
    description:
      'SHA-256 the deployer computed from the bytes it loaded ("sha256:<hex>"); must equal the version\'s checksum, else CHECKSUM_MISMATCH.',
  })
  checksum!: string;

  @Field(() => String, {
    nullable: true,
    description: 'The DSSE envelope from `attestation(ref)`; required when the deployment requires attestation.',
  })
  attestation?: string | null;
}

@InputType({ description: 'A provider model version a deployment serves directly; it must be QUALIFIED.' })
export class DeploymentProviderModelInput {
  @Field(() => ID)
  providerModelId!: string;

  @Field(() => Float, { nullable: true })
  weight?: number | null;
}

@InputType()
export class RecordDeploymentInput {
  @Field(() => String)
  name!: string;

  @Field(() => String, { description: 'dev, staging, production, …' })
  environment!: string;

  @Field(() => String, { nullable: true })
  endpoint?: string | null;

  @Field(() => [DeploymentModelInput])
  models!: DeploymentModelInput[];

  @Field(() => [DeploymentProviderModelInput], { nullable: true })
  providerModels?: DeploymentProviderModelInput[] | null;

  @Field(() => Boolean, {
    nullable: true,
    description:
      'From now on require a valid attestation for every model entry (sticky; the server may require it for all). In an environment that looks like production or a canary, the version must be in PRODUCTION or CANARY and its attestation carry that promotion, co-signed by its approvers.',
  })
  requireAttestation?: boolean | null;
}

@ObjectType({ description: 'One model version a deployment serves.' })
export class ServingEntry {
  @Field(() => String)
  modelName!: string;

  @Field(() => ModelVersion, {
    nullable: true,
    description: 'The version served at that instant (null when a followed alias had been deleted).',
  })
  modelVersion!: ModelVersion | null;

  @Field(() => Float)
  weight!: number;

  @Field(() => String, { nullable: true, description: 'The alias the deployment follows for this model, if any.' })
  followsAlias!: string | null;

  @Field(() => String, { description: 'The checksum the deployer verified when it recorded the deployment.' })
  checksum!: string;
}

@ObjectType({ description: 'A provider model version a deployment pins.' })
export class ProviderServingEntry {
  @Field(() => ID)
  providerModelId!: string;

  @Field(() => String)
  provider!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String)
  providerVersion!: string;

  @Field(() => Float)
  weight!: number;
}

@ObjectType({ description: 'A deployment and what it served at an instant (now, unless asked for another).' })
export class Deployment {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String)
  environment!: string;

  @Field(() => String, { nullable: true })
  endpoint!: string | null;

  @Field(() => Boolean)
  requireAttestation!: boolean;

  @Field(() => DateTimeScalar)
  createdAt!: string;

  @Field(() => DateTimeScalar, { description: 'The instant this state is for.' })
  at!: string;

  @Field(() => DateTimeScalar, { description: 'When the record in force was made.' })
  recordedAt!: string;

  @Field(() => String, { description: 'Sequence of the DEPLOYMENT_RECORDED event in force.' })
  recordSequence!: string;

  @Field(() => [ServingEntry], {
    description: `At most ${MAX_DEPLOYMENT_ENTRIES} entries with providerModels (a record holds no more).`,
  })
  @MaxItems(MAX_DEPLOYMENT_ENTRIES)
  serving!: ServingEntry[];

  @Field(() => [ProviderServingEntry], {
    description: `At most ${MAX_DEPLOYMENT_ENTRIES} entries with serving (a record holds no more).`,
  })
  @MaxItems(MAX_DEPLOYMENT_ENTRIES)
  providerModels!: ProviderServingEntry[];
}

export const DeploymentConnection = Connection(Deployment);

@ObjectType({ description: 'A change of what a deployment served: a record, or a move of an alias it followed.' })
export class DeploymentChange {
  @Field(() => String)
  sequence!: string;

  @Field(() => DateTimeScalar)
  at!: string;

  @Field(() => String)
  actor!: string;

  @Field(() => String, { description: 'DEPLOYMENT_RECORDED, or the alias event (ALIAS_SET, ALIAS_DELETED, ROLLBACK).' })
  type!: string;

  @Field(() => String, { nullable: true })
  modelName!: string | null;

  @Field(() => String, { nullable: true })
  alias!: string | null;

  @Field(() => Deployment, { description: 'What the deployment served from this change on.' })
  deployment!: Deployment;
}
