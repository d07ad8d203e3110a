import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createDriver } from '../../src/graph/driver.js';
import { startEmbeddedNeo4j } from '../../src/graph/embedded.js';
import { applyMigrations } from '../../src/graph/migrations.js';
import { createLogger } from '../../src/logger.js';
import { gql, gqlOk, TEST_ADMIN_TOKEN, wsClient } from '../support/graphql.js';
import { startTestServer, type TestServer } from '../support/server.js';

describe('foundation: the server on the real Neo4j', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers { __typename } over HTTP', async () => {
    expect(await gqlOk(t.url, '{ __typename }')).toEqual({ __typename: 'Query' });
  });

  it('round-trips a query to Neo4j', async () => {
    const before = t.app.executor.statementCount;
    const data = await gqlOk(t.url, '{ serverInfo { version databaseTime lastSequence } }');
    expect(t.app.executor.statementCount).toBe(before + 1);
    expect(Date.parse(data.serverInfo.databaseTime)).toBeGreaterThan(Date.now() - 60_000);
    expect(data.serverInfo.lastSequence).toMatch(/^\d+$/);
  });

  it('serves graphql-ws on the same port and path', async () => {
    const client = wsClient(t.url);
    try {
      const result = await new Promise<unknown>((resolve, reject) => {
        client.subscribe(
          { query: '{ serverInfo { version } }' },
          { next: resolve, error: reject, complete: () => undefined },
        );
      });
      expect(result).toEqual({ data: { serverInfo: { version: expect.any(String) } } });
    } finally {
      await client.dispose();
    }
  });

  it('serves /healthz, /readyz and /metrics; unknown files are 404', async () => {
    const base = t.url.replace(/\/graphql$/, '');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('# TYPE pedigree_http_requests_total counter');
    // Other extension-less paths are the dashboard's client routes (src/server/static.ts).
    expect((await fetch(`${base}/nope.js`)).status).toBe(404);
  });

  it('masks internal errors and keeps parse/validation errors readable', async () => {
    const bad = await gql(t.url, '{ serverInfo { nope } }');
    expect(bad.status).toBe(400);
    expect(bad.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(JSON.stringify(bad)).not.toMatch(/stacktrace/);
  });

  it('applies migrations idempotently: a second run is a no-op', async () => {
    const log = createLogger('silent');
    expect(await applyMigrations(t.app.executor, log)).toEqual([]);
  });
});

describe('foundation: readiness follows the database', () => {
  // Two JVM starts and a stop: generous on a loaded two-core machine.
  it(
    '/readyz turns unready when Neo4j stops and ready again when it is back, without restarting the API',
    { timeout: 240_000 },
    async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'pedigree-ready-'));
      let neo = await startEmbeddedNeo4j({ dataDir, heapMb: 512, pagecacheMb: 64 });
      const port = neo.port;
      const log = createLogger('silent');
      // The restarted Neo4j has a new password; the driver asks for the current one when refused.
      const driver = createDriver(neo.uri, neo.user, () => neo.password, log);
      const app = await createApp(
        loadConfig({ NEO4J_URI: neo.uri, LOG_LEVEL: 'silent', PEDIGREE_ADMIN_TOKEN: TEST_ADMIN_TOKEN }),
        driver,
        log,
      );
      const server = await app.listen(0, '127.0.0.1');
      const readyz = server.url.replace(/\/graphql$/, '/readyz');
      try {
        expect((await fetch(readyz)).status).toBe(200);
        await neo.stop();
        expect((await fetch(readyz)).status).toBe(503);
        expect((await fetch(readyz.replace('readyz', 'healthz'))).status).toBe(200);
        neo = await startEmbeddedNeo4j({ dataDir, port, heapMb: 512, pagecacheMb: 64 });
        let status = 0;
        for (let i = 0; i < 40 && status !== 200; i++) {
          status = (await fetch(readyz)).status;
          if (status !== 200) await new Promise((r) => setTimeout(r, 250));
        }
        expect(status).toBe(200);
        expect(await gqlOk(server.url, '{ serverInfo { lastSequence } }')).toBeTruthy();
      } finally {
        await server.close();
        await driver.close();
        await neo.stop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  );
});
