import { createHash } from 'node:crypto';
import type { Encoded, NodeRecord, RelationshipRecord } from '../graph/snapshot.js';

/**
 * A digest of a whole graph that does not depend on element ids, so a graph
 * and its restore (whose ids differ) digest alike: each node hashes its
 * sorted labels and properties; each relationship its type, properties and
 * the hashes of its two ends; the digest is SHA-256 over the sorted node
 * hashes, then the sorted relationship hashes. Equal digests mean equal
 * graphs up to renaming ids (two nodes alike in every label and property are
 * interchangeable, as they are to every query).
 *
 * Add every node before the first relationship. Memory: ~100 bytes per node.
 */
export class GraphDigest {
  private readonly nodeHashes = new Map<string, Buffer>();
  private readonly relHashes: Buffer[] = [];
  private sealed = false;
  readonly labels = new Map<string, number>();
  readonly types = new Map<string, number>();

  addNode(n: NodeRecord): void {
    if (this.sealed) throw new Error('GraphDigest: every node must be added before the first relationship');
    const labels = [...n.labels].sort();
    for (const l of labels) this.labels.set(l, (this.labels.get(l) ?? 0) + 1);
    this.nodeHashes.set(n.id, sha(JSON.stringify(['n', labels, canonical(n.props)])));
  }

  addRelationship(r: RelationshipRecord): void {
    this.sealed = true;
    const a = this.nodeHashes.get(r.a);
    const b = this.nodeHashes.get(r.b);
    if (!a || !b)
      throw new Error(`relationship ${r.id} (${r.type}) has an end that is not among the nodes: ${a ? r.b : r.a}`);
    this.types.set(r.type, (this.types.get(r.type) ?? 0) + 1);
    this.relHashes.push(sha(JSON.stringify(['r', r.type, a.toString('hex'), b.toString('hex'), canonical(r.props)])));
  }

  get nodes(): number {
    return this.nodeHashes.size;
  }

  get relationships(): number {
    return this.relHashes.length;
  }

  /** "sha256:<hex>" of the graph added so far. */
  digest(): string {
    const h = createHash('sha256').update('pedigree-graph-digest/1\n');
    for (const x of [...this.nodeHashes.values()].sort(Buffer.compare)) h.update(x);
    h.update('\n');
    for (const x of [...this.relHashes].sort(Buffer.compare)) h.update(x);
    return `sha256:${h.digest('hex')}`;
  }

  /** Counts by label and by relationship type, sorted by name. */
  counts(): { nodes: number; relationships: number; labels: Record<string, number>; types: Record<string, number> } {
    return {
      nodes: this.nodes,
      relationships: this.relationships,
      labels: Object.fromEntries([...this.labels].sort(([x], [y]) => (x < y ? -1 : 1))),
      types: Object.fromEntries([...this.types].sort(([x], [y]) => (x < y ? -1 : 1))),
    };
  }
}

function sha(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Properties as [key, value] pairs sorted by key (values are already canonical JSON). */
function canonical(props: Record<string, Encoded>): [string, Encoded][] {
  return Object.keys(props)
    .sort()
    .map((k) => [k, props[k]!]);
}
