/**
 * Probe: what one OpenLineage event costs, statement by statement. Ingests
 * the bench's pipelines (bench/openlineage-events.ts) one event at a time
 * through the app in-process and prints each statement's median time (the
 * executor logs each at debug level with `ms`) and the median per event.
 *   npx tsx bench/probes/openlineage-statements.ts [--pipelines 100]
 */
import { pino } from 'pino';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createDriver } from '../../src/graph/driver.js';
import { startBenchDb } from '../db.js';
import { cypherTimes } from './cypher-times.js';
import { median } from '../load.js';
import { pipeline } from '../openlineage-events.js';

const n = process.argv.includes('--pipelines') ? Number(process.argv[process.argv.indexOf('--pipelines') + 1]) : 100;
const { sink, times } = cypherTimes();
const db = await startBenchDb({ heapMb: 1024, pagecacheMb: 256 });
try {
  const config = loadConfig({
    ...process.env,
    NEO4J_URI: db.uri,
    PEDIGREE_ADMIN_TOKEN: 'pdg_probe-admin-token-0123456789abcdefghijklmnop',
    LOG_LEVEL: 'debug',
  });
  const log = pino({ level: 'debug' }, sink);
  const driver = createDriver(config.neo4j.uri!, config.neo4j.user, config.neo4j.password, log);
  const app = await createApp(config, driver, log);
  const perEvent: number[] = [];
  for (let i = 0; i < n; i++) {
    for (const e of pipeline(0, i)) {
      const t = performance.now();
      await app.services.openLineage.ingest({ name: 'probe' }, e);
      if (i >= n / 5) perEvent.push(performance.now() - t); // the first fifth warms up
    }
    if (i === Math.floor(n / 5)) times.clear();
  }
  for (const [name, ms] of [...times].sort((a, b) => median(b[1]) - median(a[1])))
    console.log(`${name.padEnd(40)} n=${String(ms.length).padStart(5)}  median ${median(ms).toFixed(2)} ms`);
  console.log(
    `per event (one client, sequential): median ${median(perEvent).toFixed(2)} ms → ${(1000 / median(perEvent)).toFixed(0)} events/s`,
  );
  await driver.close();
} finally {
  await db.stop();
}
