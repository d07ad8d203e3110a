import { Field, Float, InputType } from 'type-graphql';
import { ModelVersionRefInput } from '../common/model-version-ref.input.js';
import { DateTimeScalar } from '../common/scalars.js';
import { MetricInput, TagFilterInput, TagInput } from './common.type.js';
import {
  ComparisonOp,
  EvidenceKind,
  ModelVersionOrderField,
  OrderDirection,
  Stage,
  VersionBump,
  ModelKind,
} from './enums.js';

@InputType()
export class CreateRegisteredModelInput {
  @Field(() => String, { description: '1–256 characters of letters, digits, "_", "-", "." and "/"; unique.' })
  name!: string;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => String, { nullable: true })
  owner?: string | null;

  @Field(() => [TagInput], { nullable: true })
  tags?: TagInput[] | null;

  @Field(() => ModelKind, {
    nullable: true,
    defaultValue: ModelKind.MODEL,
    description: 'PROMPT makes a prompt: its versions are templates (createPromptVersion). Fixed at creation.',
  })
  kind?: ModelKind | null;

  @Field(() => String, {
    nullable: true,
    description: 'A retry with the same key and input returns the original result and writes nothing.',
  })
  idempotencyKey?: string | null;
}

@InputType({ description: "A prompt version: the template is its content (its checksum is the template's sha256)." })
export class CreatePromptVersionInput {
  @Field(() => String, { description: 'A registered model of kind PROMPT.' })
  promptName!: string;

  @Field(() => String, {
    description: 'The template text (MLflow: {{variable}} placeholders), or a JSON list of chat messages.',
  })
  template!: string;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => [TagInput], { nullable: true })
  tags?: TagInput[] | null;

  @Field(() => String, { nullable: true })
  idempotencyKey?: string | null;
}

@InputType({ description: 'Fields to change; omitted fields stay as they are.' })
export class UpdateRegisteredModelInput {
  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => String, { nullable: true })
  owner?: string | null;
}

@InputType()
export class RegisteredModelFilter {
  @Field(() => String, { nullable: true, description: 'Case-insensitive substring of the name.' })
  nameContains?: string | null;

  @Field(() => TagFilterInput, { nullable: true })
  tag?: TagFilterInput | null;

  @Field(() => ModelKind, { nullable: true, description: 'Only models (MODEL) or only prompts (PROMPT).' })
  kind?: ModelKind | null;

  @Field(() => String, { nullable: true })
  owner?: string | null;
}

@InputType()
export class CreateModelVersionInput {
  @Field(() => String)
  modelName!: string;

  @Field(() => String, {
    description: 'Artifact URI: s3, gs, abfss, wasbs, https, hf, models, runs (file only when the server allows it).',
  })
  source!: string;

  @Field(() => String, { description: '"sha256:" + 64 lowercase hex digits.' })
  checksum!: string;

  @Field(() => String, { nullable: true, description: 'The run that produced it; sets the fingerprint.' })
  runId?: string | null;

  @Field(() => VersionBump, { nullable: true, defaultValue: VersionBump.MINOR })
  bump?: VersionBump | null;

  @Field(() => String, { nullable: true })
  framework?: string | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => [TagInput], { nullable: true })
  tags?: TagInput[] | null;

  @Field(() => [MetricInput], { nullable: true })
  metrics?: MetricInput[] | null;

  @Field(() => ModelVersionRefInput, { nullable: true, description: 'The version it was fine-tuned from.' })
  baseModel?: ModelVersionRefInput | null;

  @Field(() => [ModelVersionRefInput], { nullable: true, description: 'Distillation teachers.' })
  teachers?: ModelVersionRefInput[] | null;

  @Field(() => String, {
    nullable: true,
    description: 'A provider (third-party or foundation) model it was fine-tuned from, by id.',
  })
  baseProviderModelId?: string | null;

  @Field(() => [String], { nullable: true, description: 'Provider models it was distilled from, by id.' })
  teacherProviderModelIds?: string[] | null;

  @Field(() => [ModelVersionRefInput], {
    nullable: true,
    description: 'Prompt versions it uses (USES_PROMPT): tracePrediction shows them.',
  })
  promptVersions?: ModelVersionRefInput[] | null;

  @Field(() => String, { nullable: true })
  idempotencyKey?: string | null;
}

@InputType()
export class UpdateModelVersionInput {
  @Field(() => String, { nullable: true })
  description?: string | null;
}

@InputType()
export class MetricFilterInput {
  @Field(() => String)
  key!: string;

  @Field(() => ComparisonOp)
  op!: ComparisonOp;

  @Field(() => Float)
  value!: number;
}

@InputType()
export class ModelVersionFilter {
  @Field(() => String, { nullable: true })
  modelName?: string | null;

  @Field(() => Stage, { nullable: true })
  stage?: Stage | null;

  @Field(() => TagFilterInput, { nullable: true, description: 'Key and value must both match.' })
  tag?: TagFilterInput | null;

  @Field(() => MetricFilterInput, { nullable: true, description: 'Compares the overall (unsegmented) metric.' })
  metric?: MetricFilterInput | null;

  @Field(() => DateTimeScalar, { nullable: true })
  createdAfter?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true })
  createdBefore?: Date | null;
}

@InputType()
export class ModelVersionOrder {
  @Field(() => ModelVersionOrderField)
  field!: ModelVersionOrderField;

  @Field(() => String, { nullable: true, description: 'Required with field METRIC.' })
  metricKey?: string | null;

  @Field(() => OrderDirection, { nullable: true, defaultValue: OrderDirection.ASC })
  direction?: OrderDirection | null;
}

@InputType()
export class AuditFilter {
  @Field(() => String, { nullable: true })
  modelName?: string | null;

  @Field(() => String, { nullable: true })
  actor?: string | null;

  @Field(() => [String], { nullable: true })
  types?: string[] | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Events at or after this instant.' })
  after?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Events before this instant.' })
  before?: Date | null;
}

@InputType({ description: 'A STAGING gate threshold, e.g. { metric: "val_auc", op: GTE, value: 0.85 }.' })
export class GateThresholdInput {
  @Field(() => String)
  metric!: string;

  @Field(() => ComparisonOp)
  op!: ComparisonOp;

  @Field(() => Float)
  value!: number;
}

@InputType()
export class EvidenceInput {
  @Field(() => EvidenceKind)
  kind!: EvidenceKind;

  @Field(() => Boolean, { defaultValue: true })
  passed!: boolean;

  @Field(() => String, { nullable: true })
  uri?: string | null;

  @Field(() => String, { nullable: true })
  summary?: string | null;
}

@InputType({ description: 'One tag of a setModelVersionTags call: the version, the key and its new value.' })
export class ModelVersionTagInput {
  @Field(() => ModelVersionRefInput)
  ref!: ModelVersionRefInput;

  @Field(() => String)
  key!: string;

  @Field(() => String)
  value!: string;
}
