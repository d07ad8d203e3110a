import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { runTokenCommand } from '../../src/governance/token-cli.js';
import { TokenService } from '../../src/governance/token.service.js';
import { createDriver } from '../../src/graph/driver.js';
import { startEmbeddedNeo4j, type EmbeddedNeo4j } from '../../src/graph/embedded.js';
import { createLogger } from '../../src/logger.js';
import { as, gql, gqlOk } from '../support/graphql.js';

/**
 * "No admin exists" needs a database no other test has touched: this file
 * starts its own embedded Neo4j.
 */
describe('first start and the token CLI (own database)', () => {
  let neo: EmbeddedNeo4j;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'pedigree-tokens-'));
    neo = await startEmbeddedNeo4j({ dataDir, heapMb: 384, pagecacheMb: 32 });
  });
  afterAll(async () => {
    await neo?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('without PEDIGREE_ADMIN_TOKEN, the first start creates an admin token and logs it once; later starts do not', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, cb) => (lines.push(chunk.toString()), cb()) });
    const log = pino({ level: 'info' }, sink);
    const config = loadConfig({ NEO4J_URI: neo.uri, LOG_LEVEL: 'info' });
    const driver = createDriver(neo.uri, neo.user, neo.password, log);
    try {
      const first = await createApp(config, driver, log);
      const printed = lines.map((l) => JSON.parse(l)).filter((l) => l.token);
      expect(printed).toHaveLength(1);
      const token: string = printed[0].token;
      expect(token).toMatch(/^pdg_/);
      const server = await first.listen(0, '127.0.0.1');
      try {
        expect((await gqlOk(server.url, '{ viewer { name role } }', {}, as(token))).viewer).toEqual({
          name: 'admin',
          role: 'ADMIN',
        });
      } finally {
        await server.close();
      }
      lines.length = 0;
      await createApp(config, driver, log);
      expect(lines.filter((l) => l.includes('"token"'))).toEqual([]);
    } finally {
      await driver.close();
    }
  });

  it('create, list and revoke through the CLI; the CLI never prints hashes', async () => {
    const log = createLogger('silent');
    // No lookup cache, so the CLI's revocation (another "process") shows at once.
    const config = loadConfig({ NEO4J_URI: neo.uri, LOG_LEVEL: 'silent', PEDIGREE_TOKEN_CACHE_MS: '0' });
    const driver = createDriver(neo.uri, neo.user, neo.password, log);
    const app = await createApp(config, driver, log);
    const server = await app.listen(0, '127.0.0.1');
    const tokens = new TokenService(app.executor, { cacheMs: 0 });
    try {
      const out = await runTokenCommand(['create', '--name', 'ci', '--role', 'CONTRIBUTOR'], tokens);
      const token = /token \(shown once, store it now\): (\S+)/.exec(out)![1]!;
      expect((await gqlOk(server.url, '{ viewer { name role } }', {}, as(token))).viewer).toEqual({
        name: 'ci',
        role: 'CONTRIBUTOR',
      });
      const list = await runTokenCommand(['list'], tokens);
      expect(list).toMatch(/\tci\tCONTRIBUTOR\t.*\tlive/);
      expect(list).not.toMatch(/[0-9a-f]{64}/);
      expect(list).not.toContain(token);
      expect(await runTokenCommand(['revoke', 'ci'], tokens)).toMatch(/revoked token .* of principal "ci"/);
      expect((await gql(server.url, '{ viewer { name } }', {}, as(token))).status).toBe(401);
      await expect(runTokenCommand(['create', '--name', 'x'], tokens)).rejects.toThrow(/usage/);
      await expect(runTokenCommand(['frobnicate'], tokens)).rejects.toThrow(/usage/);
    } finally {
      await server.close();
      await driver.close();
    }
  });
});
