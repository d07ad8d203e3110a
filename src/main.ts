import { join } from 'node:path';
import type { Driver } from 'neo4j-driver';
import { ensurePrivateDir } from './private-dir.js';
import { createApp, type RunningServer } from './app.js';
import { loadConfig } from './config.js';
import { createDriver, waitForDatabase } from './graph/driver.js';
import { startEmbeddedNeo4j, type EmbeddedNeo4j } from './graph/embedded.js';
import { createLogger } from './logger.js';

// config → (embedded) Neo4j → driver → migrations, services, schema → http + ws → graceful stop
const config = loadConfig();
const log = createLogger(config.logLevel);

let embedded: EmbeddedNeo4j | undefined;
let driver: Driver | undefined;
let server: RunningServer | undefined;
let stopping = false;

/** Stops whatever has started so far, in reverse order; safe at any point of start-up. */
async function stop(reason: string, code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    log.info({ reason }, 'stopping');
    setTimeout(() => process.exit(1), 30_000).unref();
    await server?.close().catch((err) => log.error({ err }, 'server close failed'));
    await driver?.close().catch(() => undefined);
    if (embedded) {
      await embedded.stop();
      log.info('embedded Neo4j stopped');
    }
  }
  process.exit(code);
}
process.on('SIGINT', () => void stop('SIGINT', 0));
process.on('SIGTERM', () => void stop('SIGTERM', 0));

try {
  let { uri, user, password } = config.neo4j;
  if (!uri) {
    const started = Date.now();
    ensurePrivateDir(config.dataDir);
    log.info({ dataDir: config.dataDir }, 'starting embedded Neo4j (NEO4J_URI is not set)');
    embedded = await startEmbeddedNeo4j({
      dataDir: join(config.dataDir, 'neo4j'),
      heapMb: config.embedded.heapMb,
      pagecacheMb: config.embedded.pagecacheMb,
      onLog: (line) => log.debug({ neo4j: line }, 'embedded neo4j'),
    });
    ({ uri, user, password } = embedded);
    log.info({ uri, ms: Date.now() - started }, 'embedded Neo4j ready');
    void embedded.exited.then((code) => {
      if (!stopping) {
        log.fatal({ code }, 'embedded Neo4j exited unexpectedly');
        void stop('embedded Neo4j exited', 1);
      }
    });
  }
  driver = createDriver(uri, user, password, log);
  await waitForDatabase(driver, config.neo4j.database, 60_000);
  const app = await createApp(config, driver, log);
  if (stopping) process.exit(0);
  server = await app.listen(config.port);
  log.info({ url: server.url }, 'Pedigree is serving GraphQL (HTTP and graphql-ws)');
} catch (err) {
  log.fatal({ err }, 'start-up failed');
  await stop('start-up failed', 1);
}
