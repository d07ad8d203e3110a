import { createApp, type App, type RunningServer } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createDriver } from '../../src/graph/driver.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { TEST_ADMIN_TOKEN, TEST_SIGNING_SECRET } from './graphql.js';
import { testNeo4jEnv } from './neo4j.js';

export interface TestServer {
  app: App;
  server: RunningServer;
  url: string;
  config: Config;
  close(): Promise<void>;
}

export interface TestServerOptions {
  /**
   * Test-only: build the registry without governance's guard (createServices'
   * testOnlyUngoverned), so CANARY, PRODUCTION and protected aliases can be
   * reached directly. For tests of the registry's own
   * gates; the guard itself is tested in test/e2e/promotion.e2e.test.ts.
   */
  withoutPromotionGuard?: boolean;
  /** The server's logger, for tests that read what it logs (default: LOG_LEVEL, or silent, on stdout). */
  log?: Logger;
}

/**
 * A real Pedigree server on a free loopback port, in this test process,
 * against the run's Neo4j. Environment overrides go through loadConfig, the
 * same path as production. PEDIGREE_ADMIN_TOKEN is TEST_ADMIN_TOKEN (which the
 * helpers in ./graphql.ts send by default) and PEDIGREE_SIGNING_SECRET is
 * TEST_SIGNING_SECRET unless `env` says otherwise (`''` for none).
 */
export async function startTestServer(
  env: Record<string, string> = {},
  opts: TestServerOptions = {},
): Promise<TestServer> {
  const config = loadConfig({
    ...testNeo4jEnv(),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    PEDIGREE_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    PEDIGREE_SIGNING_SECRET: TEST_SIGNING_SECRET,
    ...env,
  });
  const log = opts.log ?? createLogger(config.logLevel);
  const driver = createDriver(config.neo4j.uri!, config.neo4j.user, config.neo4j.password, log, {
    retryMs: config.neo4jRetryMs,
  });
  const app = await createApp(config, driver, log, { testOnlyUngoverned: opts.withoutPromotionGuard });
  const server = await app.listen(0, '127.0.0.1');
  return {
    app,
    server,
    url: server.url,
    config,
    close: async () => {
      await server.close();
      await driver.close();
    },
  };
}
