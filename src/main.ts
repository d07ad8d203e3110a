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

/** A graceful stop gets this long before the process exits anyway. */
const STOP_DEADLINE_MS = 30_000;
/**
 * After the embedded Neo4j died: requests in flight cannot finish (each would
 * wait out the driver's retries), so they get this long, then the process
 * exits non-zero and its supervisor starts it again (deploy/).
 */
const CRASH_DEADLINE_MS = 3_000;

/**
 * Stops whatever has started so far, in reverse order, logging how long each
 * step took; safe at any point of start-up. Exits with `code`, or with 1 when
 * `deadlineMs` passes first.
 */
async function stop(reason: string, code: number, deadlineMs = STOP_DEADLINE_MS): Promise<never> {
  if (!stopping) {
    stopping = true;
    log.info({ reason }, 'stopping');
    setTimeout(() => {
      log.error({ reason, deadlineMs }, 'stop did not finish in time; exiting');
      process.exit(code || 1);
    }, deadlineMs).unref();
    const step = async (name: string, work: () => Promise<unknown>) => {
      const t = Date.now();
      await work().catch((err: unknown) => log.error({ err }, `${name} failed`));
      log.info({ ms: Date.now() - t }, name);
    };
    if (server)
      await step('http drained (open requests finished, websockets closed) and background work stopped', () =>
        server!.close(),
      );
    if (driver) await step('driver closed', () => driver!.close());
    // Neo4j's own shutdown writes a checkpoint, so the next start needs no recovery: most of a graceful stop.
    if (embedded) await step('embedded Neo4j stopped (checkpoint written)', () => embedded!.stop());
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
    log.info({ uri, pid: embedded.pid, ms: Date.now() - started }, 'embedded Neo4j ready');
    void embedded.exited.then((code) => {
      if (!stopping) {
        // /readyz answers 503 from now on (the database does not answer); exit so a supervisor restarts us.
        log.fatal(
          { code, deadlineMs: CRASH_DEADLINE_MS },
          'embedded Neo4j exited unexpectedly; exiting so the supervisor restarts Pedigree',
        );
        void stop('embedded Neo4j exited', 1, CRASH_DEADLINE_MS);
      }
    });
  }
  driver = createDriver(uri, user, password, log, { retryMs: config.neo4jRetryMs });
  await waitForDatabase(driver, config.neo4j.database, 60_000);
  const app = await createApp(config, driver, log, { changeTracker: embedded?.changes });
  if (stopping) process.exit(0);
  server = await app.listen(config.port);
  log.info({ url: server.url }, 'Pedigree is serving GraphQL (HTTP and graphql-ws)');
} catch (err) {
  log.fatal({ err }, 'start-up failed');
  await stop('start-up failed', 1);
}
