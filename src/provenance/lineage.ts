/**
 * Lineage vocabulary: the provenance relationship types (direction = "depends
 * on") and the pure rules around them. No driver, no GraphQL.
 */

/** Model-to-model relations: a version depends on a base, teacher, adapter base, quantisation source or merge input. */
export const MODEL_RELATIONS = [
  'FINE_TUNED_FROM',
  'DISTILLED_FROM',
  'ADAPTED_FROM',
  'QUANTIZED_FROM',
  'MERGED_FROM',
] as const;
export type ModelRelation = (typeof MODEL_RELATIONS)[number];

/** Every relationship type lineage follows. VERSION_OF is not one: it would join every version of a model. */
export const LINEAGE_RELATIONS = [
  'MADE_BY',
  'SERVED_BY',
  'PRODUCED_BY',
  'USED',
  'DERIVED_FROM',
  ...MODEL_RELATIONS,
] as const;
export type LineageRelation = (typeof LINEAGE_RELATIONS)[number];

export type LineageDirection = 'UPSTREAM' | 'DOWNSTREAM' | 'BOTH';

export const DEFAULT_LINEAGE_DEPTH = 5;
export const MAX_LINEAGE_DEPTH = 20;
/**
 * Nodes returned at most by one lineage query (the root aside): the walk
 * stops there, and the answer says `truncated`.
 */
export const LINEAGE_NODE_BUDGET = 5000;
/** Nodes the grouped explorer's walk reads at most before it stops (it groups what it read and says `truncated`). */
export const LINEAGE_WALK_BUDGET = 100_000;
/** Groups one grouped lineage answer holds at most (nearest first); beyond it the answer says `truncated`. */
export const LINEAGE_GROUP_BUDGET = 1000;
/** Edges returned at most by one lineage query; beyond it the answer says `truncated` too. */
export const LINEAGE_EDGE_BUDGET = 5000;

export const NODE_KINDS = [
  'ModelVersion',
  'Run',
  'DatasetVersion',
  'DataSource',
  'ProviderModel',
  'Prediction',
  'Deployment',
] as const;
export type NodeKind = (typeof NODE_KINDS)[number];

export const RUN_ROLES = ['train', 'validation', 'test'] as const;
export type RunRole = (typeof RUN_ROLES)[number];

export const RUN_STATUSES = ['RUNNING', 'FINISHED', 'FAILED', 'KILLED'] as const;

/** Params of one run (MLflow logs add to them; past it a log is refused). */
export const MAX_RUN_PARAMS = 2000;
/** Metrics of one run (latest value per key and segment; past it a new key is refused). */
export const MAX_RUN_METRICS = 2000;
/** Input dataset versions of one run. */
export const MAX_RUN_INPUTS = 1000;
/** Seeds of one run, all given when it is created. */
export const MAX_RUN_SEEDS = 1000;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** A short human label for a node of the given kind, from its properties. */
export function nodeLabel(kind: string, p: Record<string, unknown>): string {
  switch (kind) {
    case 'ModelVersion':
      return `${String(p.modelName)}/${String(p.version)}`;
    case 'Run':
      return String(p.name ?? p.id);
    case 'DatasetVersion':
      return `${String(p.datasetName)}@${String(p.version)}`;
    case 'DataSource':
      return String(p.uri);
    case 'ProviderModel':
      return `${String(p.provider)}:${String(p.name)}@${String(p.providerVersion)}`;
    case 'Prediction':
      return String(p.id);
    case 'Deployment':
      return String(p.name);
    default:
      return String(p.id);
  }
}

/** For a run reported through OpenLineage: its job as `namespace/name`; null otherwise. */
export function nodeJob(kind: string, p: Record<string, unknown>): string | null {
  return kind === 'Run' && typeof p.jobName === 'string' ? `${String(p.jobNamespace ?? '')}/${p.jobName}` : null;
}

export interface LineageEdge {
  from: string;
  to: string;
  relation: string;
}

/**
 * Edges in a stable order: by the position of their `from` node in the node
 * list (root first, then nearest first), then of their `to` node, then relation.
 */
export function orderEdges(nodeIds: readonly string[], edges: readonly LineageEdge[]): LineageEdge[] {
  const pos = new Map(nodeIds.map((id, i) => [id, i]));
  const at = (id: string) => pos.get(id) ?? Number.MAX_SAFE_INTEGER;
  return [...edges].sort(
    (a, b) =>
      at(a.from) - at(b.from) ||
      at(a.to) - at(b.to) ||
      (a.relation < b.relation ? -1 : a.relation > b.relation ? 1 : 0),
  );
}
