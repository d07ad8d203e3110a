/**
 * Probe: where a tracePrediction request spends the server's CPU (the bench's
 * lineage figure showed the API process, not Neo4j, busy). Generates the
 * default graph, times the service call, then CPU-profiles 200 GraphQL calls
 * in-process and prints the top functions by self time.
 *   npx tsx bench/probes/trace-profile.ts
 */
import { Session } from 'node:inspector/promises';
import { startBenchDb } from '../db.js';
import { generate } from '../generate.js';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createDriver } from '../../src/graph/driver.js';
import { createLogger } from '../../src/logger.js';
import { TRACE } from '../ops.js';

const db = await startBenchDb({ heapMb: 1024, pagecacheMb: 512 });
try {
  await generate(db.driver, { nodes: 120000 });
  const s = db.driver.session();
  const ids = (await s.run('MATCH (p:Prediction) RETURN p.id AS id LIMIT 200')).records.map((r) => r.get('id') as string);
  await s.close();
  const config = loadConfig({ ...process.env, NEO4J_URI: db.uri, PEDIGREE_ADMIN_TOKEN: 'pdg_bench-admin-token-0123456789abcdefghijklmnopqrstuvwxyz', LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: '0' });
  const log = createLogger('warn');
  const driver = createDriver(config.neo4j.uri!, config.neo4j.user, config.neo4j.password, log);
  const app = await createApp(config, driver, log);
  const server = await app.listen(0, '127.0.0.1');
  const call = async (id: string) => {
    const r = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer pdg_bench-admin-token-0123456789abcdefghijklmnopqrstuvwxyz' }, body: JSON.stringify({ query: TRACE, variables: { id } }) });
    const text = await r.text();
    return text.length;
  };
  for (const id of ids.slice(0, 30)) await call(id);
  const direct = async (id: string) => { const t = performance.now(); await app.services.provenance.tracePrediction(id); return performance.now() - t; };
  const dts: number[] = []; for (const id of ids) dts.push(await direct(id)); dts.sort((a, b) => a - b);
  console.log('service.tracePrediction p50', dts[100]!.toFixed(1), 'ms');
  const session = new Session(); session.connect();
  await session.post('Profiler.enable'); await session.post('Profiler.start');
  const t0 = performance.now(); let bytes = 0;
  for (const id of ids) bytes += await call(id);
  const ms = (performance.now() - t0) / ids.length;
  const { profile } = await session.post('Profiler.stop');
  console.log(`graphql per call ${ms.toFixed(1)} ms, response ${Math.round(bytes / ids.length)} bytes`);
  const self = new Map<string, number>();
  const dt = (profile.endTime - profile.startTime) / profile.samples!.length;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  for (const sid of profile.samples!) { const n = byId.get(sid)!; const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber}`; self.set(k, (self.get(k) ?? 0) + dt); }
  console.log([...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 30).map(([k, v]) => `${(v / 1000).toFixed(0).padStart(6)} ms  ${k}`).join('\n'));
  await server.close(); await driver.close();
} finally { await db.stop(); }
