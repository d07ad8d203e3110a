import { MaxItems } from '../common/page.js';
import { MAX_DATASETS_PER_EVENT, MAX_INPUT_FIELDS, MAX_TRANSFORMATIONS } from '../../provenance/openlineage/event.js';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { Connection } from '../common/connection.js';
import { DateTimeScalar, JSONScalar } from '../common/scalars.js';
import { DataSource, DatasetVersion, Run } from './provenance.types.js';

@ObjectType({ description: 'An OpenLineage job: (namespace, name). Its runs are Runs; `runs(job:)` pages them.' })
export class Job {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  namespace!: string;

  @Field(() => String)
  name!: string;

  @Field(() => JSONScalar, {
    description: 'Job facets, merged over its events (the latest event time wins per facet).',
  })
  facets!: Record<string, unknown>;

  @MaxItems(MAX_DATASETS_PER_EVENT)
  @Field(() => [String], { description: 'Datasets (namespace + "/" + name) the latest JobEvent declared as inputs.' })
  declaredInputs!: string[];

  @MaxItems(MAX_DATASETS_PER_EVENT)
  @Field(() => [String], { description: 'Datasets the latest JobEvent declared as outputs.' })
  declaredOutputs!: string[];

  @Field(() => DateTimeScalar)
  createdAt!: string;
}

@InputType({ description: 'An OpenLineage job by its identity.' })
export class JobRefInput {
  @Field(() => String)
  namespace!: string;

  @Field(() => String)
  name!: string;
}

export const RunConnection = Connection(Run);

@ObjectType({
  description:
    "An input as the run's OpenLineage events named it, before resolution to a dataset version or raw source.",
})
export class LineageInput {
  @Field(() => String, { description: 'namespace + "/" + name: the Pedigree dataset (or raw source URI).' })
  dataset!: string;

  @Field(() => String)
  namespace!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, {
    nullable: true,
    description: "The version facet's datasetVersion, when the producer named one.",
  })
  version!: string | null;

  @Field(() => JSONScalar, {
    description: 'Dataset and input facets the events carried for it (dataQualityMetrics, …).',
  })
  facets!: Record<string, unknown>;
}

@ObjectType()
export class ColumnTransformation {
  @Field(() => String, { description: 'DIRECT or INDIRECT.' })
  type!: string;

  @Field(() => String, { nullable: true })
  subtype!: string | null;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => Boolean, { nullable: true })
  masking!: boolean | null;
}

@ObjectType({ description: 'An input column an output column (or the whole output) is computed from.' })
export class ColumnLineageInputField {
  @Field(() => String, { description: 'The input dataset (namespace + "/" + name).' })
  dataset!: string;

  @Field(() => String)
  namespace!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String)
  field!: string;

  @MaxItems(MAX_TRANSFORMATIONS)
  @Field(() => [ColumnTransformation])
  transformations!: ColumnTransformation[];

  @Field(() => DatasetVersion, {
    nullable: true,
    description: 'The input dataset version this lineage resolved to (null: a raw source).',
  })
  datasetVersion?: DatasetVersion | null;

  @Field(() => DataSource, { nullable: true, description: 'The raw source, when nobody produced the input.' })
  dataSource?: DataSource | null;

  /** Not in the schema: what the field resolvers load. */
  resolvedId!: string | null;
  resolvedKind!: string | null;
}

@ObjectType({
  description: "An output column and the input columns it is computed from (OpenLineage's columnLineage facet).",
})
export class ColumnLineage {
  @Field(() => String, {
    description: 'The output column; "" for dependencies of the whole dataset (filters, joins, grouping).',
  })
  field!: string;

  @MaxItems(MAX_INPUT_FIELDS)
  @Field(() => [ColumnLineageInputField], {
    description: 'At most 100 per column, and for the dataset-level entry (more is refused at ingestion).',
  })
  inputFields!: ColumnLineageInputField[];
}

@ObjectType()
export class DatasetOwner {
  @Field(() => String)
  name!: string;

  @Field(() => String, { nullable: true })
  type!: string | null;
}

@ObjectType({ description: "Where a dataset version's data lives (OpenLineage's dataSource facet)." })
export class DatasetDataSource {
  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => String, { nullable: true })
  uri!: string | null;
}
