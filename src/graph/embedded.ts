import { spawn, execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ensurePrivateDir } from '../private-dir.js';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
/** tools/neo4j, found from src/graph (tsx, vitest) and from dist/src/graph (compiled). */
const launcherDir = [resolve(here, '../../tools/neo4j'), resolve(here, '../../../tools/neo4j')].find((d) =>
  existsSync(join(d, 'pom.xml')),
);

export interface EmbeddedOptions {
  /** Where Neo4j keeps its store; created 0700 if missing (tightened to 0700 if looser), reused across starts. */
  dataDir: string;
  /** Bolt port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** JVM heap in MiB (default 768). */
  heapMb?: number;
  /** Page cache in MiB (default 128). */
  pagecacheMb?: number;
  /** Where the resolved classpath and compiled launcher are cached (default ~/.cache/pedigree). */
  cacheDir?: string;
  /** Receives the JVM's stderr lines (Neo4j's own log goes to dataDir/logs). */
  onLog?: (line: string) => void;
  /** How long to wait for Bolt (default 120 s). */
  startTimeoutMs?: number;
  /**
   * TEST ONLY: this password instead of a random one, so a test can restart
   * the same store as a stand-in for an external Neo4j whose password does
   * not change. Never set by the server.
   */
  testOnlyPassword?: string;
}

/**
 * What committed transactions touched between start() and stop(): element
 * ids of nodes and relationships created, deleted or changed. The online
 * backup (src/backup/backup.ts) reads the graph while writes go on, then re-reads
 * exactly these with writes paused. One tracking at a time.
 */
export interface ChangeTracker {
  start(): Promise<void>;
  /** Stops tracking and returns what was touched; fails if more than the launcher's cap (5M ids) was. */
  stop(): Promise<{ nodes: string[]; relationships: string[] }>;
}

export interface EmbeddedNeo4j {
  readonly uri: string;
  readonly port: number;
  /**
   * The Bolt credentials of this run: user `neo4j` and a random password made
   * at start, handed to the JVM over its stdin and never written anywhere; a
   * restart gets a new one. Pass both to createDriver.
   */
  readonly user: string;
  readonly password: string;
  readonly pid: number;
  /** Change tracking in the JVM (see {@link ChangeTracker}). */
  readonly changes: ChangeTracker;
  /** Graceful stop (SIGTERM, then SIGKILL after 30 s). Safe to call twice. */
  stop(): Promise<void>;
  /** Resolves when the JVM exits, for whatever reason. */
  readonly exited: Promise<number | null>;
}

/**
 * Starts Neo4j Community 5.26 in a child JVM with Bolt on loopback and waits
 * until it answers. Authentication is on: every start makes a new random
 * password for the `neo4j` user and writes it as the first line of the JVM's
 * stdin (not its arguments or environment, which other local users can read
 * in /proc), so only this process can connect. The first call resolves jars
 * with Maven (cached in ~/.m2) and compiles the launcher; the classpath and
 * classes are cached, so later starts run `java` directly and touch no network.
 */
export async function startEmbeddedNeo4j(opts: EmbeddedOptions): Promise<EmbeddedNeo4j> {
  const { classpath } = await prepareLauncher(opts.cacheDir ?? join(homedir(), '.cache', 'pedigree'));
  const port = opts.port && opts.port > 0 ? opts.port : await freePort();
  ensurePrivateDir(opts.dataDir);
  const password = opts.testOnlyPassword ?? randomBytes(32).toString('base64url');

  const child = spawn(
    'java',
    [
      `-Xmx${opts.heapMb ?? 768}m`,
      '-XX:+UseSerialGC',
      '-XX:+ExitOnOutOfMemoryError',
      '-cp',
      classpath,
      'pedigree.neo4j.Launcher',
      '--data-dir',
      resolve(opts.dataDir),
      '--port',
      String(port),
      '--pagecache-mb',
      String(opts.pagecacheMb ?? 128),
    ],
    // stdin stays an open pipe: its EOF is how the JVM learns that we died.
    { stdio: ['pipe', 'pipe', 'pipe'], env: jvmEnvironment(process.env) },
  );
  child.stdin!.on('error', () => undefined); // a JVM that died early: its exit is reported below
  child.stdin!.write(`${password}\n`);

  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  const tracker = new TrackerChannel((command) => child.stdin!.write(`${command}\n`), exited);
  const tail: string[] = [];
  const onLine = (line: string) => {
    tail.push(line);
    if (tail.length > 40) tail.shift();
    opts.onLog?.(line);
  };
  lines(child.stderr!, onLine);

  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rej(
        new Error(
          `embedded Neo4j did not report ready within ${opts.startTimeoutMs ?? 120_000} ms:\n${tail.join('\n')}`,
        ),
      );
    }, opts.startTimeoutMs ?? 120_000);
    lines(child.stdout!, (line) => {
      if (line.startsWith('PEDIGREE_NEO4J_READY')) {
        clearTimeout(timer);
        res();
      } else if (line.startsWith('PEDIGREE_TRACK ')) tracker.answer(line.slice('PEDIGREE_TRACK '.length));
      else onLine(line);
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      rej(new Error(`could not start java for the embedded Neo4j (is Java 17+ on PATH?): ${err.message}`));
    });
    void exited.then((code) => {
      clearTimeout(timer);
      rej(new Error(`embedded Neo4j exited with code ${code} before it was ready:\n${tail.join('\n')}`));
    });
  });

  let stopping: Promise<void> | undefined;
  return {
    uri: `bolt://127.0.0.1:${port}`,
    port,
    user: 'neo4j',
    password,
    pid: child.pid!,
    changes: tracker,
    exited,
    stop: () =>
      (stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        await exited;
        clearTimeout(killer);
      })()),
  };
}

/**
 * The launcher's side of change tracking: commands on the JVM's stdin,
 * answers on its stdout (lines after "PEDIGREE_TRACK "). One request at a time.
 */
class TrackerChannel implements ChangeTracker {
  private pending: {
    kind: 'start' | 'stop';
    nodes: string[];
    relationships: string[];
    resolve: (v: { nodes: string[]; relationships: string[] }) => void;
    reject: (e: Error) => void;
  } | null = null;

  constructor(
    private readonly send: (command: string) => void,
    exited: Promise<number | null>,
  ) {
    void exited.then(() => this.fail(new Error('the embedded Neo4j exited during change tracking')));
  }

  start(): Promise<void> {
    return this.request('start').then(() => undefined);
  }

  stop(): Promise<{ nodes: string[]; relationships: string[] }> {
    return this.request('stop');
  }

  private request(kind: 'start' | 'stop'): Promise<{ nodes: string[]; relationships: string[] }> {
    if (this.pending)
      return Promise.reject(new Error('a change-tracking request is already waiting for the embedded Neo4j'));
    return new Promise((resolve, reject) => {
      this.pending = { kind, nodes: [], relationships: [], resolve, reject };
      this.send(`track-${kind}`);
    });
  }

  /** One answer line from the JVM. */
  answer(line: string): void {
    const p = this.pending;
    if (!p) return;
    const [word, rest = ''] = splitOnce(line);
    if (word === 'n') p.nodes.push(rest);
    else if (word === 'r') p.relationships.push(rest);
    else if ((word === 'started' && p.kind === 'start') || (word === 'end' && p.kind === 'stop')) {
      this.pending = null;
      p.resolve({ nodes: p.nodes, relationships: p.relationships });
    } else if (word === 'overflow')
      this.fail(
        new Error(
          `more than ${rest} nodes and relationships changed while the backup read the graph; try again at a quieter time`,
        ),
      );
    else this.fail(new Error(`unexpected answer from the embedded Neo4j's change tracker: ${line.slice(0, 200)}`));
  }

  private fail(err: Error): void {
    const p = this.pending;
    this.pending = null;
    p?.reject(err);
  }
}

function splitOnce(line: string): [string, string?] {
  const i = line.indexOf(' ');
  return i < 0 ? [line] : [line.slice(0, i), line.slice(i + 1)];
}

/**
 * The JVM's environment: ours without anything that names a credential
 * (NEO4J_PASSWORD, PEDIGREE_ADMIN_TOKEN, PEDIGREE_SIGNING_SECRET, cloud keys
 * ...), since Neo4j needs none of it and /proc/<pid>/environ outlives intent.
 */
export function jvmEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(env).filter(([name]) => !/PASS|SECRET|TOKEN|KEY|CREDENTIAL|AUTH/i.test(name)),
  );
}

function lines(stream: NodeJS.ReadableStream, onLine: (l: string) => void): void {
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buf += chunk;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      onLine(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
  });
}

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? res(addr.port) : rej(new Error('no port'))));
    });
  });
}

/**
 * Resolves the classpath with Maven (through the wrapper, tools/neo4j/mvnw) and compiles Launcher.java, once per
 * distinct pom.xml + launcher source; the result is cached under cacheDir.
 */
export async function prepareLauncher(cacheDir: string): Promise<{ classpath: string }> {
  if (!launcherDir) throw new Error('tools/neo4j (the embedded Neo4j launcher) was not found beside the sources');
  const pom = join(launcherDir, 'pom.xml');
  const source = join(launcherDir, 'src/main/java/pedigree/neo4j/Launcher.java');
  const key = createHash('sha256').update(readFileSync(pom)).update(readFileSync(source)).digest('hex').slice(0, 16);
  const dir = join(cacheDir, `neo4j-launcher-${key}`);
  const cpFile = join(dir, 'classpath.txt');
  const classes = join(dir, 'classes');

  if (existsSync(cpFile) && existsSync(join(classes, 'pedigree/neo4j/Launcher.class'))) {
    const deps = readFileSync(cpFile, 'utf8').trim();
    // A pruned ~/.m2 invalidates the cache; resolve again rather than fail at class loading.
    if (deps.split(':').every((jar) => existsSync(jar))) return { classpath: `${classes}:${deps}` };
  }

  mkdirSync(classes, { recursive: true });
  const tmpCp = `${cpFile}.tmp-${process.pid}`;
  try {
    // The Maven Wrapper (tools/neo4j/mvnw) fetches Maven itself from Maven Central on first use.
    await run(
      'sh',
      [join(launcherDir, 'mvnw'), '-q', '-B', '-f', pom, 'dependency:build-classpath', `-Dmdep.outputFile=${tmpCp}`],
      {
        maxBuffer: 16 * 1024 * 1024,
      },
    );
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `resolving Neo4j's jars with the Maven Wrapper (tools/neo4j/mvnw: Maven and the jars come from Maven Central) failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`,
    );
  }
  const deps = readFileSync(tmpCp, 'utf8').trim();
  await run('javac', ['-d', classes, '-cp', deps, source]);
  // Written last, so a half-done preparation is never mistaken for a cached one.
  writeFileSync(cpFile, deps);
  return { classpath: `${classes}:${deps}` };
}
