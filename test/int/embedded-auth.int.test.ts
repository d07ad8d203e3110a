import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import neo4j, { type AuthToken } from 'neo4j-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createDriver } from '../../src/graph/driver.js';
import { startEmbeddedNeo4j, type EmbeddedNeo4j } from '../../src/graph/embedded.js';
import { createLogger } from '../../src/logger.js';
import { TEST_ADMIN_TOKEN } from '../support/graphql.js';

const run = promisify(execFile);

/** The Neo4j error code of one query with these credentials, or 'OK'. */
async function tryQuery(uri: string, auth: AuthToken | undefined): Promise<string> {
  const driver = neo4j.driver(uri, auth);
  try {
    await driver.executeQuery('RETURN 1');
    return 'OK';
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  } finally {
    await driver.close();
  }
}

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

/** Every file under dir (Neo4j's own logs), as text. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => readFileSync(join(e.parentPath, e.name), 'latin1'));
}

/**
 * Finding 7: the embedded Neo4j refuses Bolt clients without this start's
 * password, which no other local process can read; its directories are 0700.
 * Its own JVM, so failed logins and restarts touch no other test.
 */
describe('embedded Neo4j: authentication and private directories (own database)', () => {
  let root: string;
  let store: string;
  let neo: EmbeddedNeo4j;
  const logged: string[] = [];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'pedigree-auth-'));
    // A data directory left with the old, world-readable modes.
    chmodSync(root, 0o755);
    mkdirSync(join(root, 'artifacts'), { mode: 0o755 });
    chmodSync(join(root, 'artifacts'), 0o755);
    store = join(root, 'neo4j');
    // A secret in our environment must not reach the JVM's.
    process.env.PEDIGREE_TEST_SECRET_CANARY = 'canary-secret-value-0123456789';
    try {
      neo = await startEmbeddedNeo4j({ dataDir: store, heapMb: 384, pagecacheMb: 32, onLog: (l) => logged.push(l) });
    } finally {
      delete process.env.PEDIGREE_TEST_SECRET_CANARY;
    }
  });
  afterAll(async () => {
    await neo?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it("refuses a Bolt client without credentials, with the default or an empty password, or with a wrong one; accepts this start's password", async () => {
    expect(neo.user).toBe('neo4j');
    expect(neo.password.length).toBeGreaterThanOrEqual(40);
    expect(await tryQuery(neo.uri, undefined)).toBe('Neo.ClientError.Security.Unauthorized');
    expect(await tryQuery(neo.uri, neo4j.auth.basic('neo4j', ''))).toBe('Neo.ClientError.Security.Unauthorized');
    expect(await tryQuery(neo.uri, neo4j.auth.basic('neo4j', 'neo4j'))).toBe('Neo.ClientError.Security.Unauthorized');
    expect(await tryQuery(neo.uri, neo4j.auth.basic('neo4j', `${neo.password.slice(0, -1)}x`))).toBe(
      'Neo.ClientError.Security.Unauthorized',
    );
    expect(await tryQuery(neo.uri, neo4j.auth.basic('admin', neo.password))).toBe(
      'Neo.ClientError.Security.Unauthorized',
    );
    // Failed logins lock nobody out: a local process cannot deny Pedigree its database.
    expect(await tryQuery(neo.uri, neo4j.auth.basic(neo.user, neo.password))).toBe('OK');
  });

  it("the password is in neither the JVM's command line nor its environment (what ps and /proc show), nor in any log", async () => {
    const cmdline = readFileSync(`/proc/${neo.pid}/cmdline`, 'latin1');
    const environ = readFileSync(`/proc/${neo.pid}/environ`, 'latin1');
    expect(cmdline).toContain('pedigree.neo4j.Launcher');
    expect(cmdline).not.toContain(neo.password);
    expect(environ).not.toContain(neo.password);
    expect(environ).not.toContain('canary-secret-value-0123456789');
    const { stdout: ps } = await run('ps', ['-ww', '-eo', 'pid,args']);
    expect(ps).toContain(`${neo.pid} java`);
    expect(ps).not.toContain(neo.password);
    expect(logged.join('\n')).not.toContain(neo.password);
    const neo4jLogs = filesUnder(join(store, 'logs'));
    expect(neo4jLogs.length).toBeGreaterThan(0);
    for (const text of neo4jLogs) expect(text).not.toContain(neo.password);
  });

  it('the store, the data directory, artefacts and signing keys are 0700, a looser existing one tightened', async () => {
    expect(mode(store)).toBe('700');
    const log = createLogger('silent');
    const config = loadConfig({
      NEO4J_URI: neo.uri,
      NEO4J_USER: neo.user,
      NEO4J_PASSWORD: neo.password,
      PEDIGREE_DATA_DIR: root,
      PEDIGREE_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      LOG_LEVEL: 'silent',
    });
    const driver = createDriver(neo.uri, config.neo4j.user, config.neo4j.password, log);
    try {
      await createApp(config, driver, log);
    } finally {
      await driver.close();
    }
    expect({
      root: mode(root),
      artifacts: mode(join(root, 'artifacts')),
      keys: mode(join(root, 'signing-keys')),
    }).toEqual({
      root: '700',
      artifacts: '700',
      keys: '700',
    });
  });

  it(
    'a restart on the same store keeps the data and changes the password: the old one is refused',
    { timeout: 240_000 },
    async () => {
      const before = neo.password;
      const driver = neo4j.driver(neo.uri, neo4j.auth.basic(neo.user, before));
      await driver.executeQuery("MERGE (:AuthProbe {name: 'kept'})");
      await driver.close();
      await neo.stop();
      neo = await startEmbeddedNeo4j({ dataDir: store, heapMb: 384, pagecacheMb: 32, onLog: (l) => logged.push(l) });
      expect(neo.password).not.toBe(before);
      expect(await tryQuery(neo.uri, neo4j.auth.basic(neo.user, before))).toBe('Neo.ClientError.Security.Unauthorized');
      const again = neo4j.driver(neo.uri, neo4j.auth.basic(neo.user, neo.password));
      try {
        const { records } = await again.executeQuery("MATCH (p:AuthProbe {name: 'kept'}) RETURN count(p) AS n");
        expect(records[0]!.get('n').toNumber()).toBe(1);
      } finally {
        await again.close();
      }
    },
  );
});
