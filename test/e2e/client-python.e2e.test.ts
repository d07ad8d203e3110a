import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RestartableServer, startHarnessControl } from '../support/client-harness.js';
import { TEST_ADMIN_TOKEN } from '../support/graphql.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * The Python client (clients/python, installed with `pip install ./clients/python`
 * into test/python-client/.venv by npm test's pretest) runs its pytest suite
 * against real Pedigree servers started here: one process behind a
 * fault-injecting proxy (the client's address), a second server on the same
 * database and artifact store for the test's own writes, and an HTTP control
 * endpoint through which the suite kills sockets, black-holes traffic and
 * restarts the first server.
 */
const clientDir = resolve('clients/python');
const python = resolve('test/python-client/.venv/bin/python');

function run(args: string[], env: Record<string, string>, cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((res) => {
    const child = spawn(python, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => res({ code, output }));
  });
}

describe('Python client (pytest) against Pedigree', () => {
  let served: RestartableServer;
  let writer: TestServer;
  let control: { url: string; close(): Promise<void> };
  let dataDir: string;

  beforeAll(async () => {
    if (!existsSync(python)) throw new Error(`${python} is missing: run bash test/python-client/setup.sh (npm test's pretest does)`);
    dataDir = mkdtempSync(join(tmpdir(), 'pedigree-client-py-'));
    served = await RestartableServer.start({ PEDIGREE_DATA_DIR: dataDir });
    writer = await startTestServer({ PEDIGREE_DATA_DIR: dataDir });
    control = await startHarnessControl(served);
  });

  afterAll(async () => {
    await control?.close();
    await writer?.close();
    await served?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('type-checks under mypy --strict', async () => {
    const r = await run(['-m', 'mypy', '--strict', '--no-incremental', 'src/pedigree_client'], {}, clientDir);
    if (r.code !== 0) throw new Error(r.output);
    expect(r.output).toContain('Success');
  });

  it('passes its pytest suite: watch through socket kills and a restart, verified downloads, 50,000 predictions through two restarts', async () => {
    const r = await run(['-m', 'pytest', '-q', '-p', 'no:cacheprovider', '-rs', '--durations=8', 'tests'], {
      PEDIGREE_TEST_URL: served.url,
      PEDIGREE_TEST_WRITER_URL: writer.url.replace(/\/graphql$/, ''),
      PEDIGREE_TEST_HARNESS: control.url,
      PEDIGREE_TEST_TOKEN: TEST_ADMIN_TOKEN,
    }, clientDir);
    if (r.code !== 0) throw new Error(`pytest exited ${r.code}\n${r.output.slice(-12_000)}`);
    // Every test ran: none skipped for want of the server.
    expect(r.output).toMatch(/\d+ passed/);
    expect(r.output).not.toMatch(/skipped/);
  }, 900_000);
});
