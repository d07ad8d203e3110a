/**
 * A Pedigree server (bench/server.ts) as a child process over a given Neo4j,
 * for the OpenLineage bench and the dbt demo: resolves with its GraphQL URL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export interface ServerChild {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** `root`: the checkout whose bench/server.ts runs (default this one; a bench may compare an older tree). */
export async function startServerChild(
  neo4jUri: string,
  adminToken: string,
  env: Record<string, string> = {},
  root = resolve(here, '..'),
): Promise<ServerChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench', 'server.ts')], {
    cwd: root,
    env: { ...process.env, NEO4J_URI: neo4jUri, PEDIGREE_ADMIN_TOKEN: adminToken, LOG_LEVEL: 'warn', ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((res, rej) => {
    let buf = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      const m = /BENCH_SERVER_READY (\S+)/.exec(buf);
      if (m) res(m[1]!);
    });
    child.once('exit', (code) => rej(new Error(`the Pedigree server exited with ${code}`)));
  });
  return {
    url,
    child,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}
