/**
 * The Pedigree server under test, as a child process of bench/run.ts so the
 * load client's CPU and the server's are measured apart. Prints
 * "BENCH_SERVER_READY <url>" once listening.
 *
 * BENCH_DATALOADER=off switches per-request batching off for the round-trip
 * measurement only: every DataLoader gets maxBatchSize 1 and no cache, so each
 * field resolver's load() becomes its own Cypher statement, which is what a
 * loader-less resolver would run. The app's code is not changed.
 *
 * Source-mapped stack traces are off, as under `npm start` (see below).
 */
import DataLoader from 'dataloader';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createDriver, waitForDatabase } from '../src/graph/driver.js';
import { createLogger } from '../src/logger.js';

if (process.env.BENCH_DATALOADER === 'off') {
  type Internals = { _maxBatchSize: number; _cacheMap: unknown; __benchUnbatched?: boolean };
  const load = DataLoader.prototype.load;
  DataLoader.prototype.load = function (this: DataLoader<unknown, unknown> & Internals, key: unknown) {
    if (!this.__benchUnbatched) {
      this._maxBatchSize = 1;
      this._cacheMap = null;
      this.__benchUnbatched = true;
    }
    return load.call(this, key);
  } as typeof load;
}

// tsx turns on source-mapped stack traces; `npm start` runs compiled JS
// without them. Every neo4j-driver result captures a stack, so leaving them on
// would charge each request a source-map lookup production never pays.
process.setSourceMapsEnabled(false);

const config = loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', HOST: '127.0.0.1', PORT: '0' });
const log = createLogger(config.logLevel);
const driver = createDriver(config.neo4j.uri!, config.neo4j.user, config.neo4j.password, log);
await waitForDatabase(driver, config.neo4j.database, 60_000);
const app = await createApp(config, driver, log);
const server = await app.listen(0, '127.0.0.1');
process.stdout.write(`BENCH_SERVER_READY ${server.url}\n`);

const stop = async () => {
  await server.close().catch(() => undefined);
  await driver.close().catch(() => undefined);
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
// The parent closes our stdin when it exits, whatever happened to it.
process.stdin.on('end', () => void stop());
process.stdin.resume();
