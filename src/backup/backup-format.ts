import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { link, copyFile, lstat, mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { NodeRecord, RelationshipRecord, SchemaItem } from '../graph/snapshot.js';
import { GraphDigest } from './digest.js';

/**
 * A Pedigree backup is a gzipped tar (readable with `tar -tzf`):
 *
 * ```
 * manifest.json                  BackupManifest (first entry)
 * graph/nodes.jsonl              one NodeRecord per line (values encoded: src/graph/snapshot.ts)
 * graph/relationships.jsonl      one RelationshipRecord per line, ends by node id
 * files.sha256                   "<sha256>  <path>" per artifact and signing-key file (sha256sum -c format)
 * artifacts/<path>               the served artifact tree (<dataDir>/artifacts), never the upload staging
 * signing-keys/<keyid>.pem       private signing keys kept as files (no PEDIGREE_SIGNING_SECRET)
 * ```
 *
 * Everything in it is as of one point: the event log's `sequence`, with no
 * write in between (see src/backup/backup.ts). It holds private keys and every
 * artifact: keep it as you keep the data directory.
 */
export const BACKUP_FORMAT = 'pedigree-backup';
/** Bumped when a reader of the previous version could not read the new one. */
export const BACKUP_FORMAT_VERSION = 1;

export const LAYOUT = {
  manifest: 'manifest.json',
  nodes: 'graph/nodes.jsonl',
  relationships: 'graph/relationships.jsonl',
  files: 'files.sha256',
  artifacts: 'artifacts',
  signingKeys: 'signing-keys',
} as const;

export interface FileDigest {
  path: string;
  bytes: number;
  sha256: string;
}

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  formatVersion: number;
  createdAt: string;
  pedigreeVersion: string;
  /** The Neo4j that held the graph ("Neo4j Kernel 5.26.30 community"), or null when the graph is not included. */
  neo4j: string | null;
  /** The event log's last sequence at the backup's point (decimal string). */
  sequence: string;
  /** The graph at `sequence`, or null when it is not in this backup (an external NEO4J_URI: see `graphOmitted`). */
  graph: null | {
    /** GraphDigest of every node and relationship (src/backup/digest.ts). */
    digest: string;
    nodes: number;
    relationships: number;
    labels: Record<string, number>;
    types: Record<string, number>;
    files: { nodes: FileDigest; relationships: FileDigest };
    /** Constraints and indexes; the restore recreates them from the migrations below and checks they match. */
    schema: SchemaItem[];
    /** Migrations applied to the store (cypher/migrations ids). */
    migrations: string[];
  };
  graphOmitted?: string;
  /** Artifact and signing-key files, each listed with its hash in files.sha256. */
  files: { artifacts: number; artifactBytes: number; signingKeys: number; list: FileDigest };
  timings: {
    /** Reading the graph while writes went on. */
    exportMs: number;
    /** How long writes were held: re-reading what changed during the export, the artifact snapshot. */
    pauseMs: number;
    /** Nodes and relationships changed during the export, re-read under the pause. */
    changedNodes: number;
    changedRelationships: number;
    totalMs: number;
  };
}

export async function sha256File(path: string): Promise<FileDigest & { path: string }> {
  const h = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    bytes += (chunk as Buffer).length;
    h.update(chunk as Buffer);
  }
  return { path, bytes, sha256: h.digest('hex') };
}

/** Lines of a JSON-lines file, parsed. */
export async function* readJsonLines<T>(path: string): AsyncGenerator<T> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) if (line) yield JSON.parse(line) as T;
}

/** Uploads in progress in the artifact store's own tree (src/artifacts/artifact-store.ts): never part of a backup. */
const UPLOAD_IN_PROGRESS = /\.upload-\d+-\d+-[a-z0-9]+$/;

/**
 * Mirrors the tree `from` into `to` with hard links (the same volume: no
 * bytes copied, so it is quick enough to do while writes are held), copying
 * where a link is impossible. The artifact store replaces a file by renaming
 * a new one over it and deletes by unlinking, so a linked file keeps the
 * bytes it had at this point. Returns the relative paths of the files, sorted.
 */
export async function snapshotTree(from: string, to: string): Promise<string[]> {
  const files: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const dir = join(from, rel);
    const entries = await readdir(dir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [];
      throw err;
    });
    await mkdir(join(to, rel), { recursive: true, mode: 0o700 });
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(r);
      else if (e.isFile() && !UPLOAD_IN_PROGRESS.test(e.name)) {
        await link(join(from, r), join(to, r)).catch(async (err: NodeJS.ErrnoException) => {
          if (err.code === 'ENOENT') return; // deleted meanwhile
          if (err.code === 'EXDEV' || err.code === 'EPERM' || err.code === 'EMLINK')
            await copyFile(join(from, r), join(to, r));
          else throw err;
        });
        files.push(r);
      }
    }
  };
  await walk('');
  return files.sort();
}

/** Hashes the files of a tree (relative paths) for files.sha256. */
export async function hashTree(root: string, prefix: string, files: readonly string[]): Promise<FileDigest[]> {
  const out: FileDigest[] = [];
  for (const f of files) {
    const present = await lstat(join(root, f)).catch(() => null);
    if (!present) continue;
    const d = await sha256File(join(root, f));
    out.push({ path: `${prefix}/${f}`, bytes: d.bytes, sha256: d.sha256 });
  }
  return out;
}

/**
 * Checks an unpacked backup against its manifest: the graph files' hashes,
 * every file in files.sha256, and the digest recomputed from the graph files.
 * Throws naming the first thing that differs; returns the digest.
 */
export async function verifyUnpacked(dir: string): Promise<{ manifest: BackupManifest; digest: GraphDigest | null }> {
  const manifest = readManifest(await readFile(join(dir, LAYOUT.manifest), 'utf8'));
  const listed = await sha256File(join(dir, LAYOUT.files));
  if (listed.sha256 !== manifest.files.list.sha256)
    throw new Error(
      `${LAYOUT.files} does not match the manifest (sha256 ${listed.sha256}, expected ${manifest.files.list.sha256})`,
    );
  for (const line of (await readFile(join(dir, LAYOUT.files), 'utf8')).split('\n')) {
    if (!line) continue;
    const m = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
    if (!m) throw new Error(`${LAYOUT.files}: malformed line ${JSON.stringify(line.slice(0, 200))}`);
    const actual = await sha256File(join(dir, m[2]!)).catch(() => null);
    if (!actual) throw new Error(`${m[2]} is listed in ${LAYOUT.files} but missing from the backup`);
    if (actual.sha256 !== m[1]) throw new Error(`${m[2]} has sha256 ${actual.sha256}, the backup lists ${m[1]}`);
  }
  if (!manifest.graph) return { manifest, digest: null };
  for (const [name, expected] of [
    [LAYOUT.nodes, manifest.graph.files.nodes],
    [LAYOUT.relationships, manifest.graph.files.relationships],
  ] as const) {
    const actual = await sha256File(join(dir, name));
    if (actual.sha256 !== expected.sha256)
      throw new Error(`${name} has sha256 ${actual.sha256}, the manifest says ${expected.sha256}`);
  }
  const digest = new GraphDigest();
  for await (const n of readJsonLines<NodeRecord>(join(dir, LAYOUT.nodes))) digest.addNode(n);
  for await (const r of readJsonLines<RelationshipRecord>(join(dir, LAYOUT.relationships))) digest.addRelationship(r);
  if (digest.digest() !== manifest.graph.digest)
    throw new Error(`the graph files digest to ${digest.digest()}, the manifest says ${manifest.graph.digest}`);
  return { manifest, digest };
}

/** Parses and checks manifest.json; refuses a format this code cannot read. */
export function readManifest(text: string): BackupManifest {
  const m = JSON.parse(text) as Partial<BackupManifest>;
  if (m.format !== BACKUP_FORMAT)
    throw new Error(`not a Pedigree backup (manifest format ${JSON.stringify(m.format)})`);
  if (m.formatVersion !== BACKUP_FORMAT_VERSION) {
    throw new Error(
      `this backup has format version ${m.formatVersion}; this Pedigree reads version ${BACKUP_FORMAT_VERSION}: restore it with a Pedigree of its version (${m.pedigreeVersion}) or newer`,
    );
  }
  return m as BackupManifest;
}

/** files.sha256 text for these entries. */
export function sha256List(entries: readonly FileDigest[]): string {
  return entries.map((e) => `${e.sha256}  ${e.path}\n`).join('');
}
