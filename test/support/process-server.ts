import { spawn } from 'node:child_process';
import { TEST_ADMIN_TOKEN, TEST_SIGNING_SECRET } from './graphql.js';
import { testNeo4jEnv } from './neo4j.js';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface ProcessServer {
  url: string;
  pid: number;
  close(): Promise<void>;
}

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * A Pedigree server in a separate Node process (tsx), on the run's Neo4j: it
 * shares nothing in memory with the test process, like a second replica.
 */
export async function startProcessServer(env: Record<string, string> = {}): Promise<ProcessServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/serve-process.ts'], {
    cwd: root,
    env: {
      ...process.env,
      ...testNeo4jEnv(),
      PEDIGREE_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      PEDIGREE_SIGNING_SECRET: TEST_SIGNING_SECRET,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      try {
        const parsed = JSON.parse(line) as { url?: string };
        if (parsed.url) resolve(parsed.url);
      } catch {
        // log lines
      }
    });
    void exited.then((code) => reject(new Error(`server process exited with ${code} before listening`)));
  });
  return {
    url,
    pid: child.pid!,
    close: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
