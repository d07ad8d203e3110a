import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { TEST_ADMIN_TOKEN } from './graphql.js';
import { startProcessServer, type ProcessServer } from './process-server.js';

/**
 * A TCP proxy in front of a Pedigree server: the address a client under test
 * talks to. It can cut every open connection (a network drop), swallow
 * traffic without closing (a dead peer: only a heartbeat notices), and point
 * at a new upstream port (a restarted server behind a stable address).
 */
export class FaultProxy {
  readonly #server: Server;
  #target: number;
  readonly #pairs = new Set<[Socket, Socket]>();
  #blackhole = false;
  /** Connections accepted so far. */
  accepted = 0;
  /** Connections cut by killConnections(). */
  killed = 0;

  private constructor(server: Server, target: number) {
    this.#server = server;
    this.#target = target;
  }

  static async start(targetPort: number): Promise<FaultProxy> {
    const server = createServer();
    const proxy = new FaultProxy(server, targetPort);
    server.on('connection', (client) => proxy.#accept(client));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  setTarget(port: number): void {
    this.#target = port;
  }

  /** Destroys every open connection at once (both sides see a reset). */
  killConnections(): number {
    let n = 0;
    for (const [a, b] of this.#pairs) {
      a.destroy();
      b.destroy();
      n++;
    }
    this.#pairs.clear();
    this.killed += n;
    return n;
  }

  /** While on, bytes in either direction are dropped and nothing is closed. */
  setBlackhole(on: boolean): void {
    this.#blackhole = on;
  }

  async close(): Promise<void> {
    this.killConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket): void {
    this.accepted++;
    const upstream = connect(this.#target, '127.0.0.1');
    const pair: [Socket, Socket] = [client, upstream];
    this.#pairs.add(pair);
    const end = () => {
      this.#pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.on('data', (d) => {
      if (!this.#blackhole) upstream.write(d);
    });
    upstream.on('data', (d) => {
      if (!this.#blackhole) client.write(d);
    });
  }
}

/**
 * A Pedigree server process (tsx, on the run's Neo4j) behind a FaultProxy,
 * restartable in place: the proxy's address stays, the process behind it is
 * replaced. `env` applies to every start (give PEDIGREE_DATA_DIR so artifacts
 * survive restarts).
 */
export class RestartableServer {
  readonly proxy: FaultProxy;
  #server: ProcessServer;
  readonly #env: Record<string, string>;
  restarts = 0;

  private constructor(proxy: FaultProxy, server: ProcessServer, env: Record<string, string>) {
    this.proxy = proxy;
    this.#server = server;
    this.#env = env;
  }

  static async start(env: Record<string, string>): Promise<RestartableServer> {
    const server = await startProcessServer(env);
    const proxy = await FaultProxy.start(portOf(server.url));
    return new RestartableServer(proxy, server, env);
  }

  /** The proxy's base URL (no /graphql): what clients under test use. */
  get url(): string {
    return this.proxy.url;
  }

  /** The server's own GraphQL URL, bypassing the proxy (for assertions). */
  get directUrl(): string {
    return this.#server.url;
  }

  /**
   * Waits until the server has applied `sequence` (a write made through
   * another replica): its alias view follows the event log, so another
   * replica's write reaches it within a poll unless a consistency token is
   * sent, as here (README, "Consistency and staleness"). When the server is
   * down or cut off on purpose there is nothing to wait for.
   */
  async applied(sequence: string): Promise<void> {
    await fetch(this.directUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${TEST_ADMIN_TOKEN}`,
        'pedigree-min-sequence': sequence,
      },
      body: JSON.stringify({ query: '{ serverInfo { lastSequence } }' }),
      signal: AbortSignal.timeout(5_000),
    }).then(
      (r) => r.text(),
      () => undefined,
    );
  }

  /**
   * Stops the server (SIGTERM: graceful; SIGKILL: a crash, in-flight requests
   * die with it), waits `downMs` with nothing listening, starts a new process
   * and points the proxy at it.
   */
  async restart(mode: 'term' | 'kill' = 'term', downMs = 0): Promise<void> {
    if (mode === 'kill') process.kill(this.#server.pid, 'SIGKILL');
    await this.#server.close();
    this.proxy.killConnections();
    if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
    this.#server = await startProcessServer(this.#env);
    this.proxy.setTarget(portOf(this.#server.url));
    this.restarts++;
  }

  async close(): Promise<void> {
    await this.proxy.close();
    await this.#server.close();
  }
}

/**
 * An HTTP control endpoint over a RestartableServer, for a client test suite
 * in another language (pytest) to drive faults: POST /kill-connections,
 * POST /blackhole?on=1|0, POST /restart?mode=term|kill&downMs=N, GET /info.
 */
export async function startHarnessControl(target: RestartableServer): Promise<{ url: string; close(): Promise<void> }> {
  const server: HttpServer = createHttpServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    void (async () => {
      try {
        if (req.method === 'POST' && url.pathname === '/kill-connections')
          return reply(200, { killed: target.proxy.killConnections() });
        if (req.method === 'POST' && url.pathname === '/blackhole') {
          target.proxy.setBlackhole(url.searchParams.get('on') === '1');
          return reply(200, {});
        }
        if (req.method === 'POST' && url.pathname === '/restart') {
          await target.restart(
            url.searchParams.get('mode') === 'kill' ? 'kill' : 'term',
            Number(url.searchParams.get('downMs') ?? 0),
          );
          return reply(200, { restarts: target.restarts });
        }
        if (req.method === 'GET' && url.pathname === '/info')
          return reply(200, { url: target.url, directUrl: target.directUrl, restarts: target.restarts });
        reply(404, { error: 'unknown control' });
      } catch (err) {
        reply(500, { error: String(err) });
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}
