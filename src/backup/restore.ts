import { chmod, mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { extract } from 'tar';
import { loadMigrations } from '../graph/cypher.js';
import { createDriver } from '../graph/driver.js';
import { startEmbeddedNeo4j } from '../graph/embedded.js';
import { Executor } from '../graph/executor.js';
import { GraphSnapshot, type NodeRecord, type RelationshipRecord, type SchemaItem } from '../graph/snapshot.js';
import type { Logger } from '../logger.js';
import { ensurePrivateDir } from '../private-dir.js';
import { LAYOUT, readJsonLines, verifyUnpacked, type BackupManifest } from './backup-format.js';
import { GraphDigest } from './digest.js';

export interface RestoreOptions {
  /** The backup file (a .tar.gz written by `npm run backup`). */
  from: string;
  /** The data directory to restore into (PEDIGREE_DATA_DIR of the server that will use it). */
  dataDir: string;
  /** Replace the store, artifacts and signing keys of a data directory that has them. */
  force: boolean;
  heapMb: number;
  pagecacheMb: number;
  log: Logger;
  /** Progress lines for the operator. */
  say?: (line: string) => void;
}

export interface RestoreReport {
  sequence: string;
  digest: string | null;
  nodes: number;
  relationships: number;
  artifacts: number;
  ms: { verify: number; load: number; schema: number; check: number; total: number };
}

/** What a restore puts in a data directory (and, with --force, replaces). */
const RESTORED = ['neo4j', 'artifacts', 'signing-keys'] as const;
/** Rows per load transaction. */
const BATCH = 5000;

/**
 * Restores a backup into a data directory, offline (no server may use it):
 * unpacks and verifies the archive (every hash, and the digest recomputed
 * from the graph files), loads the graph into a new embedded store, creates
 * the schema from the migrations the backup lists (forward-only: a backup
 * from a newer Pedigree is refused), checks the restored graph's digest and
 * schema against the manifest, and only then moves the store, artifacts and
 * signing keys into place. A refused or failed restore leaves the data
 * directory as it was.
 */
export async function restoreBackup(o: RestoreOptions): Promise<RestoreReport> {
  const say = o.say ?? (() => undefined);
  const t0 = Date.now();
  const dataDir = resolve(o.dataDir);
  const present = existsSync(dataDir) ? (await readdir(dataDir)).filter((e) => !e.startsWith('restore-')) : [];
  if (present.length && !o.force) {
    throw new Error(
      `${dataDir} is not empty (${present.slice(0, 5).join(', ')}${present.length > 5 ? ', …' : ''}): restore into an empty or new directory, or pass --force to replace its ${RESTORED.join(', ')}`,
    );
  }
  ensurePrivateDir(dataDir);
  const work = await mkdtemp(join(dataDir, 'restore-'));
  try {
    say(`unpacking ${o.from}`);
    await extract({ file: o.from, cwd: work, strict: true });
    const { manifest } = await verifyUnpacked(work);
    const known = new Set(loadMigrations().map((m) => m.id));
    const unknown = (manifest.graph?.migrations ?? []).filter((id) => !known.has(id));
    if (unknown.length) {
      throw new Error(
        `this backup was taken by a newer Pedigree (${manifest.pedigreeVersion}): its store has migrations this version does not know (${unknown.join(', ')}); restore it with that version or a later one`,
      );
    }
    const verifyMs = Date.now() - t0;
    say(
      `verified: sequence ${manifest.sequence}, ${manifest.graph ? `${manifest.graph.nodes} nodes, ${manifest.graph.relationships} relationships, ` : 'no graph, '}${manifest.files.artifacts} artifact files`,
    );

    const ms = { verify: verifyMs, load: 0, schema: 0, check: 0, total: 0 };
    if (manifest.graph) await loadGraph(join(work, 'neo4j'), work, manifest, o, ms, say);
    else
      say(
        `the backup holds no graph (${manifest.graphOmitted ?? 'omitted'}): restore it with Neo4j's own tools (docs/operations.md)`,
      );

    for (const name of [LAYOUT.artifacts, LAYOUT.signingKeys])
      await mkdir(join(work, name), { recursive: true, mode: 0o700 });
    for (const f of await readdir(join(work, LAYOUT.signingKeys)))
      await chmod(join(work, LAYOUT.signingKeys, f), 0o600);
    // Everything checked: only now is anything in the data directory replaced.
    for (const name of RESTORED) {
      if (name === 'neo4j' && !manifest.graph) continue;
      await rm(join(dataDir, name), { recursive: true, force: true });
      await rename(join(work, name), join(dataDir, name));
    }
    ms.total = Date.now() - t0;
    return {
      sequence: manifest.sequence,
      digest: manifest.graph?.digest ?? null,
      nodes: manifest.graph?.nodes ?? 0,
      relationships: manifest.graph?.relationships ?? 0,
      artifacts: manifest.files.artifacts,
      ms,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function loadGraph(
  storeDir: string,
  work: string,
  manifest: BackupManifest,
  o: RestoreOptions,
  ms: RestoreReport['ms'],
  say: (l: string) => void,
): Promise<void> {
  const graph = manifest.graph!;
  say('starting an embedded Neo4j on the new store');
  const neo = await startEmbeddedNeo4j({ dataDir: storeDir, heapMb: o.heapMb, pagecacheMb: o.pagecacheMb });
  const driver = createDriver(neo.uri, neo.user, neo.password, o.log);
  try {
    const executor = new Executor(driver, 'neo4j', o.log);
    const snapshot = new GraphSnapshot(executor);
    if (!(await snapshot.isEmpty())) throw new Error('the new store is not empty');

    let t = Date.now();
    await snapshot.beginLoad();
    let nodes = 0;
    for await (const batch of batches(readJsonLines<NodeRecord>(join(work, LAYOUT.nodes)))) {
      await snapshot.loadNodes(batch);
      nodes += batch.length;
      if (nodes % 100_000 < BATCH) say(`  ${nodes} / ${graph.nodes} nodes`);
    }
    let rels = 0;
    for await (const batch of batches(readJsonLines<RelationshipRecord>(join(work, LAYOUT.relationships)))) {
      await snapshot.loadRelationships(batch);
      rels += batch.length;
      if (rels % 100_000 < BATCH) say(`  ${rels} / ${graph.relationships} relationships`);
    }
    await snapshot.finishLoad();
    ms.load = Date.now() - t;
    say(`loaded ${nodes} nodes and ${rels} relationships in ${ms.load} ms`);

    // The schema comes from the migration files the backup lists (their data is in the backup already).
    t = Date.now();
    const applied = new Set(graph.migrations);
    for (const m of loadMigrations()) {
      if (!applied.has(m.id)) continue;
      for (const text of m.statements) if (isSchemaStatement(text)) await executor.runSchema(text, m.id);
    }
    await snapshot.awaitIndexes();
    ms.schema = Date.now() - t;

    t = Date.now();
    const digest = new GraphDigest();
    for await (const n of snapshot.nodes()) digest.addNode(n);
    for await (const r of snapshot.relationships()) digest.addRelationship(r);
    if (digest.digest() !== graph.digest) {
      throw new Error(
        `the restored graph digests to ${digest.digest()} (${digest.nodes} nodes, ${digest.relationships} relationships), the backup's to ${graph.digest} (${graph.nodes}, ${graph.relationships}); nothing was replaced`,
      );
    }
    const missing = schemaDifference(graph.schema, await snapshot.schema());
    if (missing.length)
      throw new Error(
        `the restored schema lacks what the backup's store had: ${missing.join('; ')}; nothing was replaced`,
      );
    ms.check = Date.now() - t;
    say(`digest ${graph.digest} matches; schema matches`);
  } finally {
    await driver.close();
    await neo.stop();
  }
}

/** Constraint and index statements of a migration file (its data statements' results are in the backup). */
export function isSchemaStatement(text: string): boolean {
  return /^(CREATE|DROP)\s+((RANGE|TEXT|POINT|FULLTEXT|VECTOR|LOOKUP)\s+)?(CONSTRAINT|INDEX)\b/i.test(text.trim());
}

/** Items of `expected` that `actual` lacks, described. */
function schemaDifference(expected: readonly SchemaItem[], actual: readonly SchemaItem[]): string[] {
  const key = (s: SchemaItem) => JSON.stringify([s.kind, s.name, s.type, s.entityType, s.labelsOrTypes, s.properties]);
  const have = new Set(actual.map(key));
  return expected
    .filter((s) => !have.has(key(s)))
    .map((s) => `${s.kind} ${s.name} (${s.type} on ${s.labelsOrTypes.join(',')}(${s.properties.join(',')}))`);
}

async function* batches<T>(rows: AsyncIterable<T>): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const r of rows) {
    batch.push(r);
    if (batch.length >= BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}
