/**
 * Probe: the Cypher statements one GraphQL request runs, with their times
 * (the executor logs each at debug level with `ms`). Generates a graph, runs
 * the bench's nested list query (or the operation in --query FILE) a few
 * times in-process and prints each statement's median time.
 *   npx tsx bench/probes/statement-times.ts [--nodes 120000] [--query file.graphql]
 */
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { startBenchDb } from '../db.js';
import { cypherTimes } from './cypher-times.js';
import { generate } from '../generate.js';
import { NESTED_LIST } from '../ops.js';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createDriver } from '../../src/graph/driver.js';

const arg = (name: string, def: string) =>
  process.argv.includes(`--${name}`) ? process.argv[process.argv.indexOf(`--${name}`) + 1]! : def;
const query = process.argv.includes('--query') ? readFileSync(arg('query', ''), 'utf8') : NESTED_LIST;
const TOKEN = 'pdg_bench-admin-token-0123456789abcdefghijklmnopqrstuvwxyz';
const { sink, times } = cypherTimes();

const db = await startBenchDb({ heapMb: 1024, pagecacheMb: 1024 });
try {
  await generate(db.driver, { nodes: Number(arg('nodes', '120000')) });
  const config = loadConfig({
    ...process.env,
    ...db.env,
    PEDIGREE_ADMIN_TOKEN: TOKEN,
    LOG_LEVEL: 'debug',
    HOST: '127.0.0.1',
    PORT: '0',
  });
  const log = pino({ level: 'debug' }, sink);
  const driver = createDriver(config.neo4j.uri!, config.neo4j.user, config.neo4j.password, log);
  const app = await createApp(config, driver, log);
  const server = await app.listen(0, '127.0.0.1');
  const call = async () => {
    const t = performance.now();
    const r = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ query, variables: { first: 20 } }),
    });
    const body = (await r.json()) as { errors?: unknown };
    if (body.errors) throw new Error(JSON.stringify(body.errors).slice(0, 500));
    return performance.now() - t;
  };
  await call();
  times.clear();
  const totals: number[] = [];
  for (let i = 0; i < 5; i++) totals.push(await call());
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`request median ${med(totals).toFixed(1)} ms over ${totals.length}`);
  for (const [name, ms] of [...times.entries()].sort((a, b) => med(b[1]) - med(a[1]))) {
    console.log(`${med(ms).toFixed(2).padStart(9)} ms  x${(ms.length / totals.length).toFixed(1)}  ${name}`);
  }
  await server.close();
  await driver.close();
} finally {
  await db.stop();
}
