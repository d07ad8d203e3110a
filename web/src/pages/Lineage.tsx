import dagre from '@dagrejs/dagre';
import { Background, Controls, getViewportForBounds, Handle, MarkerType, Position, ReactFlow, useReactFlow, useStore, type Edge, type Node, type NodeProps } from '@xyflow/react';
import { useEffect, useMemo, useState } from 'react';
import { gql } from '../api';
import { href } from '../router';
import { ErrorBox, useAsync } from '../ui';

const LINEAGE = `query Lineage($id: ID!, $direction: LineageDirection!, $depth: Int, $relations: [String!]) {
  lineage(id: $id, direction: $direction, depth: $depth, relations: $relations) {
    root { id kind label }
    nodes { id kind label }
    edges { from to relation }
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
  USED: '#2563eb',
  DERIVED_FROM: '#0d9488',
  FINE_TUNED_FROM: '#c026d3',
  DISTILLED_FROM: '#ea580c',
  PRODUCED_BY: '#64748b',
  MADE_BY: '#64748b',
  SERVED_BY: '#94a3b8',
};

interface LNode {
  id: string;
  kind: string;
  label: string;
}
interface LGraph {
  root: LNode;
  nodes: LNode[];
  edges: { from: string; to: string; relation: string }[];
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

type NodeData = { id: string; kind: string; label: string; isRoot: boolean; onPath: boolean } & Record<string, unknown>;

function LineageNode({ data }: NodeProps<Node<NodeData>>) {
  return (
    <div className={`lnode kind-${data.kind}${data.isRoot ? ' root' : ''}${data.onPath ? ' on-path' : ''}`} data-kind={data.kind} data-node-id={data.id} title={data.id}>
      <Handle type="target" position={Position.Right} />
      <div className="kind">{data.kind}</div>
      <div className="label">{data.label}</div>
      <Handle type="source" position={Position.Left} />
    </div>
  );
}
const nodeTypes = { lineage: LineageNode };

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
const H = 56;

/** Layered layout: dependencies to the left, dependents to the right (dagre, rank direction RL). */
function layout(g: LGraph, path: Set<string>): { nodes: Node<NodeData>[]; edges: Edge[]; bounds: Bounds } {
  const d = new dagre.graphlib.Graph();
  d.setGraph({ rankdir: 'RL', nodesep: 28, ranksep: 110 });
  d.setDefaultEdgeLabel(() => ({}));
  const all = [g.root, ...g.nodes.filter((n) => n.id !== g.root.id)];
  for (const n of all) d.setNode(n.id, { width: W, height: H });
  for (const e of g.edges) d.setEdge(e.from, e.to);
  dagre.layout(d);
  const nodes: Node<NodeData>[] = all.map((n) => {
    const p = d.node(n.id);
    return {
      id: n.id,
      type: 'lineage',
      position: { x: p.x - W / 2, y: p.y - H / 2 },
      // Known size up front, so fitView frames the whole graph before nodes are measured.
      width: W,
      height: H,
      data: { ...n, isRoot: n.id === g.root.id, onPath: path.has(n.id) },
    };
  });
  const edges: Edge[] = g.edges.map((e) => {
    const onPath = path.has(e.from) && path.has(e.to);
    const color = onPath ? '#dc2626' : (RELATION_COLOR[e.relation] ?? '#64748b');
    return {
      id: `${e.from}-${e.relation}-${e.to}`,
      source: e.from,
      target: e.to,
      label: RELATION_LABEL[e.relation] ?? e.relation.toLowerCase(),
      className: `rel-${e.relation}${onPath ? ' on-path' : ''}`,
      animated: onPath,
      style: { stroke: color, strokeWidth: onPath ? 3 : 1.5 },
      labelStyle: { fill: color, fontSize: 11 },
      markerEnd: { type: MarkerType.ArrowClosed, color },
    };
  });
  const xs = nodes.map((n) => n.position.x);
  const ys = nodes.map((n) => n.position.y);
  const bounds = { x: Math.min(...xs), y: Math.min(...ys), width: Math.max(...xs) - Math.min(...xs) + W, height: Math.max(...ys) - Math.min(...ys) + H };
  return { nodes, edges, bounds };
}

export function Lineage({ id, direction = 'UPSTREAM', depth = 5 }: { id: string; direction?: string; depth?: number }) {
  const { data, error, loading } = useAsync(async () => {
    const g = (await gql<{ lineage: LGraph }>(LINEAGE, { id, direction, depth })).lineage;
    let path = new Set<string>();
    if (g.root.kind === 'Prediction') {
      const t = (await gql<{ tracePrediction: Trace | null }>(TRACE, { id: g.root.id })).tracePrediction;
      if (t) path = new Set([t.prediction.id, t.modelVersion.id, t.run?.id ?? '', ...t.datasets.map((x) => x.id), ...t.sources.map((x) => x.id), ...t.ancestors.map((x) => x.id)].filter(Boolean));
    }
    return { g, path };
  }, [id, direction, depth]);
  const flow = useMemo(() => (data ? layout(data.g, data.path) : null), [data]);
  // Exposed as data-fitted so screenshots (and people) see the framed graph, not the first paint.
  const [fitted, setFitted] = useState(false);
  const counts = useMemo(() => {
    const c = new Map<string, number>();
    for (const e of data?.g.edges ?? []) c.set(e.relation, (c.get(e.relation) ?? 0) + 1);
    return [...c].sort();
  }, [data]);
  const go = (o: { id?: string; direction?: string; depth?: number }) => {
    location.hash = href.lineage(o.id ?? id, o.direction ?? direction, o.depth ?? depth);
  };

  return (
    <section className="lineage-page">
      <h1>Lineage {data && <span className="muted">of {data.g.root.kind} {data.g.root.label}</span>}</h1>
      <div className="controls">
        <label>
          depth{' '}
          <select value={depth} onChange={(e) => go({ depth: Number(e.target.value) })} aria-label="depth">
            {[1, 2, 3, 4, 5, 6, 8, 10, 15, 20].map((n) => <option key={n} value={n}>{n}</option>)}
          </select>
        </label>
        <span className="toggle" role="group" aria-label="direction">
          {['UPSTREAM', 'DOWNSTREAM', 'BOTH'].map((dir) => (
            <button key={dir} className={dir === direction ? 'on' : ''} onClick={() => go({ direction: dir })}>{dir.toLowerCase()}</button>
          ))}
        </span>
        <span className="muted small">click a node to re-centre{data?.path.size ? ' · the prediction’s trace is highlighted in red' : ''}</span>
      </div>
      <ErrorBox error={error} />
      {data?.g.truncated && <div className="error">The graph was truncated: lower the depth.</div>}
      {loading && !data && <p className="muted">loading…</p>}
      {flow && (
        <>
          <div className="flow" data-testid="lineage-graph" data-fitted={fitted}>
            <ReactFlow
              nodes={flow.nodes}
              edges={flow.edges}
              nodeTypes={nodeTypes}
              minZoom={0.1}
              nodesDraggable={false}
              nodesConnectable={false}
              onNodeClick={(_, n) => n.id !== id && go({ id: n.id })}
              proOptions={{ hideAttribution: true }}
            >
              <Background />
              <Controls showInteractive={false} />
              <FitToBounds bounds={flow.bounds} onFitted={setFitted} />
            </ReactFlow>
          </div>
          <p className="small" data-testid="edge-summary">
            {new Set([data!.g.root.id, ...data!.g.nodes.map((n) => n.id)]).size} nodes · {counts.map(([r, n]) => <span key={r} className="edge-kind" data-relation={r} style={{ color: RELATION_COLOR[r] }}>{RELATION_LABEL[r] ?? r} ×{n} </span>)}
          </p>
        </>
      )}
    </section>
  );
}
