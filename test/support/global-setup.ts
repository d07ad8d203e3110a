import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedNeo4j, type EmbeddedNeo4j } from '../../src/graph/embedded.js';

declare module 'vitest' {
  export interface ProvidedContext {
    neo4jUri: string;
    /** Credentials for neo4jUri: the embedded Neo4j's per-start password, or NEO4J_USER/NEO4J_PASSWORD. */
    neo4jUser: string;
    neo4jPassword: string;
    neo4jDataDir: string;
  }
}

/**
 * One throw-away embedded Neo4j for the whole run (or NEO4J_URI when set).
 * PEDIGREE_TEST_NO_DB=1 skips it for runs of pure tests only.
 */
export default async function setup(project: TestProject) {
  if (process.env.PEDIGREE_TEST_NO_DB === '1') return;
  if (process.env.NEO4J_URI) {
    project.provide('neo4jUri', process.env.NEO4J_URI);
    project.provide('neo4jUser', process.env.NEO4J_USER ?? 'neo4j');
    project.provide('neo4jPassword', process.env.NEO4J_PASSWORD ?? '');
    project.provide('neo4jDataDir', '');
    return;
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'pedigree-test-'));
  const started = Date.now();
  const neo: EmbeddedNeo4j = await startEmbeddedNeo4j({ dataDir, heapMb: 1024, pagecacheMb: 256 });
  console.log(`[global-setup] embedded Neo4j at ${neo.uri} in ${Date.now() - started} ms (data ${dataDir})`);
  project.provide('neo4jUri', neo.uri);
  project.provide('neo4jUser', neo.user);
  project.provide('neo4jPassword', neo.password);
  project.provide('neo4jDataDir', dataDir);
  return async () => {
    await neo.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
