/**
 * Sizing and backup speed on the bench graph: `npm run bench:sizing -- --nodes 1000000`.
 *
 * 1. Generates the bench registry (bench/generate.ts) in a fresh embedded Neo4j.
 * 2. Stops Neo4j (a checkpoint) and measures the store by file: node, relationship,
 *    property and index stores, transaction logs; bytes per node and per relationship.
 * 3. Starts it again and takes an online backup (src/backup/backup.ts) while a writer
 *    appends events at --write-rate per second through the same executor: export time,
 *    how long writes were held, the slowest write meanwhile, the file's size.
 * 4. Restores the backup into a new data directory (src/backup/restore.ts): load, schema
 *    and digest-check times.
 *
 * Results: bench/results/<date>-sizing-<nodes>.json and a table on stdout.
 */
import { createWriteStream, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import neo4j from 'neo4j-driver';

import { startEmbeddedNeo4j } from '../src/graph/embedded.js';
import { Executor } from '../src/graph/executor.js';
import { appliedMigrations, applyMigrations } from '../src/graph/migrations.js';
import { GraphSnapshot } from '../src/graph/snapshot.js';
import { appendEvent } from '../src/events/event-log.js';
import { createLogger } from '../src/logger.js';
import { BackupService } from '../src/backup/backup.js';
import { restoreBackup } from '../src/backup/restore.js';
import { benchCypher, generate } from './generate.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const nodes = arg('nodes', 100_000);
const writeRate = arg('write-rate', 20);
const heapMb = arg('heap-mb', 2048);
const pagecacheMb = arg('pagecache-mb', 2048);
const log = createLogger('warn');
const say = (m: string) => console.log(`[sizing ${new Date().toISOString().slice(11, 19)}] ${m}`);

const root = mkdtempSync(join(tmpdir(), 'pedigree-sizing-'));
const dataDir = join(root, 'data');
const store = join(dataDir, 'neo4j');

/** Bytes under `dir` by a classifier of file paths. */
function sizes(dir: string): Record<string, number> {
  const out: Record<string, number> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const kind = classify(p);
        out[kind] = (out[kind] ?? 0) + statSync(p).size;
      }
    }
  };
  walk(dir);
  return out;
}

function classify(p: string): string {
  if (p.includes('/transactions/')) return 'transaction logs';
  if (p.includes('/databases/system/')) return 'system database';
  if (!p.includes('/databases/neo4j/')) return 'other';
  if (p.includes('/schema/index/')) return 'indexes';
  if (/nodestore/.test(p)) return 'node records';
  if (/relationshipstore|relationshipgroupstore/.test(p)) return 'relationship records';
  if (/propertystore/.test(p)) return 'properties';
  return 'other (tokens, counts, ids)';
}

let neo = await startEmbeddedNeo4j({ dataDir: store, heapMb, pagecacheMb });
let driver = neo4j.driver(neo.uri, neo4j.auth.basic(neo.user, neo.password), { maxConnectionPoolSize: 64 });
let executor = new Executor(driver, 'neo4j', log);
await applyMigrations(executor, log);
say(`generating ${nodes} nodes`);
const gen = await generate(driver, { nodes, log: (m) => say(m) });
const s = driver.session();
await s.run(benchCypher('await-indexes'));
const c = (await s.run(benchCypher('store-counts'))).records[0]!;
await s.close();
const counts = {
  nodes: Number(c.get('nodes')),
  nodeProperties: Number(c.get('nodeProperties')),
  relationships: Number(c.get('relationships')),
  relationshipProperties: Number(c.get('relationshipProperties')),
};
say(`generated in ${gen.loadMs} ms: ${JSON.stringify(counts)}`);

await driver.close();
await neo.stop();
const bytes = sizes(store);
const propShare = counts.nodeProperties / (counts.nodeProperties + counts.relationshipProperties);
const props = bytes.properties ?? 0;
const perNode = ((bytes['node records'] ?? 0) + props * propShare + (bytes.indexes ?? 0)) / counts.nodes;
const perRel = ((bytes['relationship records'] ?? 0) + props * (1 - propShare)) / counts.relationships;
const storeBytes = Object.entries(bytes)
  .filter(([k]) => k !== 'transaction logs' && k !== 'system database')
  .reduce((t, [, v]) => t + v, 0);
say(`store by file kind: ${JSON.stringify(bytes)}`);

neo = await startEmbeddedNeo4j({ dataDir: store, heapMb, pagecacheMb });
driver = neo4j.driver(neo.uri, neo4j.auth.basic(neo.user, neo.password), { maxConnectionPoolSize: 64 });
executor = new Executor(driver, 'neo4j', log);
const backup = new BackupService({
  snapshot: new GraphSnapshot(executor.sibling(log)),
  writes: executor.writes,
  changes: neo.changes,
  dataDir,
  migrations: () => appliedMigrations(executor),
  log,
});
const file = join(root, 'backup.tar.gz');
let writing = true;
let writes = 0;
let slowestWriteMs = 0;
const writer = (async () => {
  for (let next = Date.now(); writing; next += 1000 / writeRate) {
    await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
    const t = Date.now();
    await executor.writeTx((tx) => appendEvent(tx, { type: 'SIZING_WRITE', actor: 'bench' }), 'sizing write');
    slowestWriteMs = Math.max(slowestWriteMs, Date.now() - t);
    writes++;
  }
})();
await new Promise((r) => setTimeout(r, 2000));
const slowestBefore = slowestWriteMs;
slowestWriteMs = 0;
say('backing up while the writer runs');
const t0 = Date.now();
const manifest = await backup.write(createWriteStream(file));
const backupMs = Date.now() - t0;
const slowestDuring = slowestWriteMs;
writing = false;
await writer;
await driver.close();
await neo.stop();
const fileBytes = statSync(file).size;
say(
  `backup: ${backupMs} ms, ${JSON.stringify(manifest.timings)}, ${fileBytes} bytes; slowest write ${slowestDuring} ms (before: ${slowestBefore} ms)`,
);

say('restoring');
const target = join(root, 'restored');
const restored = await restoreBackup({
  from: file,
  dataDir: target,
  force: false,
  heapMb,
  pagecacheMb,
  log,
  say: (m) => say(m),
});
say(`restore: ${JSON.stringify(restored.ms)}`);

const result = {
  at: new Date().toISOString(),
  nodes,
  counts,
  storeBytes: bytes,
  perNode: Math.round(perNode),
  perRelationship: Math.round(perRel),
  storePerNode: Math.round(storeBytes / counts.nodes),
  heapMb,
  pagecacheMb,
  generateMs: gen.loadMs,
  backup: {
    ms: backupMs,
    fileBytes,
    timings: manifest.timings,
    sequence: manifest.sequence,
    writeRate,
    writes,
    slowestWriteMs: slowestDuring,
    slowestWriteBeforeMs: slowestBefore,
  },
  restore: restored.ms,
  loadavg: (await import('node:fs')).readFileSync('/proc/loadavg', 'utf8').trim(),
};
const out = join('bench/results', `${result.at.slice(0, 10)}-sizing-${nodes}.json`);
writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
console.log(`
| graph | ${counts.nodes} nodes, ${counts.relationships} relationships (${counts.nodeProperties} / ${counts.relationshipProperties} properties) |
| --- | --- |
| store (no tx logs) | ${(storeBytes / 1048576).toFixed(1)} MiB: ${Math.round(storeBytes / counts.nodes)} B per node all in |
| per node (record, labels, its properties, index entries) | ${Math.round(perNode)} B |
| per relationship (record, groups, its properties) | ${Math.round(perRel)} B |
| transaction logs | ${((bytes['transaction logs'] ?? 0) / 1048576).toFixed(1)} MiB |
| backup | ${backupMs} ms (export ${manifest.timings.exportMs} ms, writes held ${manifest.timings.pauseMs} ms, ${manifest.timings.changedNodes} nodes re-read), file ${(fileBytes / 1048576).toFixed(1)} MiB |
| writes during the backup | ${writes} at ${writeRate}/s, slowest ${slowestDuring} ms (${slowestBefore} ms before) |
| restore | total ${restored.ms.total} ms: verify ${restored.ms.verify}, load ${restored.ms.load}, schema ${restored.ms.schema}, digest check ${restored.ms.check} |
results: ${out}`);
rmSync(root, { recursive: true, force: true });
