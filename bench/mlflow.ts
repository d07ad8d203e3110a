/**
 * MLflow's registry server for the side-by-side figures: a virtualenv under
 * bench/.venv with a pinned mlflow from PyPI (created on first use), and
 * `mlflow server` with its SQLite backend on loopback, in its own process
 * group so its workers are measured and stopped together.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HttpClient } from './load.js';

export const MLFLOW_VERSION = '3.17.2';
const here = dirname(fileURLToPath(import.meta.url));
const venv = join(here, '.venv');
const mlflowBin = join(venv, 'bin', 'mlflow');

/** Creates bench/.venv and installs the pinned mlflow if it is not there yet. */
export function ensureMlflow(log: (s: string) => void): void {
  const version = existsSync(mlflowBin) ? spawnSync(mlflowBin, ['--version'], { encoding: 'utf8' }).stdout : '';
  if (version.includes(MLFLOW_VERSION)) return;
  const python = ['python3.11', 'python3'].find((p) => spawnSync(p, ['--version']).status === 0);
  if (!python) throw new Error('python3 is needed for the MLflow comparison (or pass --skip-mlflow)');
  log(`installing mlflow==${MLFLOW_VERSION} into bench/.venv (once; a few minutes)`);
  if (!existsSync(join(venv, 'bin', 'pip'))) {
    const r = spawnSync(python, ['-m', 'venv', venv], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error('python -m venv failed');
  }
  const r = spawnSync(join(venv, 'bin', 'pip'), ['install', '-q', `mlflow==${MLFLOW_VERSION}`], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`pip install mlflow==${MLFLOW_VERSION} failed`);
}

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => (typeof a === 'object' && a ? res(a.port) : rej(new Error('no port'))));
    });
  });
}

export interface MlflowServer {
  url: string;
  pgid: number;
  workers: number;
  stop(): Promise<void>;
}

export async function startMlflow(client: HttpClient, opts: { workers?: number } = {}): Promise<MlflowServer> {
  const dir = mkdtempSync(join(tmpdir(), 'pedigree-bench-mlflow-'));
  const port = await freePort();
  const workers = opts.workers ?? 4; // mlflow server's default
  const child = spawn(
    mlflowBin,
    [
      'server',
      '--backend-store-uri',
      `sqlite:///${join(dir, 'mlflow.db')}`,
      '--default-artifact-root',
      join(dir, 'artifacts'),
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--workers',
      String(workers),
    ],
    {
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
      // The async job runner is not part of the registry workload: off, so it takes no CPU from either side.
      env: { ...process.env, MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false' },
    },
  );
  const tail: string[] = [];
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    tail.push(d);
    if (tail.length > 30) tail.shift();
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 240_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`mlflow server exited: ${tail.join('')}`);
    try {
      const r = await client.send('GET', `${url}/health`);
      if (r.status === 200) break;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`mlflow server did not answer within 240 s: ${tail.join('')}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  return {
    url,
    pgid: child.pid!,
    workers,
    stop: async () => {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        /* gone */
      }
      await new Promise((r) => setTimeout(r, 2000));
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The registry REST calls the comparison uses (MLflow REST API 2.0). */
export function mlflowApi(client: HttpClient, base: string) {
  const api = `${base}/api/2.0/mlflow`;
  const ok = (r: { status: number; json: any }) => r.status === 200 && !r.json?.error_code;
  return {
    createModel: async (name: string) => ok(await client.send('POST', `${api}/registered-models/create`, { name })),
    createVersion: async (name: string, source: string): Promise<string | null> => {
      const r = await client.send('POST', `${api}/model-versions/create`, { name, source });
      return ok(r) ? String(r.json.model_version.version) : null;
    },
    setAlias: async (name: string, alias: string, version: number) =>
      ok(await client.send('POST', `${api}/registered-models/alias`, { name, alias, version: String(version) })),
    getByAlias: async (name: string, alias: string): Promise<string | null> => {
      const r = await client.send(
        'GET',
        `${api}/registered-models/alias?name=${encodeURIComponent(name)}&alias=${encodeURIComponent(alias)}`,
      );
      return ok(r) ? String(r.json.model_version.version) : null;
    },
    /** Every version number of a model (paging through search). */
    versionNumbers: async (name: string): Promise<number[]> => {
      const out: number[] = [];
      let token: string | undefined;
      do {
        const q = `filter=${encodeURIComponent(`name='${name}'`)}&max_results=10000${token ? `&page_token=${encodeURIComponent(token)}` : ''}`;
        const r = await client.send('GET', `${api}/model-versions/search?${q}`);
        if (!ok(r)) throw new Error(`mlflow search failed: ${JSON.stringify(r.json).slice(0, 200)}`);
        for (const v of r.json.model_versions ?? []) out.push(Number(v.version));
        token = r.json.next_page_token;
      } while (token);
      return out.sort((a, b) => a - b);
    },
  };
}
