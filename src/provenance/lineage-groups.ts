import { createHash } from 'node:crypto';
import { badInput } from '../errors.js';
import type { LineageEdge } from './lineage.js';

/**
 * The grouped lineage explorer's rule, pure: the provenance graph around a
 * root, walked breadth-first, becomes a small graph in which siblings — nodes
 * reached from the same shown node or group, through the same relation, in
 * the same direction, of the same kind — beyond a threshold are one group
 * with a count. A version with 20,000 predictions is one "Prediction ×20,000"
 * node; a dataset feeding 1,600 versions is "Run ×1,600" then
 * "ModelVersion ×1,600". Opening a group shows its first members (by id);
 * their own children are grouped under them in turn.
 *
 * Each node reached is placed once (a diamond is not counted twice): at its
 * shortest distance from the root (BOTH: in either direction), under the
 * node of the level before that reaches it with the smallest (id, relation,
 * direction), and so in that node's group when it is not shown. The database
 * counts each level (cypher/provenance/lineage-level.cypher, walked by
 * LineageService); this module decides, level by level, what of it is
 * shown, grouped, and walked on from.
 */

/** Siblings beyond this many are grouped when the caller gives no threshold. */
export const DEFAULT_GROUP_ABOVE = 8;
export const MAX_GROUP_ABOVE = 1000;
/** Members one expansion may show, and expansions one request may ask for. */
export const MAX_GROUP_SHOW = 5000;
export const MAX_GROUP_EXPANSIONS = 50;
const GROUP_ID = /^group:[0-9a-f]{20}$/;

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

/** A node's element id and id, as a level returns them. */
export interface LevelMember {
  eid: string;
  id: string;
}

/** One set of siblings of a level, as the database counted them (provenance/lineage-level). */
export interface LevelBucket {
  /** The shown node or group (of the level before) the members were reached from. */
  attachedTo: string;
  relation: string;
  kind: string;
  /** True when `attachedTo` depends on the members. */
  up: boolean;
  count: number;
  /**
   * Every member when `count` is at most the threshold; otherwise the first
   * members by id, as many as the widest expansion of the request asks for
   * (none without one).
   */
  members: readonly LevelMember[];
  /** Element ids of the members the walk goes on from (those with edges further on). */
  onward: readonly string[];
}

/** A node shown individually (the root aside). */
export interface ShownNode extends LevelMember {
  kind: string;
  depth: number;
}

/** Where the walk goes on from: a node, its direction, and the shown node or group (its id) it is displayed as. */
export interface FrontierNode {
  eid: string;
  up: boolean;
  unit: string;
}

export interface GroupedLevel {
  /** Nodes shown individually, in answer order. */
  shown: ShownNode[];
  groups: LineageGroup[];
  /**
   * Edges the grouping implies (a group's edge, or a shown member of a group to it); edges between shown nodes come
   * from the graph.
   */
  edges: LineageEdge[];
  /** The next level's frontier: the members with edges further on, each under the node or group it is displayed as. */
  frontier: FrontierNode[];
  /**
   * `attachedTo` of every set with members only counted (neither shown nor walked on from, so their element ids never
   * came back).
   */
  counted: Set<string>;
  /** Nodes this level placed. */
  reached: number;
}

/** Validates a request's grouping (threshold and expansions) at the edge of the domain. */
export function parseGrouping(input: {
  above?: number | null;
  expand?: readonly { group: string; show: number }[] | null;
}): Grouping {
  const above = input.above ?? DEFAULT_GROUP_ABOVE;
  if (!Number.isInteger(above) || above < 1 || above > MAX_GROUP_ABOVE) {
    throw badInput(`grouping.above must be an integer from 1 to ${MAX_GROUP_ABOVE}, got ${input.above}`, {
      field: 'grouping.above',
    });
  }
  const expand = input.expand ?? [];
  if (expand.length > MAX_GROUP_EXPANSIONS)
    throw badInput(`grouping.expand takes at most ${MAX_GROUP_EXPANSIONS} groups`, { field: 'grouping.expand' });
  const map = new Map<string, number>();
  for (const e of expand) {
    if (!GROUP_ID.test(e.group))
      throw badInput(`grouping.expand: "${e.group.slice(0, 80)}" is not a group id returned by lineage`, {
        field: 'grouping.expand',
      });
    if (!Number.isInteger(e.show) || e.show < 0 || e.show > MAX_GROUP_SHOW) {
      throw badInput(`grouping.expand: show must be an integer from 0 to ${MAX_GROUP_SHOW}`, {
        field: 'grouping.expand',
      });
    }
    map.set(e.group, Math.max(map.get(e.group) ?? 0, e.show));
  }
  return { above, expand: map };
}

/** The id of the group of siblings under `attachedTo` through `relation`, of `kind`, in one direction. */
export function groupId(attachedTo: string, relation: string, kind: string, up: boolean): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([attachedTo, relation, kind, up]))
    .digest('hex');
  return `group:${digest.slice(0, 20)}`;
}

/** The most members by id a level must return for each set over the threshold: the widest expansion asked for. */
export function widestExpansion(grouping: Grouping): number {
  return Math.max(0, ...grouping.expand.values());
}

/**
 * Groups one level of the walk: each set of siblings of at most
 * `grouping.above` is shown; a larger one is a group, of which the first
 * `expand` members by id are shown. Sets come in a stable order (attached
 * node or group, relation, kind, upstream first), members by id.
 */
export function groupLevel(buckets: readonly LevelBucket[], depth: number, grouping: Grouping): GroupedLevel {
  const out: GroupedLevel = { shown: [], groups: [], edges: [], frontier: [], counted: new Set(), reached: 0 };
  const sorted = [...buckets].sort(
    (x, y) =>
      compareKeys([x.attachedTo, x.relation, x.kind], [y.attachedTo, y.relation, y.kind]) ||
      Number(y.up) - Number(x.up),
  );
  for (const b of sorted) {
    out.reached += b.count;
    const id = b.count > grouping.above ? groupId(b.attachedTo, b.relation, b.kind, b.up) : null;
    const show = id === null ? b.count : Math.min(grouping.expand.get(id) ?? 0, b.count);
    const members = [...b.members].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0)).slice(0, show);
    if (members.length < show)
      throw new Error(
        `lineage level: ${show} members of ${b.kind} via ${b.relation} to show, ${members.length} returned`,
      );
    const edgeTo = (to: string) =>
      b.up ? { from: b.attachedTo, to, relation: b.relation } : { from: to, to: b.attachedTo, relation: b.relation };
    // Between two shown nodes the real edges come from the graph; to a group, the grouping's.
    const attachedIsGroup = GROUP_ID.test(b.attachedTo);
    for (const m of members) {
      out.shown.push({ ...m, kind: b.kind, depth });
      if (attachedIsGroup) out.edges.push(edgeTo(m.id));
    }
    const shownAs = new Map(members.map((m) => [m.eid, m.id]));
    if (id !== null && show < b.count) {
      out.groups.push({
        id,
        kind: b.kind,
        relation: b.relation,
        count: b.count - show,
        shown: show,
        depth,
        attachedTo: b.attachedTo,
        upstream: b.up,
      });
      out.edges.push(edgeTo(id));
    }
    for (const eid of b.onward) out.frontier.push({ eid, up: b.up, unit: shownAs.get(eid) ?? id! });
    if (new Set([...shownAs.keys(), ...b.onward]).size < b.count) out.counted.add(b.attachedTo);
  }
  return out;
}

function compareKeys(a: string[], b: string[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return 0;
}
