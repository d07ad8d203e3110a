import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import neo4j, { type Driver } from 'neo4j-driver';
import { startEmbeddedNeo4j, type EmbeddedNeo4j } from '../../src/graph/embedded.js';
import { TEST_ADMIN_TOKEN } from './graphql.js';

export const root = fileURLToPath(new URL('../../', import.meta.url));

/** A new private data directory for a Pedigree of its own (under the OS temp dir, 0700). */
export function newDataDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `pedigree-${prefix}-`));
}

export interface MainProcess {
  url: string;
  /** The API process and its embedded Neo4j's JVM. */
  pid: number;
  jvmPid: number;
  /** Resolves with the exit code when the process exits, whatever the reason. */
  exited: Promise<number | null>;
  /** Log lines seen so far (JSON text). */
  log: string[];
  /** SIGTERM, then wait for the exit (graceful stop). */
  stop(): Promise<number | null>;
}

/**
 * `npm start`'s program (src/main.ts through tsx) in a process of its own,
 * with the embedded Neo4j under `dataDir`: what a supervisor runs. Resolves
 * once it serves; its log is kept.
 */
export async function startMain(dataDir: string, env: Record<string, string> = {}): Promise<MainProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      NEO4J_URI: '',
      PORT: '0',
      HOST: '127.0.0.1',
      PEDIGREE_DATA_DIR: dataDir,
      PEDIGREE_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      PEDIGREE_NEO4J_HEAP_MB: '512',
      PEDIGREE_NEO4J_PAGECACHE_MB: '64',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const log: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let jvmPid = 0;
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      log.push(line);
      try {
        const parsed = JSON.parse(line) as { url?: string; pid?: number; msg?: string };
        if (parsed.msg === 'embedded Neo4j ready' && parsed.pid) jvmPid = parsed.pid;
        if (parsed.msg?.startsWith('Pedigree is serving') && parsed.url) resolve(parsed.url);
      } catch {
        // not a log line
      }
    });
    void exited.then((code) =>
      reject(new Error(`src/main.ts exited with ${code} before serving:\n${log.slice(-20).join('\n')}`)),
    );
  });
  return {
    url,
    pid: child.pid!,
    jvmPid,
    exited,
    log,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Opens a stopped data directory's store with an embedded Neo4j of the test's own, to read it directly. */
export async function openStore(
  dataDir: string,
): Promise<{ neo: EmbeddedNeo4j; driver: Driver; close(): Promise<void> }> {
  const neo = await startEmbeddedNeo4j({ dataDir: join(dataDir, 'neo4j'), heapMb: 512, pagecacheMb: 64 });
  const driver = neo4j.driver(neo.uri, neo4j.auth.basic(neo.user, neo.password));
  return {
    neo,
    driver,
    close: async () => {
      await driver.close();
      await neo.stop();
    },
  };
}

/** Runs `npm run <script> -- args` (the README's commands) and returns its exit code and output. */
export async function runScript(
  script: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; out: string }> {
  const child = spawn('npm', ['run', '--silent', script, '--', ...args], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  return { code, out };
}

/** The global event log: counter, count, distinct sequences, min and max (a gap-free log has all five agree). */
export async function eventLog(
  driver: Driver,
): Promise<{ counter: number; events: number; distinct: number; first: number; last: number }> {
  const s = driver.session();
  try {
    const r = await s.run(
      "MATCH (c:Counter {name: 'events'}) CALL () { MATCH (e:Event) RETURN count(e) AS events, count(DISTINCT e.sequence) AS distinct, min(e.sequence) AS first, max(e.sequence) AS last } RETURN c.value AS counter, events, distinct, first, last",
    );
    const row = r.records[0]!;
    const num = (k: string) => Number(row.get(k) ?? 0);
    return {
      counter: num('counter'),
      events: num('events'),
      distinct: num('distinct'),
      first: num('first'),
      last: num('last'),
    };
  } finally {
    await s.close();
  }
}
