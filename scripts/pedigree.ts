import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { runOpsCommand } from '../src/backup/cli.js';

// Pedigree's operations CLI: `npm run backup`, `npm run restore` (see src/backup/cli.ts
// and docs/operations.md). In a built image: node dist/scripts/pedigree.js backup ...
const config = loadConfig();
const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
try {
  process.exitCode = await runOpsCommand(process.argv.slice(2), config, log, (line) => console.log(line));
} catch (err) {
  console.error(`pedigree: ${(err as Error).message}`);
  process.exitCode = 1;
}
