/**
 * The bench's own database: a fresh embedded Neo4j (src/graph/embedded.ts) in
 * a temporary directory, migrated with the app's migrations, removed at stop.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import neo4j, { type Driver } from 'neo4j-driver';
import { startEmbeddedNeo4j, type EmbeddedNeo4j } from '../src/graph/embedded.js';
import { Executor } from '../src/graph/executor.js';
import { loadConfig, type Config } from '../src/config.js';
import { createDriver } from '../src/graph/driver.js';
import { applyMigrations } from '../src/graph/migrations.js';
import { createLogger, type Logger } from '../src/logger.js';
import { benchCypher } from './generate.js';

export interface BenchDb {
  neo: EmbeddedNeo4j | null;
  uri: string;
  /** NEO4J_URI, NEO4J_USER and NEO4J_PASSWORD of this database, for loadConfig or a server child. */
  env: { NEO4J_URI: string; NEO4J_USER: string; NEO4J_PASSWORD: string };
  driver: Driver;
  dataDir: string | null;
  stop(): Promise<void>;
}

/** `uri` (with `user`/`password`) uses a running Neo4j; without it a fresh embedded one is started. */
export async function startBenchDb(
  opts: { uri?: string; user?: string; password?: string; heapMb?: number; pagecacheMb?: number } = {},
): Promise<BenchDb> {
  let neo: EmbeddedNeo4j | null = null;
  let dataDir: string | null = null;
  let { uri, user = 'neo4j', password = '' } = opts;
  if (!uri) {
    dataDir = mkdtempSync(join(tmpdir(), 'pedigree-bench-'));
    neo = await startEmbeddedNeo4j({ dataDir, heapMb: opts.heapMb ?? 2048, pagecacheMb: opts.pagecacheMb ?? 2048 });
    ({ uri, user, password } = neo);
  }
  const driver = neo4j.driver(uri, neo4j.auth.basic(user, password), { maxConnectionPoolSize: 64 });
  const log = createLogger('warn');
  await applyMigrations(new Executor(driver, 'neo4j', log), log);
  const s = driver.session({ database: 'neo4j' });
  try {
    await s.run(benchCypher('await-indexes'));
  } finally {
    await s.close();
  }
  return {
    neo,
    uri,
    env: { NEO4J_URI: uri, NEO4J_USER: user, NEO4J_PASSWORD: password },
    driver,
    dataDir,
    stop: async () => {
      await driver.close();
      if (neo) await neo.stop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * What an in-process probe needs to start the app on a bench database: its
 * configuration (quiet, any port, `token` as the admin token), a logger and
 * the app's own driver. `createApp(config, driver, log)` may then run more
 * than once on them.
 */
export function benchAppSetup(db: BenchDb, token: string): { config: Config; log: Logger; driver: Driver } {
  const config = loadConfig({
    ...process.env,
    ...db.env,
    PEDIGREE_ADMIN_TOKEN: token,
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: '0',
  });
  const log = createLogger('warn');
  return { config, log, driver: createDriver(config.neo4j.uri!, config.neo4j.user, config.neo4j.password, log) };
}
