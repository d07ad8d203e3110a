/**
 * The dbt demo end to end, with nothing running beforehand: a throw-away
 * Pedigree (embedded Neo4j + bench/server.ts), a CONTRIBUTOR token, then
 * run.sh (dbt-ol seed + run on DuckDB, reporting to that Pedigree) and what
 * Pedigree recorded.
 *
 *   npx tsx bench/openlineage-dbt/demo.ts
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBenchDb } from '../db.js';
import { startServerChild } from '../server-child.js';

const here = dirname(fileURLToPath(import.meta.url));
const admin = `pdg_demo-${randomUUID()}`;
const db = await startBenchDb({ heapMb: 1024, pagecacheMb: 256 });
let code = 1;
try {
  const server = await startServerChild(db.uri, admin);
  try {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify({ query: 'mutation { createApiToken(name: "dbt", role: CONTRIBUTOR) { token } }' }),
    });
    const token = ((await res.json()) as { data: { createApiToken: { token: string } } }).data.createApiToken.token;
    const run = spawnSync('bash', [join(here, 'run.sh')], {
      env: { ...process.env, OPENLINEAGE_URL: server.url.replace(/\/graphql$/, ''), OPENLINEAGE_API_KEY: token },
      stdio: 'inherit',
    });
    code = run.status ?? 1;
  } finally {
    await server.stop();
  }
} finally {
  await db.stop();
}
process.exit(code);
