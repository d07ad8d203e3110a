// A Pedigree API in its own process (a second replica for cross-process tests):
// configured from the environment like `npm start`, prints {"url": ...} once
// listening, stops on SIGTERM.
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createDriver } from '../../src/graph/driver.js';
import { createLogger } from '../../src/logger.js';

const config = loadConfig();
const log = createLogger(config.logLevel);
const driver = createDriver(config.neo4j.uri!, config.neo4j.user, config.neo4j.password, log);
const app = await createApp(config, driver, log);
const server = await app.listen(0, '127.0.0.1');
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
process.on('SIGTERM', () => {
  void (async () => {
    await server.close();
    await driver.close();
    process.exit(0);
  })();
});
