import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { create as createTar } from 'tar';
import { conflict } from '../errors.js';
import type { ChangeTracker } from '../graph/embedded.js';
import type { WriteGate } from '../graph/executor.js';
import type { GraphSnapshot, NodeRecord, RelationshipRecord } from '../graph/snapshot.js';
import type { Logger } from '../logger.js';
import { ensurePrivateDir } from '../private-dir.js';
import { PEDIGREE_VERSION } from '../version.js';
import {
  BACKUP_FORMAT,
  BACKUP_FORMAT_VERSION,
  type BackupManifest,
  hashTree,
  LAYOUT,
  readJsonLines,
  sha256File,
  sha256List,
  snapshotTree,
} from './backup-format.js';
import { GraphDigest } from './digest.js';

export interface BackupDeps {
  snapshot: GraphSnapshot;
  /** Every writer of this process waits here while the backup holds its point. */
  writes: WriteGate;
  /**
   * The embedded Neo4j's change tracker; null with an external NEO4J_URI (the graph is then left to Neo4j's own tools).
   */
  changes: ChangeTracker | null;
  /** PEDIGREE_DATA_DIR: artifacts and signing keys are read from here, work files go under backups-tmp/. */
  dataDir: string;
  /** The Migration ids applied to the store (read under the pause). */
  migrations: () => Promise<string[]>;
  log: Logger;
}

/** What the last backup of this process did, for /metrics. */
export interface LastBackup {
  finishedAt: number;
  pauseMs: number;
  totalMs: number;
  sequence: string;
}

/**
 * Online, consistent backups of the embedded store (see docs/operations.md).
 *
 * Neo4j reads are read-committed, so one long read of a graph that is being
 * written is not a point in time, and Community has no online backup. This
 * process is the only writer of its embedded store, though, so:
 *
 * 1. the JVM starts recording what each committed transaction touches;
 * 2. every node and relationship is read while writes go on (minutes on a large graph);
 * 3. writes are held (the executors' WriteGate: they wait, none fails) once
 *    those in flight have committed; the recorder stops and what it saw is
 *    re-read as it is now, with the event log's sequence, the migrations,
 *    and a hard-link snapshot of the artifact tree; then writes go on.
 *
 * Records read in step 2 that nothing touched are unchanged since before
 * step 2, and the rest comes from step 3: together they are the graph at the
 * sequence read in step 3. Writes wait only for step 3, which grows with what
 * changed during step 2, not with the size of the graph.
 */
export class BackupService {
  private running = false;
  last: LastBackup | null = null;

  constructor(private readonly deps: BackupDeps) {}

  /** True while a backup runs (one at a time per process). */
  get busy(): boolean {
    return this.running;
  }

  /** Writes one backup (a gzipped tar, see backup-format.ts) to `out`; one at a time per process. */
  async write(out: Writable): Promise<BackupManifest> {
    if (this.running) throw conflict('a backup is already running in this process; wait for it to finish');
    this.running = true;
    const started = Date.now();
    const tmpRoot = join(this.deps.dataDir, 'backups-tmp');
    ensurePrivateDir(tmpRoot);
    const work = await mkdtemp(join(tmpRoot, 'backup-'));
    try {
      const manifest = await this.prepare(work, started);
      await pipeline(
        createTar({ gzip: true, cwd: join(work, 'out'), portable: true }, [
          LAYOUT.manifest,
          LAYOUT.files,
          'graph',
          LAYOUT.artifacts,
          LAYOUT.signingKeys,
        ]),
        out,
      );
      this.last = {
        finishedAt: Date.now(),
        pauseMs: manifest.timings.pauseMs,
        totalMs: Date.now() - started,
        sequence: manifest.sequence,
      };
      this.deps.log.info(
        {
          sequence: manifest.sequence,
          nodes: manifest.graph?.nodes,
          relationships: manifest.graph?.relationships,
          timings: manifest.timings,
        },
        'backup written',
      );
      return manifest;
    } finally {
      this.running = false;
      await rm(work, { recursive: true, force: true });
    }
  }

  /** Builds the archive's tree under work/out and returns its manifest. */
  private async prepare(work: string, started: number): Promise<BackupManifest> {
    const { snapshot, changes, writes, dataDir, log } = this.deps;
    const outDir = join(work, 'out');
    await mkdir(join(outDir, 'graph'), { recursive: true, mode: 0o700 });
    const fuzzyNodes = join(work, 'nodes-while-writing.jsonl');
    const fuzzyRels = join(work, 'relationships-while-writing.jsonl');

    // 1–2: read everything while writes go on, recording what they touch.
    let tracking = false;
    if (changes) {
      await changes.start();
      tracking = true;
    }
    let exportMs = 0;
    let pauseMs = 0;
    let touched = { nodes: [] as string[], relationships: [] as string[] };
    let reread: { nodes: NodeRecord[]; relationships: RelationshipRecord[] } = { nodes: [], relationships: [] };
    let sequence = '0';
    let migrations: string[] = [];
    let schema: Awaited<ReturnType<GraphSnapshot['schema']>> = [];
    let artifactFiles: string[] = [];
    let keyFiles: string[] = [];
    try {
      if (changes) {
        await writeLines(fuzzyNodes, snapshot.nodes());
        await writeLines(fuzzyRels, snapshot.relationships());
      }
      exportMs = Date.now() - started;
      if (changes) {
        // Only start-up changes these (migrations), so they need not be read under the pause.
        migrations = await this.deps.migrations();
        schema = await snapshot.schema();
      }

      // 3: hold writes, take the point.
      const release = await writes.pause();
      const pausedAt = Date.now();
      try {
        if (changes) {
          touched = await changes.stop();
          tracking = false;
          reread = {
            nodes: await snapshot.nodesById(touched.nodes),
            relationships: await snapshot.relationshipsById(touched.relationships),
          };
        }
        sequence = await snapshot.lastSequence();
        artifactFiles = await snapshotTree(join(dataDir, 'artifacts'), join(outDir, LAYOUT.artifacts));
        keyFiles = await snapshotTree(join(dataDir, 'signing-keys'), join(outDir, LAYOUT.signingKeys));
      } finally {
        release();
        pauseMs = Date.now() - pausedAt;
      }
      log.info(
        { sequence, pauseMs, changedNodes: touched.nodes.length, changedRelationships: touched.relationships.length },
        'backup point taken; writes resumed',
      );
    } finally {
      if (tracking) await changes!.stop().catch(() => undefined);
    }

    // Merge: records nothing touched, then the re-read ones; digest as written.
    let graph: BackupManifest['graph'] = null;
    if (changes) {
      const digest = new GraphDigest();
      const touchedNodes = new Set(touched.nodes);
      const touchedRels = new Set(touched.relationships);
      const nodes = merged(readJsonLines<NodeRecord>(fuzzyNodes), touchedNodes, reread.nodes, (n) => digest.addNode(n));
      await writeLines(join(outDir, LAYOUT.nodes), nodes);
      const rels = merged(readJsonLines<RelationshipRecord>(fuzzyRels), touchedRels, reread.relationships, (r) =>
        digest.addRelationship(r),
      );
      await writeLines(join(outDir, LAYOUT.relationships), rels);
      await rm(fuzzyNodes, { force: true });
      await rm(fuzzyRels, { force: true });
      const file = async (name: string) => ({ ...(await sha256File(join(outDir, name))), path: name });
      graph = {
        digest: digest.digest(),
        ...digest.counts(),
        files: { nodes: await file(LAYOUT.nodes), relationships: await file(LAYOUT.relationships) },
        schema,
        migrations,
      };
    } else {
      await writeFile(join(outDir, LAYOUT.nodes), '');
      await writeFile(join(outDir, LAYOUT.relationships), '');
    }

    const hashed = [
      ...(await hashTree(join(outDir, LAYOUT.artifacts), LAYOUT.artifacts, artifactFiles)),
      ...(await hashTree(join(outDir, LAYOUT.signingKeys), LAYOUT.signingKeys, keyFiles)),
    ];
    await writeFile(join(outDir, LAYOUT.files), sha256List(hashed), { mode: 0o600 });
    const artifacts = hashed.filter((f) => f.path.startsWith(`${LAYOUT.artifacts}/`));
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      formatVersion: BACKUP_FORMAT_VERSION,
      createdAt: new Date().toISOString(),
      pedigreeVersion: PEDIGREE_VERSION,
      neo4j: changes ? await snapshot.neo4jVersion() : null,
      sequence,
      graph,
      ...(changes
        ? {}
        : {
            graphOmitted:
              "NEO4J_URI is set: this process is not the store's only writer, so the graph is backed up with Neo4j's own tools (docs/operations.md)",
          }),
      files: {
        artifacts: artifacts.length,
        artifactBytes: artifacts.reduce((s, f) => s + f.bytes, 0),
        signingKeys: hashed.length - artifacts.length,
        list: { ...(await sha256File(join(outDir, LAYOUT.files))), path: LAYOUT.files },
      },
      timings: {
        exportMs,
        pauseMs,
        changedNodes: touched.nodes.length,
        changedRelationships: touched.relationships.length,
        totalMs: Date.now() - started,
      },
    };
    await writeFile(join(outDir, LAYOUT.manifest), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
    return manifest;
  }
}

/**
 * The records read while writes went on that nothing touched, then the ones
 * re-read at the point; `add` sees each (the digest). A record read twice
 * without being touched would mean the read was not what this design
 * assumes: the backup fails rather than guess.
 */
async function* merged<T extends { id: string }>(
  fuzzy: AsyncIterable<T>,
  touched: ReadonlySet<string>,
  reread: readonly T[],
  add: (r: T) => void,
): AsyncGenerator<T> {
  const seen = new Set<string>();
  for await (const r of fuzzy) {
    if (touched.has(r.id)) continue;
    if (seen.has(r.id))
      throw new Error(
        `backup: ${r.id} was read twice while nothing changed it; the backup is not consistent and was abandoned`,
      );
    seen.add(r.id);
    add(r);
    yield r;
  }
  for (const r of reread) {
    add(r);
    yield r;
  }
}

/** Writes each record as one JSON line, with backpressure. */
async function writeLines(path: string, records: AsyncIterable<unknown>): Promise<void> {
  const ws: WriteStream = createWriteStream(path, { mode: 0o600 });
  try {
    for await (const r of records) {
      if (!ws.write(`${JSON.stringify(r)}\n`)) await once(ws, 'drain');
    }
  } catch (err) {
    ws.destroy();
    throw err;
  }
  ws.end();
  await once(ws, 'close');
}
