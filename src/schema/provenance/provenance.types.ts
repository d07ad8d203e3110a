import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import {
  LINEAGE_EDGE_BUDGET,
  LINEAGE_GROUP_BUDGET,
  LINEAGE_NODE_BUDGET,
  MAX_RUN_PARAMS,
  MAX_RUN_SEEDS,
} from '../../provenance/lineage.js';
import { MAX_TRACE_ITEMS } from '../../provenance/lineage.service.js';
import { Connection, PageInfo } from '../common/connection.js';
import { MaxItems } from '../common/page.js';
import { DateTimeScalar } from '../common/scalars.js';
import { Metric } from '../registry/common.type.js';
import { ModelVersion } from '../registry/model-version.type.js';

export enum RunStatus {
  RUNNING = 'RUNNING',
  FINISHED = 'FINISHED',
  FAILED = 'FAILED',
  KILLED = 'KILLED',
}
registerEnumType(RunStatus, { name: 'RunStatus', description: 'Lifecycle of a training run.' });

export enum LineageDirection {
  UPSTREAM = 'UPSTREAM',
  DOWNSTREAM = 'DOWNSTREAM',
  BOTH = 'BOTH',
}
registerEnumType(LineageDirection, {
  name: 'LineageDirection',
  description:
    'UPSTREAM follows "depends on" edges (what this came from), DOWNSTREAM goes against them (what came from this), BOTH is the union.',
});

export enum ModelRelation {
  FINE_TUNED_FROM = 'FINE_TUNED_FROM',
  DISTILLED_FROM = 'DISTILLED_FROM',
  ADAPTED_FROM = 'ADAPTED_FROM',
  QUANTIZED_FROM = 'QUANTIZED_FROM',
  MERGED_FROM = 'MERGED_FROM',
}
registerEnumType(ModelRelation, {
  name: 'ModelRelation',
  description: 'How a model version depends on another model.',
});

@ObjectType('Dataset')
export class DatasetType {
  @Field(() => String)
  name!: string;
}

@ObjectType({ description: 'One immutable version of a dataset.' })
export class DatasetVersion {
  @Field(() => ID)
  id!: string;

  @Field(() => DatasetType)
  dataset!: DatasetType;

  @Field(() => String)
  version!: string;

  @Field(() => String, { nullable: true, description: 'Content hash.' })
  hash!: string | null;

  @Field(() => String, { nullable: true })
  uri!: string | null;

  @Field(() => Int, { nullable: true })
  rowCount!: number | null;

  @Field(() => DateTimeScalar)
  createdAt!: string;
}

@ObjectType()
export class Param {
  @Field(() => String)
  key!: string;

  @Field(() => String)
  value!: string;
}

@ObjectType({ description: 'A dataset version a run used, with its role (train, validation, test).' })
export class RunInput {
  @Field(() => String)
  role!: string;

  @Field(() => DatasetVersion)
  datasetVersion!: DatasetVersion;
}

@ObjectType({
  description:
    "One value of a run's metric as it was logged (MLflow log-metric / log-batch): the history behind Run.metrics' latest value.",
})
export class MetricPoint {
  @Field(() => String)
  key!: string;

  @Field(() => Float)
  value!: number;

  @Field(() => Float, { description: "The training step (MLflow's 64-bit step, exact up to 2^53)." })
  step!: number;

  @Field(() => DateTimeScalar, { description: 'When the value was logged, as the client stamped it.' })
  timestamp!: string;
}

export const MetricPointConnection = Connection(MetricPoint);

@ObjectType({ description: 'A training run.' })
export class Run {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => String, { nullable: true })
  experiment!: string | null;

  @Field(() => String, { nullable: true })
  codeRepo!: string | null;

  @Field(() => String, { nullable: true })
  codeCommit!: string | null;

  @Field(() => String, { nullable: true, description: 'Image digest or lock-file hash.' })
  environment!: string | null;

  @Field(() => [Param], { description: `At most ${MAX_RUN_PARAMS}.` })
  @MaxItems(MAX_RUN_PARAMS)
  params!: Param[];

  @Field(() => [Int])
  @MaxItems(MAX_RUN_SEEDS)
  seeds!: number[];

  @Field(() => RunStatus)
  status!: RunStatus;

  @Field(() => DateTimeScalar)
  startedAt!: string;

  @Field(() => DateTimeScalar, { nullable: true })
  endedAt!: string | null;

  @Field(() => String, { nullable: true })
  createdBy!: string | null;

  // resolved by RunResolver through loaders
  metrics?: Metric[];
  inputs?: RunInput[];
}

@ObjectType({ description: 'A third-party or foundation model pinned by provider and provider version.' })
export class ProviderModel {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  provider!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String)
  providerVersion!: string;

  @Field(() => String, { nullable: true })
  uri!: string | null;

  @Field(() => DateTimeScalar)
  createdAt!: string;
}

@ObjectType()
export class LogPredictionsResult {
  @Field(() => Int, { description: 'Distinct prediction ids in the call.' })
  count!: number;

  @Field(() => Int, {
    description: 'How many of them were new; the others had been logged before and were left as they were.',
  })
  created!: number;

  @Field(() => ModelVersion, {
    description: 'The version the predictions were recorded against (an alias resolved at call time).',
  })
  modelVersion!: ModelVersion;
}

@ObjectType()
export class Prediction {
  @Field(() => String)
  id!: string;

  @Field(() => DateTimeScalar)
  at!: string;

  @Field(() => String, { nullable: true })
  inputRef!: string | null;
}

@ObjectType({ description: 'A dataset version in a prediction trace, with where it enters the trace.' })
export class TracedDatasetVersion extends DatasetVersion {
  @Field(() => Int, { description: 'Derivation hops from the run that used it (1 = used directly).' })
  depth!: number;

  @Field(() => Int, {
    description:
      'Model hops from the traced version to the version whose run used it (0 = the traced version itself; more = a base model, teacher or other model ancestor).',
  })
  modelDepth!: number;

  @Field(() => ModelVersion, {
    description: 'The nearest model version whose training run used it (directly or through derivation).',
  })
  usedBy?: ModelVersion;

  /** Not in the schema: the id TracedDatasetVersionResolver loads usedBy by. */
  usedById!: string;
}

@ObjectType()
export class DataSource {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  uri!: string;
}

@ObjectType({ description: 'A raw source in a prediction trace, with where it enters the trace.' })
export class TracedDataSource extends DataSource {
  @Field(() => Int, { description: 'Hops from the run that used it.' })
  depth!: number;

  @Field(() => Int, {
    description:
      'Model hops from the traced version to the version whose run reaches it (0 = the traced version itself).',
  })
  modelDepth!: number;

  @Field(() => ModelVersion, { description: 'The nearest model version whose training run reaches it.' })
  usedBy?: ModelVersion;

  /** Not in the schema: the id TracedDataSourceResolver loads usedBy by. */
  usedById!: string;
}

@ObjectType({ description: 'The model an ancestor belongs to: a registered model, or the provider model name.' })
export class AncestorModel {
  @Field(() => String)
  name!: string;
}

@ObjectType({ description: 'A base model, teacher or other model ancestor, with the relation that reaches it.' })
export class LineageAncestor {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'ModelVersion or ProviderModel.' })
  kind!: string;

  @Field(() => AncestorModel)
  model!: AncestorModel;

  @Field(() => Int, { nullable: true, description: 'Version number (null for a provider model).' })
  version!: number | null;

  @Field(() => String, { nullable: true })
  provider!: string | null;

  @Field(() => String, { nullable: true })
  providerVersion!: string | null;

  @Field(() => String, { description: 'FINE_TUNED_FROM, DISTILLED_FROM, ... on a shortest path.' })
  relation!: string;

  @Field(() => Int, { description: 'Model hops from the traced version.' })
  depth!: number;

  @Field(() => ID, { description: 'The node that depends on this ancestor through `relation`.' })
  childId!: string;

  @Field(() => Run, {
    nullable: true,
    description:
      'The run that trained this ancestor (null for a provider model or a version registered without a run).',
  })
  run?: Run | null;

  /** Not in the schema: the id LineageAncestorResolver loads run by. */
  runId!: string | null;
}

@ObjectType()
export class TraceDeployment {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;
}

@ObjectType({ description: 'A prediction traced back to raw data.' })
export class PredictionTrace {
  @Field(() => Prediction)
  prediction!: Prediction;

  @Field(() => TraceDeployment, { nullable: true })
  deployment!: TraceDeployment | null;

  @Field(() => ModelVersion)
  modelVersion!: ModelVersion;

  @Field(() => Run, { nullable: true })
  run!: Run | null;

  @Field(() => [TracedDatasetVersion], {
    description: `Dataset versions used by the runs of this version and of its model ancestors, with all they derive from: each once, nearest model first (modelDepth), then nearest derivation (depth); at most ${MAX_TRACE_ITEMS}.`,
  })
  @MaxItems(MAX_TRACE_ITEMS)
  datasets!: TracedDatasetVersion[];

  @Field(() => [TracedDataSource], {
    description: `Raw sources at the end of those derivation chains: each once, nearest model first, then nearest derivation; at most ${MAX_TRACE_ITEMS}.`,
  })
  @MaxItems(MAX_TRACE_ITEMS)
  sources!: TracedDataSource[];

  @Field(() => [LineageAncestor], {
    description: `Base models, teachers and other model ancestors, transitively, nearest first; at most ${MAX_TRACE_ITEMS}.`,
  })
  @MaxItems(MAX_TRACE_ITEMS)
  ancestors!: LineageAncestor[];

  @Field(() => [ModelVersion], {
    description: `The prompt versions the model version uses (USES_PROMPT), by prompt name and version (at most ${MAX_TRACE_ITEMS}).`,
  })
  @MaxItems(MAX_TRACE_ITEMS)
  promptVersions!: ModelVersion[];
  @Field(() => Boolean, {
    description: `True when datasets, sources or ancestors had more than ${MAX_TRACE_ITEMS} entries (each keeps its nearest).`,
  })
  truncated!: boolean;
}

@ObjectType()
export class LineageNode {
  @Field(() => ID)
  id!: string;

  @Field(() => String, {
    description: 'ModelVersion, Run, DatasetVersion, DataSource, ProviderModel, Prediction or Deployment.',
  })
  kind!: string;

  @Field(() => String)
  label!: string;

  @Field(() => Int, { description: 'Hops from the root on a shortest path.' })
  depth!: number;

  @Field(() => String, {
    nullable: true,
    description: 'For a run reported through OpenLineage: its job, `namespace/name`.',
  })
  job!: string | null;
}

@ObjectType({
  description:
    'Siblings shown as one node (grouped lineage): reached from the same node or group, through the same relation, in one direction, of one kind.',
})
export class LineageGroup {
  @Field(() => ID, {
    description: 'Stable for the same place in the same graph; pass it in grouping.expand to show members.',
  })
  id!: string;

  @Field(() => String)
  kind!: string;

  @Field(() => String)
  relation!: string;

  @Field(() => Int, { description: 'Members still grouped.' })
  count!: number;

  @Field(() => Int, { description: 'Members returned as nodes because the group was expanded.' })
  shown!: number;

  @Field(() => Int, { description: 'Hops from the root.' })
  depth!: number;

  @Field(() => ID, { description: 'The node or group the members were reached from.' })
  attachedTo!: string;

  @Field(() => Boolean, {
    description: 'True when attachedTo depends on the members (they are upstream of it); false when they depend on it.',
  })
  upstream!: boolean;
}

@ObjectType()
export class LineageEdge {
  @Field(() => ID, { description: 'The dependent node.' })
  from!: string;

  @Field(() => ID, { description: 'The node it depends on.' })
  to!: string;

  @Field(() => String)
  relation!: string;
}

@ObjectType({ description: 'A bounded provenance subgraph.' })
export class LineageGraph {
  @Field(() => LineageNode)
  root!: LineageNode;

  @Field(() => [LineageNode], {
    description: `Nodes other than the root, nearest first, then by kind and id; at most ${LINEAGE_NODE_BUDGET} (when the budget cuts a hop, the walk's order picks which of its nodes are kept).`,
  })
  @MaxItems(LINEAGE_NODE_BUDGET)
  nodes!: LineageNode[];

  @Field(() => [LineageEdge], {
    description: `Edges among the root and the returned nodes (and groups: from or to a group id); at most ${LINEAGE_EDGE_BUDGET}.`,
  })
  @MaxItems(LINEAGE_EDGE_BUDGET)
  edges!: LineageEdge[];

  @Field(() => [LineageGroup], {
    description: `With grouping: siblings shown as one node with a count, nearest first; at most ${LINEAGE_GROUP_BUDGET}. Empty without grouping.`,
  })
  @MaxItems(LINEAGE_GROUP_BUDGET)
  groups!: LineageGroup[];

  @Field(() => Boolean, {
    description:
      "True when the node, edge or group budget cut the answer short (with grouping: the walk's budget of 100,000 nodes, 5,000 shown, or 1,000 groups).",
  })
  truncated!: boolean;
}

@ObjectType()
export class DatasetImpact {
  @Field(() => [ModelVersion], {
    description: "A page of them (see datasetImpact's first and after), by model name, then version.",
  })
  modelVersions!: ModelVersion[];

  @Field(() => Int, { description: 'How many versions the dataset impacts in all (counted only when selected).' })
  totalCount!: number;

  @Field(() => PageInfo, { description: 'endCursor is the `after` of the next page.' })
  pageInfo!: PageInfo;
}

@ObjectType()
export class ModelRelationResult {
  @Field(() => ModelVersion)
  modelVersion!: ModelVersion;

  @Field(() => ModelRelation)
  relation!: ModelRelation;

  @Field(() => ID)
  parentId!: string;

  @Field(() => String, { description: 'ModelVersion or ProviderModel.' })
  parentKind!: string;

  @Field(() => Boolean, { description: 'False when the edge already existed.' })
  created!: boolean;
}
