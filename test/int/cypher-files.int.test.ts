import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declaredStatements, loadStatements } from '../../src/graph/cypher.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * Every statement file is used by some module, every used statement has a
 * file, and every file compiles on the real Neo4j (EXPLAIN plans it without
 * running it).
 */
describe('cypher/ files', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(); // imports every module, so every statement is declared
  });
  afterAll(async () => {
    await t?.close();
  });

  it('has no file that nothing uses, and no use without a file', () => {
    const files = [...loadStatements().keys()].sort();
    const used = [...declaredStatements()].sort();
    expect(files.filter((f) => !used.includes(f))).toEqual([]);
    expect(used.filter((u) => !files.includes(u))).toEqual([]);
  });

  it('EXPLAINs every statement against the real database', async () => {
    const session = t.app.executor.driver.session();
    const failures: string[] = [];
    try {
      for (const [name, text] of loadStatements()) {
        try {
          await session.run(`EXPLAIN ${text}`);
        } catch (err) {
          failures.push(`${name}: ${(err as Error).message.split('\n')[0]}`);
        }
      }
    } finally {
      await session.close();
    }
    expect(failures).toEqual([]);
  });
});
