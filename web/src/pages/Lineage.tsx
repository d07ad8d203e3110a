import dagre from '@dagrejs/dagre';
import {
  Background,
  Controls,
  getViewportForBounds,
  Handle,
  MarkerType,
  Position,
  ReactFlow,
  useReactFlow,
  useStore,
  type Edge,
  type Node,
  type NodeProps,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useEffect, useMemo, useState } from 'react';
import { gql } from '../api';
import { href, useTitle } from '../router';
import { ErrorBox, useAsync } from '../ui';

const LINEAGE = `query Lineage($id: ID!, $direction: LineageDirection!, $depth: Int, $grouping: LineageGroupingInput) {
  lineage(id: $id, direction: $direction, depth: $depth, grouping: $grouping) {
    root { id kind label job }
    nodes { id kind label job }
    edges { from to relation }
    groups { id kind relation count shown depth attachedTo upstream }
    truncated
  }
}`;
const TRACE = `query TracePrediction($id: String!) {
  tracePrediction(id: $id) {
    prediction { id }
    modelVersion { id }
    run { id }
    datasets { id }
    sources { id }
    ancestors { id }
  }
}`;

/** Siblings shown before they are grouped, and how many more each "show more" opens. */
const GROUP_ABOVE = 8;
const SHOW_STEP = 25;

/** How each graph relation reads, child → parent. */
export const RELATION_LABEL: Record<string, string> = {
  USED: 'trained on',
  DERIVED_FROM: 'derived from',
  FINE_TUNED_FROM: 'fine-tuned from',
  DISTILLED_FROM: 'distilled from',
  ADAPTED_FROM: 'adapted from',
  QUANTIZED_FROM: 'quantized from',
  MERGED_FROM: 'merged from',
  PRODUCED_BY: 'produced by',
  MADE_BY: 'made by',
  SERVED_BY: 'served by',
};
const RELATION_COLOR: Record<string, string> = {
  USED: '#1d4ed8',
  DERIVED_FROM: '#0f766e',
  FINE_TUNED_FROM: '#a21caf',
  DISTILLED_FROM: '#c2410c',
  PRODUCED_BY: '#475569',
  MADE_BY: '#475569',
  SERVED_BY: '#64748b',
};

interface LNode {
  id: string;
  kind: string;
  label: string;
  job: string | null;
}
interface LGroup {
  id: string;
  kind: string;
  relation: string;
  count: number;
  shown: number;
  depth: number;
  attachedTo: string;
  upstream: boolean;
}
interface LGraph {
  root: LNode;
  nodes: LNode[];
  edges: { from: string; to: string; relation: string }[];
  groups: LGroup[];
  truncated: boolean;
}
interface Trace {
  prediction: { id: string };
  modelVersion: { id: string };
  run: { id: string } | null;
  datasets: { id: string }[];
  sources: { id: string }[];
  ancestors: { id: string }[];
}

type NodeData = {
  id: string;
  kind: string;
  label: string;
  job: string | null;
  isRoot: boolean;
  onPath: boolean;
  to: string;
} & Record<string, unknown>;
type GroupData = { group: LGroup; more: string; fewer: string | null } & Record<string, unknown>;

function LineageNode({ data }: NodeProps<Node<NodeData>>) {
  return (
    <div
      className={`lnode kind-${data.kind}${data.isRoot ? ' root' : ''}${data.onPath ? ' on-path' : ''}`}
      data-kind={data.kind}
      data-node-id={data.id}
      title={data.id}
    >
      <Handle type="target" position={Position.Right} />
      <div className="kind">{data.job ? `Run · job ${data.job}` : data.kind}</div>
      <a
        className="label"
        href={data.to}
        aria-label={`${data.kind} ${data.label}${data.isRoot ? ' (shown from here)' : ': show its lineage'}`}
      >
        {data.label}
      </a>
      <Handle type="source" position={Position.Left} />
    </div>
  );
}

function GroupNode({ data }: NodeProps<Node<GroupData>>) {
  const g = data.group;
  return (
    <div className={`lnode group kind-${g.kind}`} data-kind={g.kind} data-group-id={g.id} data-count={g.count}>
      <Handle type="target" position={Position.Right} />
      <div className="kind">
        {g.kind} ×{g.count.toLocaleString('en')}
        {g.shown > 0 && <span> (+{g.shown} shown)</span>}
      </div>
      <div className="group-actions">
        <a
          href={data.more}
          aria-label={`show ${Math.min(SHOW_STEP, g.count)} more of ${g.count.toLocaleString('en')} ${g.kind} (${RELATION_LABEL[g.relation] ?? g.relation})`}
        >
          show {Math.min(SHOW_STEP, g.count)} more
        </a>
        {data.fewer && (
          <a href={data.fewer} aria-label={`hide the shown ${g.kind} nodes`}>
            fold
          </a>
        )}
      </div>
      <Handle type="source" position={Position.Left} />
    </div>
  );
}
const nodeTypes = { lineage: LineageNode, group: GroupNode };

interface Bounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Frames the whole graph whenever it or the pane's size changes. The layout's
 * bounds are known before anything renders, so this sets the viewport directly
 * rather than waiting for React Flow to measure nodes (its queued fitView needs
 * an onNodesChange handler, which a read-only graph does not have).
 */
function FitToBounds({ bounds, onFitted }: { bounds: Bounds; onFitted: (fitted: boolean) => void }) {
  const { setViewport } = useReactFlow();
  const width = useStore((st) => st.width);
  const height = useStore((st) => st.height);
  useEffect(() => {
    onFitted(false);
    if (!width || !height) return;
    void setViewport(getViewportForBounds(bounds, width, height, 0.1, 1.5, 0.12));
    const frame = requestAnimationFrame(() => onFitted(true));
    return () => cancelAnimationFrame(frame);
  }, [bounds, width, height, setViewport, onFitted]);
  return null;
}

const W = 220;
const H = 60;

/** Layered layout: dependencies to the left, dependents to the right (dagre, rank direction RL). */
function layout(
  g: LGraph,
  path: Set<string>,
  link: (o: { id?: string; expand?: Record<string, number> }) => string,
  expand: Record<string, number>,
) {
  const d = new dagre.graphlib.Graph();
  d.setGraph({ rankdir: 'RL', nodesep: 28, ranksep: 110 });
  d.setDefaultEdgeLabel(() => ({}));
  const all = [g.root, ...g.nodes.filter((n) => n.id !== g.root.id)];
  for (const n of all) d.setNode(n.id, { width: W, height: H });
  for (const gr of g.groups) d.setNode(gr.id, { width: W, height: H });
  for (const e of g.edges) d.setEdge(e.from, e.to);
  dagre.layout(d);
  const at = (id: string) => {
    const p = d.node(id);
    return { x: p.x - W / 2, y: p.y - H / 2 };
  };
  const nodes: Node[] = [
    ...all.map((n): Node<NodeData> => ({
      id: n.id,
      type: 'lineage',
      position: at(n.id),
      // Known size up front, so the graph is framed before nodes are measured.
      width: W,
      height: H,
      data: { ...n, isRoot: n.id === g.root.id, onPath: path.has(n.id), to: link({ id: n.id, expand: {} }) },
    })),
    ...g.groups.map((gr): Node<GroupData> => ({
      id: gr.id,
      type: 'group',
      position: at(gr.id),
      width: W,
      height: H,
      data: {
        group: gr,
        more: link({ expand: { ...expand, [gr.id]: gr.shown + SHOW_STEP } }),
        fewer:
          gr.shown > 0
            ? link({ expand: Object.fromEntries(Object.entries(expand).filter(([k]) => k !== gr.id)) })
            : null,
      },
    })),
  ];
  const edges: Edge[] = g.edges.map((e) => {
    const onPath = path.has(e.from) && path.has(e.to);
    const color = onPath ? '#b91c1c' : (RELATION_COLOR[e.relation] ?? '#475569');
    return {
      id: `${e.from}-${e.relation}-${e.to}`,
      source: e.from,
      target: e.to,
      label: RELATION_LABEL[e.relation] ?? e.relation.toLowerCase(),
      className: `rel-${e.relation}${onPath ? ' on-path' : ''}`,
      animated: onPath,
      focusable: false,
      style: { stroke: color, strokeWidth: onPath ? 3 : 1.5 },
      labelStyle: { fill: color, fontSize: 11 },
      markerEnd: { type: MarkerType.ArrowClosed, color },
    };
  });
  const xs = nodes.map((n) => n.position.x);
  const ys = nodes.map((n) => n.position.y);
  const bounds = {
    x: Math.min(...xs),
    y: Math.min(...ys),
    width: Math.max(...xs) - Math.min(...xs) + W,
    height: Math.max(...ys) - Math.min(...ys) + H,
  };
  return { nodes, edges, bounds };
}

/**
 * The lineage explorer: an interactive layered DAG around any node. Wide
 * siblings (a version's 20,000 predictions, a dataset's 1,600 consumers) come
 * grouped from the server with counts; "show more" opens a group 25 at a time.
 * Everything — the node, direction, depth, open groups — is in the URL.
 */
export function Lineage({
  id,
  direction = 'UPSTREAM',
  depth = 5,
  expand,
}: {
  id: string;
  direction?: string;
  depth?: number;
  expand: Record<string, number>;
}) {
  const expandKey = JSON.stringify(expand);
  const { data, error, loading } = useAsync(async () => {
    const g = (
      await gql<{ lineage: LGraph }>(LINEAGE, {
        id,
        direction,
        depth,
        grouping: { above: GROUP_ABOVE, expand: Object.entries(expand).map(([group, show]) => ({ group, show })) },
      })
    ).lineage;
    let path = new Set<string>();
    if (g.root.kind === 'Prediction') {
      const t = (await gql<{ tracePrediction: Trace | null }>(TRACE, { id: g.root.id })).tracePrediction;
      if (t)
        path = new Set(
          [
            t.prediction.id,
            t.modelVersion.id,
            t.run?.id ?? '',
            ...t.datasets.map((x) => x.id),
            ...t.sources.map((x) => x.id),
            ...t.ancestors.map((x) => x.id),
          ].filter(Boolean),
        );
    }
    return { g, path };
  }, [id, direction, depth, expandKey]);
  useTitle(data ? `Lineage of ${data.g.root.label}` : 'Lineage');
  const link = (o: { id?: string; direction?: string; depth?: number; expand?: Record<string, number> }) =>
    href.lineage(o.id ?? id, o.direction ?? direction, o.depth ?? depth, o.expand ?? expand);
  const flow = useMemo(() => (data ? layout(data.g, data.path, link, expand) : null), [data]); // eslint-disable-line react-hooks/exhaustive-deps
  // Exposed as data-fitted so screenshots (and people) see the framed graph, not the first paint.
  const [fitted, setFitted] = useState(false);
  const [paintMs, setPaintMs] = useState<number | null>(null);
  useEffect(() => {
    if (fitted && paintMs === null) setPaintMs(Math.round(performance.now()));
  }, [fitted, paintMs]);
  const counts = useMemo(() => {
    const c = new Map<string, number>();
    for (const n of data?.g.nodes ?? []) c.set(n.kind, (c.get(n.kind) ?? 0) + 1);
    for (const gr of data?.g.groups ?? []) c.set(gr.kind, (c.get(gr.kind) ?? 0) + gr.count);
    return [...c].sort();
  }, [data]);
  const go = (o: { id?: string; direction?: string; depth?: number; expand?: Record<string, number> }) => {
    location.hash = link(o);
  };

  return (
    <section className="lineage-page" aria-labelledby="lineage-title">
      <h1 id="lineage-title">
        Lineage{' '}
        {data && (
          <span className="muted">
            of {data.g.root.kind} {data.g.root.label}
          </span>
        )}
      </h1>
      <div className="controls">
        <label>
          depth{' '}
          <select value={depth} onChange={(e) => go({ depth: Number(e.target.value), expand: {} })}>
            {[1, 2, 3, 4, 5, 6, 8, 10, 15, 20].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <span className="toggle" role="group" aria-label="direction">
          {['UPSTREAM', 'DOWNSTREAM', 'BOTH'].map((dir) => (
            <button
              type="button"
              key={dir}
              className={dir === direction ? 'on' : ''}
              aria-pressed={dir === direction}
              onClick={() => go({ direction: dir, expand: {} })}
            >
              {dir.toLowerCase()}
            </button>
          ))}
        </span>
        <span className="muted small">
          open a node to re-centre · more than {GROUP_ABOVE} siblings of a kind are grouped
          {data?.path.size ? ' · the prediction’s trace is highlighted in red' : ''}
        </span>
      </div>
      <ErrorBox error={error} />
      {data?.g.truncated && (
        <div className="warn">The walk stopped at its budget: lower the depth or narrow the direction.</div>
      )}
      {loading && !data && <p className="muted">loading…</p>}
      {flow && data && (
        <>
          <div className="flow" data-testid="lineage-graph" data-fitted={fitted} data-first-paint-ms={paintMs ?? ''}>
            <ReactFlow
              nodes={flow.nodes}
              edges={flow.edges}
              nodeTypes={nodeTypes}
              minZoom={0.1}
              nodesDraggable={false}
              nodesConnectable={false}
              nodesFocusable={false}
              edgesFocusable={false}
              elementsSelectable={false}
              onNodeClick={(_, n) => n.type === 'lineage' && n.id !== id && go({ id: n.id, expand: {} })}
              proOptions={{ hideAttribution: true }}
            >
              <Background />
              <Controls showInteractive={false} />
              <FitToBounds bounds={flow.bounds} onFitted={setFitted} />
            </ReactFlow>
          </div>
          <p className="small" data-testid="edge-summary">
            {new Set([data.g.root.id, ...data.g.nodes.map((n) => n.id)]).size} nodes shown, {data.g.groups.length} group
            {data.g.groups.length === 1 ? '' : 's'} ·{' '}
            {counts.map(([k, n]) => (
              <span key={k} className="edge-kind" data-kind-count={k}>
                {k} ×{n.toLocaleString('en')}{' '}
              </span>
            ))}
          </p>
        </>
      )}
    </section>
  );
}
