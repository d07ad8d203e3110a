import { badInput, notFound } from '../errors.js';
import { unknownAfter, type ListPage } from '../paging.js';
import { statement } from '../graph/cypher.js';
import type { Executor, Tx } from '../graph/executor.js';
import {
  DEFAULT_LINEAGE_DEPTH,
  LINEAGE_EDGE_BUDGET,
  LINEAGE_GROUP_BUDGET,
  LINEAGE_NODE_BUDGET,
  LINEAGE_RELATIONS,
  LINEAGE_WALK_BUDGET,
  MAX_LINEAGE_DEPTH,
  nodeJob,
  nodeLabel,
  orderEdges,
  type LineageDirection,
  type LineageEdge,
} from './lineage.js';
import {
  groupLevel,
  widestExpansion,
  type FrontierNode,
  type Grouping,
  type LevelBucket,
  type LineageGroup,
  type ShownNode,
} from './lineage-groups.js';
import { toRun, type DatasetVersionRecord, type ModelVersionRecord, type RunRecord, type StoredRun } from './types.js';
import { unique } from './validation.js';

const Q = {
  tracePrediction: statement('provenance/trace-prediction'),
  lineageRoot: statement('provenance/lineage-root'),
  lineageUpstream: statement('provenance/lineage-hop-upstream'),
  lineageDownstream: statement('provenance/lineage-hop-downstream'),
  lineageEdges: statement('provenance/lineage-edges'),
  lineageLevel: statement('provenance/lineage-level'),
  lineageMembers: statement('provenance/lineage-members'),
  datasetExists: statement('provenance/dataset-exists'),
  datasetImpact: statement('provenance/dataset-impact'),
  versionsByFingerprint: statement('provenance/find-versions-by-fingerprint'),
};

export interface LineageNode {
  id: string;
  kind: string;
  label: string;
  /** Hops from the root (0 for the root). */
  depth: number;
  /** A run's OpenLineage job, `namespace/name`. */
  job: string | null;
}

export interface LineageResult {
  root: LineageNode;
  nodes: LineageNode[];
  edges: LineageEdge[];
  /** Siblings shown as one node with a count (grouped lineage only; empty otherwise). */
  groups: LineageGroup[];
  truncated: boolean;
}

export interface AncestorRecord {
  id: string;
  kind: 'ModelVersion' | 'ProviderModel';
  /** Model name (registered model, or the provider's model name). */
  name: string;
  version: number | null;
  provider: string | null;
  providerVersion: string | null;
  relation: string;
  depth: number;
  /** The node that depends on this ancestor through `relation`. */
  childId: string;
}

/** Where a traced dataset version or raw source enters the trace. */
export interface TraceAttribution {
  /** Derivation hops from the run that used it (1 = the run used it directly). */
  depth: number;
  /** Model hops from the traced version to the version whose run used it (0 = the traced version itself). */
  modelDepth: number;
  /** Id of that version: the traced one, or a base model / teacher / other model ancestor. */
  usedById: string;
}

/**
 * A prediction traced back to the raw data. `datasets` and `sources` cover the
 * training data of the version that made the prediction AND of its model
 * ancestors (base models, teachers, adapter bases, quantisation and merge
 * sources, transitively): a fine-tuned or distilled model carries what its
 * ancestors learned, so their data is upstream of its predictions. This keeps
 * the trace the exact inverse of datasetImpact: a dataset version is in the
 * trace of a prediction iff the prediction's version is in that dataset
 * version's impact. Each entry appears once, attributed to the nearest model
 * (`modelDepth`, `usedBy`) and then the shortest derivation distance (`depth`);
 * entries come in that order (then by name/version or uri). `run` stays the
 * traced version's own run; each ancestor carries its own `run`.
 */
export interface PredictionTrace {
  prediction: { id: string; at: string; inputRef: string | null };
  deployment: { id: string; name: string } | null;
  modelVersion: ModelVersionRecord;
  run: RunRecord | null;
  datasets: (DatasetVersionRecord & TraceAttribution)[];
  sources: ({ id: string; uri: string } & TraceAttribution)[];
  /** runId: the run that trained the ancestor (null for a provider model or a version registered without one). */
  ancestors: (AncestorRecord & { runId: string | null })[];
  /** The prompt versions the model version uses (USES_PROMPT). */
  promptVersions: ModelVersionRecord[];
  /** True when a list had more than {@link MAX_TRACE_ITEMS} entries (each keeps its nearest). */
  truncated: boolean;
}

/** Entries of each list of a prediction trace (datasets, sources, ancestors) at most. */
export const MAX_TRACE_ITEMS = 1000;

/**
 * The provenance read models, each over the graph the aggregates write:
 * lineage walks (./lineage.ts holds their vocabulary, ./lineage-groups.ts the
 * grouped explorer's rule), a prediction's trace back to raw data, a dataset
 * version's impact, and the versions sharing a fingerprint. Reads only.
 */
export class LineageService {
  constructor(private readonly executor: Executor) {}

  /**
   * Prediction → version → run → dataset versions → derivation chain → raw
   * sources, plus the model ancestors with their relations and runs, and the
   * ancestors' training data too (see {@link PredictionTrace}): one statement.
   */
  async tracePrediction(id: string): Promise<PredictionTrace> {
    const [row] = await this.executor.read<{
      prediction: PredictionTrace['prediction'];
      modelVersion: ModelVersionRecord;
      deployment: PredictionTrace['deployment'];
      run: StoredRun | null;
      datasets: PredictionTrace['datasets'];
      sources: PredictionTrace['sources'];
      promptVersions: ModelVersionRecord[];
      ancestors: {
        ancestor: Record<string, unknown>;
        kind: 'ModelVersion' | 'ProviderModel';
        relation: string;
        depth: number;
        childId: string;
        runId: string | null;
      }[];
      truncated: boolean;
    }>(Q.tracePrediction, { id, maxItems: MAX_TRACE_ITEMS });
    if (!row) throw notFound(`no prediction with id ${id}`, { field: 'id' });
    return {
      truncated: row.truncated,
      prediction: { id: row.prediction.id, at: row.prediction.at, inputRef: row.prediction.inputRef ?? null },
      deployment: row.deployment,
      modelVersion: row.modelVersion,
      run: row.run ? toRun(row.run) : null,
      datasets: row.datasets,
      promptVersions: row.promptVersions,
      sources: row.sources.map((x) => ({
        id: x.id,
        uri: x.uri,
        depth: x.depth,
        modelDepth: x.modelDepth,
        usedById: x.usedById,
      })),
      ancestors: row.ancestors.map((a) => ({
        id: String(a.ancestor.id),
        kind: a.kind,
        name: String(a.kind === 'ModelVersion' ? a.ancestor.modelName : a.ancestor.name),
        version: a.kind === 'ModelVersion' ? (a.ancestor.version as number) : null,
        provider: a.kind === 'ProviderModel' ? (a.ancestor.provider as string) : null,
        providerVersion: a.kind === 'ProviderModel' ? (a.ancestor.providerVersion as string) : null,
        relation: a.relation,
        depth: a.depth,
        childId: a.childId,
        runId: a.runId ?? null,
      })),
    };
  }

  /**
   * The provenance subgraph within `depth` hops of any node. Without
   * `grouping`: one statement; nodes come nearest first (then by kind and id),
   * the root first of all; edges are those among the returned nodes,
   * restricted to `relations`. With `grouping`: the grouped explorer
   * ({@link groupedLineage}).
   */
  async lineage(
    id: string,
    direction: LineageDirection,
    depth: number | null | undefined,
    relations: readonly string[] | null | undefined,
    grouping?: Grouping | null,
  ): Promise<LineageResult> {
    const d = depth ?? DEFAULT_LINEAGE_DEPTH;
    if (!Number.isInteger(d) || d < 1 || d > MAX_LINEAGE_DEPTH) {
      throw badInput(`depth must be an integer from 1 to ${MAX_LINEAGE_DEPTH}, got ${depth}`, { field: 'depth' });
    }
    const rels = relations == null ? [...LINEAGE_RELATIONS] : unique(relations.map((r) => r.toUpperCase()));
    const unknown = rels.filter((r) => !(LINEAGE_RELATIONS as readonly string[]).includes(r));
    if (unknown.length) {
      throw badInput(`relations must be among ${LINEAGE_RELATIONS.join(', ')}; unknown: ${unknown.join(', ')}`, {
        field: 'relations',
      });
    }
    if (grouping) return this.groupedLineage(id, direction, d, rels, grouping);
    return this.executor.readTx((tx) => this.walkLineage(tx, id, d, rels, direction), 'lineage');
  }

  /**
   * The grouped lineage explorer, for nodes with thousands of neighbours: a
   * breadth-first walk, one statement per level (at most `depth`), that stops
   * once it has read {@link LINEAGE_WALK_BUDGET} nodes. The database counts
   * each level by sets of siblings and returns ids only for what is shown
   * (sets of at most `grouping.above`, the opened window of larger ones) and
   * element ids for what the walk goes on from (./lineage-groups.ts decides
   * which is which); then one statement reads the labels of what is shown and
   * the edges among it. The answer and the traffic stay small however wide
   * the graph is: a version with 20,000 predictions is two nodes and one
   * counted row.
   */
  private async groupedLineage(
    id: string,
    direction: LineageDirection,
    depth: number,
    relations: string[],
    grouping: Grouping,
  ): Promise<LineageResult> {
    return this.executor.readTx(async (tx) => {
      const [start] = await tx.run<{ eid: string; props: Record<string, unknown>; kind: string }>(Q.lineageRoot, {
        id,
      });
      if (!start) throw notFound(`no provenance node with id ${id}`, { field: 'id' });
      const root = { eid: start.eid, id: String(start.props.id), kind: start.kind };
      // Element ids the walk holds (shown, or walked on from); the rest it reached were only counted, and are
      // recognised by their parents in `prior` (earlier frontier nodes some of whose new neighbours were only counted).
      const seen = new Set([root.eid]);
      const prior = { up: [] as string[], down: [] as string[] };
      const window = widestExpansion(grouping);
      let frontier: FrontierNode[] = [
        ...(direction !== 'DOWNSTREAM' ? [{ eid: root.eid, up: true, unit: root.id }] : []),
        ...(direction !== 'UPSTREAM' ? [{ eid: root.eid, up: false, unit: root.id }] : []),
      ];
      const shown: ShownNode[] = [];
      const tree = { groups: [] as LineageGroup[], edges: [] as LineageEdge[] };
      let read = 0;
      let truncated = false;
      for (let level = 1; level <= depth && frontier.length && !truncated; level++) {
        const rows = await tx.run<LevelBucket & { cut: boolean | null }>(Q.lineageLevel, {
          frontier,
          relations,
          seen: [...seen],
          priorUp: prior.up,
          priorDown: prior.down,
          room: LINEAGE_WALK_BUDGET - read,
          above: grouping.above,
          window,
          last: level === depth,
        });
        // A row marked `cut` (and nothing else) says the level had more new nodes than the budget's room.
        truncated = rows.some((r) => r.cut);
        const g = groupLevel(
          rows.filter((r) => !r.cut),
          level,
          grouping,
        );
        read += g.reached;
        shown.push(...g.shown);
        tree.groups.push(...g.groups);
        tree.edges.push(...g.edges);
        for (const f of frontier) if (g.counted.has(f.unit)) (f.up ? prior.up : prior.down).push(f.eid);
        for (const n of [...g.shown, ...g.frontier]) seen.add(n.eid);
        frontier = g.frontier;
      }
      if (shown.length > LINEAGE_NODE_BUDGET) truncated = true;
      const kept = shown.slice(0, LINEAGE_NODE_BUDGET);
      const rows = await tx.run<{ props: Record<string, unknown>; edges: LineageEdge[] }>(Q.lineageMembers, {
        eids: [root.eid, ...kept.map((n) => n.eid)],
        relations,
      });
      const [rootRow, ...memberRows] = rows;
      const nodes = kept.map((n, i) => lineageNode(n.kind, memberRows[i]!.props, n.depth));
      // Groups come nearest first, so one hanging under a cut-off node or group is dropped with it.
      const known = new Set([root.id, ...nodes.map((n) => n.id)]);
      const groups: LineageGroup[] = [];
      for (const g of tree.groups) {
        if (!known.has(g.attachedTo)) continue;
        if (groups.length === LINEAGE_GROUP_BUDGET) {
          truncated = true;
          break;
        }
        known.add(g.id);
        groups.push(g);
      }
      const ids = [root.id, ...nodes.map((n) => n.id), ...groups.map((g) => g.id)];
      const edges = [...rows.flatMap((r) => r.edges), ...tree.edges].filter(
        (e) => known.has(e.from) && known.has(e.to),
      );
      if (edges.length > LINEAGE_EDGE_BUDGET) truncated = true;
      return {
        root: lineageNode(root.kind, rootRow!.props, 0),
        nodes,
        edges: orderEdges(ids, edges).slice(0, LINEAGE_EDGE_BUDGET),
        groups,
        truncated,
      };
    }, 'groupedLineage');
  }

  /**
   * Breadth-first, one statement per hop and direction, each asking for at
   * most one node more than the budget has room for: the walk stops when the
   * budget is full, reading no more of a wide hop (a version's 20,000
   * predictions) than fits. UPSTREAM and DOWNSTREAM walk separately (BOTH is
   * their union, as before: no path turns around), each node at its nearest
   * hop. When the budget cuts a hop, which of that hop's nodes are kept is the
   * walk's order, not the id order of the rest of the answer.
   */
  private async walkLineage(
    tx: Tx,
    id: string,
    depth: number,
    relations: string[],
    direction: LineageDirection,
  ): Promise<LineageResult> {
    type Found = { eid: string; props: Record<string, unknown>; kind: string };
    const [start] = await tx.run<Found>(Q.lineageRoot, { id });
    if (!start) throw notFound(`no provenance node with id ${id}`, { field: 'id' });
    const walks = [
      ...(direction !== 'DOWNSTREAM'
        ? [{ hop: Q.lineageUpstream, frontier: [start.eid], seen: new Set([start.eid]) }]
        : []),
      ...(direction !== 'UPSTREAM'
        ? [{ hop: Q.lineageDownstream, frontier: [start.eid], seen: new Set([start.eid]) }]
        : []),
    ];
    const found = new Map<string, Found & { depth: number }>();
    const full = () => found.size > LINEAGE_NODE_BUDGET;
    for (let level = 1; level <= depth && !full(); level++) {
      for (const walk of walks) {
        const next: string[] = [];
        // A hop may return nodes the other direction already found; ask again
        // until the hop is exhausted or the budget is over.
        for (let more = walk.frontier.length > 0; more && !full();) {
          const limit = LINEAGE_NODE_BUDGET + 1 - found.size;
          const rows = await tx.run<Found>(walk.hop, {
            frontier: walk.frontier,
            visited: [...walk.seen],
            relations,
            limit,
          });
          for (const r of rows) {
            walk.seen.add(r.eid);
            next.push(r.eid);
            if (!found.has(r.eid)) found.set(r.eid, { ...r, depth: level });
          }
          more = rows.length === limit;
        }
        walk.frontier = next;
      }
    }
    const truncatedNodes = full();
    const kept = [...found.values()]
      .map((n) => ({ eid: n.eid, node: lineageNode(n.kind, n.props, n.depth) }))
      .sort((a, b) => a.node.depth - b.node.depth || cmp(a.node.kind, b.node.kind) || cmp(a.node.id, b.node.id))
      .slice(0, LINEAGE_NODE_BUDGET);
    const edges = await tx.run<LineageEdge>(Q.lineageEdges, {
      members: [start.eid, ...kept.map((k) => k.eid)],
      relations,
      limit: LINEAGE_EDGE_BUDGET + 1,
    });
    const root = lineageNode(start.kind, start.props, 0);
    const nodes = kept.map((k) => k.node);
    return {
      root,
      nodes,
      edges: orderEdges([root.id, ...nodes.map((n) => n.id)], edges).slice(0, LINEAGE_EDGE_BUDGET),
      groups: [],
      truncated: truncatedNodes || edges.length > LINEAGE_EDGE_BUDGET,
    };
  }

  /**
   * A page of the versions impacted by a dataset version or raw source, by
   * model name then version: `limit` after `after` ([modelName, version] of
   * the last one seen); `total` counts them all, only when `withTotal`.
   */
  async datasetImpact(
    datasetVersionId: string,
    page: { limit: number; after: [string, number] | null; withTotal: boolean },
  ): Promise<{ versions: ModelVersionRecord[]; total: number | null }> {
    return this.executor.readTx(async (tx) => {
      const [exists] = await tx.run<{ found: boolean }>(Q.datasetExists, { id: datasetVersionId });
      if (!exists?.found)
        throw notFound(`no dataset version or data source with id ${datasetVersionId}`, { field: 'datasetVersionId' });
      const [row] = await tx.run<{ total: number | null; page: ModelVersionRecord[] }>(Q.datasetImpact, {
        id: datasetVersionId,
        after: page.after,
        limit: page.limit,
        withTotal: page.withTotal,
      });
      return { versions: row?.page ?? [], total: row ? row.total : page.withTotal ? 0 : null };
    }, 'datasetImpact');
  }

  /**
   * A page of the versions with this fingerprint, by model and version: `first` after the version whose id is `after`.
   */
  async modelVersionsByFingerprint(fingerprint: string, page: ListPage): Promise<ModelVersionRecord[]> {
    const [row] = await this.executor.read<{ known: boolean; modelVersions: ModelVersionRecord[] }>(
      Q.versionsByFingerprint,
      { fingerprint, after: page.after, limit: page.first },
    );
    if (!row!.known) throw unknownAfter('version with this fingerprint');
    return row!.modelVersions;
  }
}

function lineageNode(kind: string, props: Record<string, unknown>, depth: number): LineageNode {
  return { id: String(props.id), kind, label: nodeLabel(kind, props), depth, job: nodeJob(kind, props) };
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
