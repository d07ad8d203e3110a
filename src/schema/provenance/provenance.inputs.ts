import { Field, ID, InputType, Int } from 'type-graphql';
import { DateTimeScalar } from '../common/scalars.js';
import { ModelVersionRefInput } from '../common/model-version-ref.input.js';
import { ModelRelation } from './provenance.types.js';

@InputType()
export class RegisterDatasetVersionInput {
  @Field(() => String, { description: 'Dataset name; the dataset is created on first use.' })
  dataset!: string;

  @Field(() => String)
  version!: string;

  @Field(() => String, { nullable: true })
  hash?: string | null;

  @Field(() => String, { nullable: true })
  uri?: string | null;

  @Field(() => Int, { nullable: true })
  rowCount?: number | null;

  @Field(() => [ID], { nullable: true, description: 'Dataset versions this one is derived from.' })
  derivedFrom?: string[] | null;

  @Field(() => [String], {
    nullable: true,
    description: 'Raw source URIs, created on first use and shared afterwards.',
  })
  sources?: string[] | null;

  @Field(() => String, { nullable: true, description: 'Name of the transform recorded on the derived-from edges.' })
  transform?: string | null;
}

@InputType()
export class ParamInput {
  @Field(() => String)
  key!: string;

  @Field(() => String)
  value!: string;
}

@InputType()
export class RunInputInput {
  @Field(() => ID)
  datasetVersionId!: string;

  @Field(() => String, { description: 'train, validation or test.' })
  role!: string;
}

@InputType()
export class CreateRunInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  experiment?: string | null;

  @Field(() => String, { nullable: true })
  codeRepo?: string | null;

  @Field(() => String, { nullable: true })
  codeCommit?: string | null;

  @Field(() => String, { nullable: true, description: 'Image digest or lock-file hash.' })
  environment?: string | null;

  @Field(() => [ParamInput], { nullable: true })
  params?: ParamInput[] | null;

  @Field(() => [Int], { nullable: true })
  seeds?: number[] | null;

  @Field(() => [RunInputInput], { nullable: true })
  inputs?: RunInputInput[] | null;
}

@InputType()
export class PredictionInput {
  @Field(() => String, { description: "The caller's request id: logging it again is a no-op." })
  id!: string;

  @Field(() => DateTimeScalar, { nullable: true })
  at?: Date | null;

  @Field(() => String, { nullable: true })
  inputRef?: string | null;
}

@InputType()
export class LogPredictionsInput {
  @Field(() => ModelVersionRefInput, { description: 'The serving version; an alias is resolved at call time.' })
  model!: ModelVersionRefInput;

  @Field(() => String, {
    nullable: true,
    description:
      'The deployment that served them, named as recordDeployment names it (1–200 of letters, digits and . _ - / :).',
  })
  deployment?: string | null;

  @Field(() => [PredictionInput])
  predictions!: PredictionInput[];
}

@InputType()
export class RegisterProviderModelInput {
  @Field(() => String, { description: 'e.g. huggingface, openai.' })
  provider!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { description: 'The pinned revision (commit, snapshot date, ...).' })
  providerVersion!: string;

  @Field(() => String, { nullable: true })
  uri?: string | null;
}

@InputType()
export class AddModelRelationInput {
  @Field(() => ModelVersionRefInput, { description: 'The version that depends on the parent.' })
  modelVersion!: ModelVersionRefInput;

  @Field(() => ModelRelation)
  relation!: ModelRelation;

  @Field(() => ModelVersionRefInput, { nullable: true })
  parent?: ModelVersionRefInput | null;

  @Field(() => ID, { nullable: true })
  parentProviderModelId?: string | null;
}

@InputType({ description: 'Open a group of the grouped lineage: show its first `show` members (by id) as nodes.' })
export class LineageGroupExpansion {
  @Field(() => ID, { description: 'A LineageGroup id from an earlier answer.' })
  group!: string;

  @Field(() => Int, { description: 'Members to show, 0–5000.' })
  show!: number;
}

@InputType({
  description:
    'Group siblings for wide graphs: nodes reached from the same node (or group) through the same relation, in one direction, of one kind, beyond `above` become one LineageGroup with a count.',
})
export class LineageGroupingInput {
  @Field(() => Int, { nullable: true, description: 'Siblings shown before they are grouped (default 8, 1–1000).' })
  above?: number | null;

  @Field(() => [LineageGroupExpansion], { nullable: true, description: 'Groups to open (at most 50).' })
  expand?: LineageGroupExpansion[] | null;
}
