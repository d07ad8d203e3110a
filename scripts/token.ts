import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { DomainError } from '../src/errors.js';
import { createDriver, waitForDatabase } from '../src/graph/driver.js';
import { startEmbeddedNeo4j, type EmbeddedNeo4j } from '../src/graph/embedded.js';
import { Executor } from '../src/graph/executor.js';
import { applyMigrations } from '../src/graph/migrations.js';
import { runTokenCommand, TOKEN_CLI_USAGE } from '../src/governance/token-cli.js';
import { TokenService } from '../src/governance/token.service.js';
import { createLogger } from '../src/logger.js';
import { ensurePrivateDir } from '../src/private-dir.js';

// Manages API tokens against the configured database: NEO4J_URI when set,
// otherwise the embedded Neo4j under PEDIGREE_DATA_DIR, started here with its
// own per-start password (the store must not be in use by a running server:
// stop it, or use the createApiToken mutation while it serves).
const argv = process.argv.slice(2);
if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h') {
  console.log(TOKEN_CLI_USAGE);
  process.exit(argv.length === 0 ? 2 : 0);
}
const config = loadConfig();
const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
let embedded: EmbeddedNeo4j | undefined;
let code = 0;
try {
  let { uri, user, password } = config.neo4j;
  if (!uri) {
    ensurePrivateDir(config.dataDir);
    embedded = await startEmbeddedNeo4j({ dataDir: join(config.dataDir, 'neo4j'), heapMb: 256, pagecacheMb: 32 });
    ({ uri, user, password } = embedded);
  }
  const driver = createDriver(uri, user, password, log);
  try {
    await waitForDatabase(driver, config.neo4j.database, 60_000);
    const executor = new Executor(driver, config.neo4j.database, log);
    await applyMigrations(executor, log);
    const tokens = new TokenService(executor, { cacheMs: 0 }, log);
    console.log(await runTokenCommand(argv, tokens));
  } finally {
    await driver.close();
  }
} catch (err) {
  console.error(err instanceof DomainError ? `${err.code}: ${err.message}` : (err as Error).message);
  code = 1;
} finally {
  await embedded?.stop();
}
process.exit(code);
