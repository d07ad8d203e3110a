import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readmeExample, runExample } from '../support/client-example.js';
import {
  deleteSuitePredictions,
  modelWithVersions,
  moveAlias,
  predictionsByVersion,
} from '../support/client-fixtures.js';
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

/**
 * Runs the venv's Python; past `deadlineMs` the child is killed, so a hang
 * fails with the output so far (and pytest's stack dump, see below) instead
 * of vitest's bare timeout.
 */
function run(
  args: string[],
  env: Record<string, string>,
  cwd: string,
  deadlineMs = 120_000,
): Promise<{ code: number | null; output: string }> {
  return new Promise((res) => {
    const child = spawn(python, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const timer = setTimeout(() => {
      output += `\n[killed after ${deadlineMs} ms]\n`;
      child.kill('SIGKILL');
    }, deadlineMs);
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => {
      clearTimeout(timer);
      res({ code, output });
    });
  });
}

describe('Python client (pytest) against Pedigree', () => {
  let served: RestartableServer;
  let writer: TestServer;
  let control: { url: string; close(): Promise<void> };
  let dataDir: string;

  beforeAll(async () => {
    if (!existsSync(python))
      throw new Error(`${python} is missing: run bash test/python-client/setup.sh (npm test's pretest does)`);
    dataDir = mkdtempSync(join(tmpdir(), 'pedigree-client-py-'));
    served = await RestartableServer.start({ PEDIGREE_DATA_DIR: dataDir });
    writer = await startTestServer({ PEDIGREE_DATA_DIR: dataDir });
    control = await startHarnessControl(served);
  });

  afterAll(async () => {
    await deleteSuitePredictions(['py-']);
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
    const r = await run(
      // -v names each test as it starts; faulthandler_timeout dumps every
      // thread's stack when one test runs past 150 s.
      [
        '-m',
        'pytest',
        '-v',
        '-p',
        'no:cacheprovider',
        '-rs',
        '--durations=8',
        '-o',
        'faulthandler_timeout=150',
        'tests',
      ],
      {
        PEDIGREE_TEST_URL: served.url,
        PEDIGREE_TEST_WRITER_URL: writer.url.replace(/\/graphql$/, ''),
        PEDIGREE_TEST_HARNESS: control.url,
        PEDIGREE_TEST_TOKEN: TEST_ADMIN_TOKEN,
        PEDIGREE_TEST_ARTIFACT_DIR: join(dataDir, 'artifacts'),
      },
      clientDir,
      840_000,
    );
    if (r.code !== 0) throw new Error(`pytest exited ${r.code}\n${r.output.slice(-20_000)}`);
    // The slowest tests and pytest's summary, for the CI log.
    console.log(r.output.trim().split('\n').slice(-14).join('\n'));
    // Every test ran: none skipped for want of the server.
    const summary = r.output.trim().split('\n').at(-1) ?? '';
    expect(summary).toMatch(/\d+ passed/);
    expect(summary).not.toMatch(/skipped|failed|error/);
  }, 900_000);

  it('the serving loop in the README runs as written: serves the current version, reloads on a move, logs predictions with the version that made them', async () => {
    const example = readmeExample('clients/python/README.md', 'examples/serving_loop.py', 'python');
    expect(example).toBe(readFileSync('clients/python/examples/serving_loop.py', 'utf8'));
    const name = await modelWithVersions(writer.url.replace(/\/graphql$/, ''), 2, 'py-example');
    await served.applied(await moveAlias(writer.url, name, 'live', 1));
    const app = mkdtempSync(join(dataDir, 'app-'));
    writeFileSync(join(app, 'serving_loop.py'), example);
    const run = runExample(python, ['serving_loop.py', name, 'live'], app, {
      PEDIGREE_URL: served.url,
      PEDIGREE_TOKEN: TEST_ADMIN_TOKEN,
    });
    try {
      await run.waitFor(new RegExp(`^serving ${name} version 1 `));
      await moveAlias(writer.url, name, 'live', 2);
      await run.waitFor(new RegExp(`^serving ${name} version 2 `));
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      const { code, stderr } = await run.stop();
      expect(code, stderr).toBe(0);
    }
    expect(readFileSync(join(app, 'models', name, '2', 'model.bin'), 'utf8')).toBe(`weights of ${name} v2\n`);
    expect((await predictionsByVersion(writer.url, name))[2]).toBeGreaterThan(0);
  });
});
