import { createHash } from 'node:crypto';
import { badInput } from '../errors.js';
import type { LineageEdge } from './lineage.js';

/**
 * The grouped lineage explorer's rule, pure: a breadth-first tree of the
 * provenance graph around a root (each node reached from one parent on a
 * shortest path) becomes a small graph in which siblings — nodes reached from
 * the same shown node or group, through the same relation, in the same
 * direction, of the same kind — beyond a threshold are one group with a
 * count. A version with 20,000 predictions is one "Prediction ×20,000" node;
 * a dataset feeding 1,600 versions is "Run ×1,600" then "ModelVersion ×1,600".
 * Opening a group shows its first members (by id); their own children are
 * grouped under them in turn.
 */

/** Siblings beyond this many are grouped when the caller gives no threshold. */
export const DEFAULT_GROUP_ABOVE = 8;
export const MAX_GROUP_ABOVE = 1000;
/** Members one expansion may show, and expansions one request may ask for. */
export const MAX_GROUP_SHOW = 5000;
export const MAX_GROUP_EXPANSIONS = 50;
const GROUP_ID = /^group:[0-9a-f]{20}$/;

/** One node of the walk: reached at `depth` from `parent` through `relation`, upstream (`up`: the parent depends on it) or downstream. */
export interface WalkNode {
  id: string;
  kind: string;
  depth: number;
  /** The parent's id; null for the root. */
  parent: string | null;
  relation: string | null;
  up: boolean;
}

export interface LineageGroup {
  /** Stable for the same place in the same graph: `group:` + 20 hex digits. */
  id: string;
  kind: string;
  relation: string;
  /** Members still grouped (not returned as nodes). */
  count: number;
  /** Members returned as nodes because the group was opened. */
  shown: number;
  depth: number;
  /** The shown node or group the members were reached from. */
  attachedTo: string;
  /** True when `attachedTo` depends on the members (upstream); false when they depend on it. */
  upstream: boolean;
}

export interface Grouping {
  above: number;
  /** Group id → how many of its members to show. */
  expand: ReadonlyMap<string, number>;
}

export interface GroupedTree {
  /** Walk nodes shown individually (root excluded), nearest first. */
  shown: WalkNode[];
  groups: LineageGroup[];
  /** Edges the tree implies between shown nodes and groups (a group's edge, or a shown member of a group to it). */
  edges: LineageEdge[];
}

/** Validates a request's grouping (threshold and expansions) at the edge of the domain. */
export function parseGrouping(input: { above?: number | null; expand?: readonly { group: string; show: number }[] | null }): Grouping {
  const above = input.above ?? DEFAULT_GROUP_ABOVE;
  if (!Number.isInteger(above) || above < 1 || above > MAX_GROUP_ABOVE) {
    throw badInput(`grouping.above must be an integer from 1 to ${MAX_GROUP_ABOVE}, got ${input.above}`, { field: 'grouping.above' });
  }
  const expand = input.expand ?? [];
  if (expand.length > MAX_GROUP_EXPANSIONS) throw badInput(`grouping.expand takes at most ${MAX_GROUP_EXPANSIONS} groups`, { field: 'grouping.expand' });
  const map = new Map<string, number>();
  for (const e of expand) {
    if (!GROUP_ID.test(e.group)) throw badInput(`grouping.expand: "${e.group.slice(0, 80)}" is not a group id returned by lineage`, { field: 'grouping.expand' });
    if (!Number.isInteger(e.show) || e.show < 0 || e.show > MAX_GROUP_SHOW) {
      throw badInput(`grouping.expand: show must be an integer from 0 to ${MAX_GROUP_SHOW}`, { field: 'grouping.expand' });
    }
    map.set(e.group, Math.max(map.get(e.group) ?? 0, e.show));
  }
  return { above, expand: map };
}

/** The id of the group of siblings under `attachedTo` through `relation`, of `kind`, in one direction. */
export function groupId(attachedTo: string, relation: string, kind: string, up: boolean): string {
  const digest = createHash('sha256').update(JSON.stringify([attachedTo, relation, kind, up])).digest('hex');
  return `group:${digest.slice(0, 20)}`;
}

/**
 * Groups a walk. `nodes` holds the root (depth 0) and every node reached,
 * each with its parent on the walk; a parent always has a smaller depth.
 */
export function groupLineage(nodes: readonly WalkNode[], grouping: Grouping): GroupedTree {
  // Where each node is shown: itself, or the group it fell into.
  const display = new Map<string, string>();
  const byDepth = new Map<number, WalkNode[]>();
  for (const n of nodes) {
    if (n.parent === null) display.set(n.id, n.id);
    else byDepth.set(n.depth, [...(byDepth.get(n.depth) ?? []), n]);
  }
  const shown: WalkNode[] = [];
  const groups: LineageGroup[] = [];
  const edges: LineageEdge[] = [];
  for (const depth of [...byDepth.keys()].sort((a, b) => a - b)) {
    const buckets = new Map<string, { attachedTo: string; relation: string; kind: string; up: boolean; members: WalkNode[] }>();
    for (const n of byDepth.get(depth)!) {
      const attachedTo = display.get(n.parent!);
      if (attachedTo === undefined) continue; // its parent was cut off above
      const key = JSON.stringify([attachedTo, n.relation, n.kind, n.up]);
      const bucket = buckets.get(key) ?? { attachedTo, relation: n.relation!, kind: n.kind, up: n.up, members: [] };
      bucket.members.push(n);
      buckets.set(key, bucket);
    }
    for (const b of [...buckets.values()].sort((x, y) => compareKeys([x.attachedTo, x.relation, x.kind], [y.attachedTo, y.relation, y.kind]) || Number(y.up) - Number(x.up))) {
      b.members.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
      const attachedIsGroup = GROUP_ID.test(b.attachedTo);
      const edgeTo = (from: string) =>
        b.up ? { from: b.attachedTo, to: from, relation: b.relation } : { from, to: b.attachedTo, relation: b.relation };
      if (b.members.length <= grouping.above) {
        for (const m of b.members) {
          display.set(m.id, m.id);
          shown.push(m);
          // Between two shown nodes the real edges come from the graph; to a group, the tree's.
          if (attachedIsGroup) edges.push(edgeTo(m.id));
        }
        continue;
      }
      const id = groupId(b.attachedTo, b.relation, b.kind, b.up);
      const show = Math.min(grouping.expand.get(id) ?? 0, b.members.length);
      for (const m of b.members.slice(0, show)) {
        display.set(m.id, m.id);
        shown.push(m);
        if (attachedIsGroup) edges.push(edgeTo(m.id));
      }
      const rest = b.members.length - show;
      for (const m of b.members.slice(show)) display.set(m.id, id);
      if (rest > 0) {
        groups.push({ id, kind: b.kind, relation: b.relation, count: rest, shown: show, depth, attachedTo: b.attachedTo, upstream: b.up });
        edges.push(edgeTo(id));
      }
    }
  }
  return { shown, groups, edges };
}

function compareKeys(a: string[], b: string[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return 0;
}
