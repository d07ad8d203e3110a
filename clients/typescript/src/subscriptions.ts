import { createClient, type Client, type Sink } from 'graphql-ws';
import { ClientCode, PedigreeError } from './errors.js';
import type { Logger } from './logger-iface.js';

export interface HeartbeatOptions {
  /** A graphql-ws ping this long after the last pong. Default 10 s. */
  intervalMs?: number;
  /** No pong this long after a ping: the socket is declared dead and replaced. Default 5 s. */
  timeoutMs?: number;
}

export interface ConnectionOptions {
  wsUrl: string;
  authorization: () => string | null;
  /** A WebSocket constructor; default: the global one, else the `ws` package. */
  webSocketImpl?: unknown;
  heartbeat: Required<HeartbeatOptions>;
  /** Opening the socket and receiving connection_ack may take this long. Default 10 s. */
  connectTimeoutMs: number;
  log: Logger;
}

type WsCtor = new (url: string, protocols?: string | string[]) => unknown;

/**
 * One graphql-ws socket shared by every subscription of a client. It never
 * reconnects by itself (retryAttempts 0): a closed or dead socket fails every
 * subscription on it, and each subscription's owner (an AliasWatch)
 * resubscribes with `after:` its last sequence, which opens a new socket.
 * The heartbeat (a ping every `intervalMs`, a pong expected within
 * `timeoutMs`) and the connect timeout terminate a socket that has gone
 * silent without closing (a dead peer, a black-holing proxy).
 */
export class SubscriptionConnection {
  readonly #opts: ConnectionOptions;
  #client: Client | null = null;
  #creating: Promise<Client> | null = null;
  #connected = false;
  #generation = 0;
  #pongTimer: ReturnType<typeof setTimeout> | undefined;
  #connectTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #listeners = new Set<(connected: boolean, generation: number) => void>();
  #disposed = false;

  constructor(opts: ConnectionOptions) {
    this.#opts = opts;
  }

  /** True while a socket is open and acknowledged. */
  get connected(): boolean {
    return this.#connected;
  }

  /** Counts sockets acknowledged so far: tells one connection from the next. */
  get generation(): number {
    return this.#generation;
  }

  /** Called with true when a socket is acknowledged and false when it closes. */
  onState(listener: (connected: boolean, generation: number) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Starts one subscription; returns its cancel function. Errors (a closed socket, a refusal) go to `sink.error`. */
  async subscribe<T>(
    query: string,
    variables: Record<string, unknown>,
    sink: Sink<{ data?: T | null; errors?: readonly unknown[] }>,
  ): Promise<() => void> {
    if (this.#disposed) throw new PedigreeError(ClientCode.CLOSED, 'the client is closed');
    const client = await this.#get();
    return client.subscribe<T>({ query, variables }, sink as Sink);
  }

  /** Closes the current socket at once, as if the network dropped it; subscriptions fail and resubscribe. */
  terminate(): void {
    this.#client?.terminate();
  }

  async dispose(): Promise<void> {
    this.#disposed = true;
    this.#clearTimers();
    const client = this.#client;
    this.#client = null;
    if (client) {
      client.terminate();
      await client.dispose();
    }
  }

  async #get(): Promise<Client> {
    if (this.#client) return this.#client;
    this.#creating ??= this.#create();
    try {
      return await this.#creating;
    } finally {
      this.#creating = null;
    }
  }

  async #create(): Promise<Client> {
    const impl = await resolveWebSocket(this.#opts.webSocketImpl);
    const { heartbeat, connectTimeoutMs, log } = this.#opts;
    const client = createClient({
      url: this.#opts.wsUrl,
      webSocketImpl: impl,
      lazy: true,
      retryAttempts: 0,
      keepAlive: heartbeat.intervalMs,
      connectionParams: () => {
        const authorization = this.#opts.authorization();
        return authorization ? { authorization } : {};
      },
      on: {
        connecting: () => {
          clearTimeout(this.#connectTimer);
          this.#connectTimer = setTimeout(() => {
            log.warn?.('pedigree: websocket did not connect in time; retrying', { timeoutMs: connectTimeoutMs });
            client.terminate();
          }, connectTimeoutMs);
        },
        connected: () => {
          clearTimeout(this.#connectTimer);
          this.#connected = true;
          this.#generation++;
          for (const l of this.#listeners) l(true, this.#generation);
        },
        closed: (event) => {
          this.#clearTimers();
          const was = this.#connected;
          this.#connected = false;
          const e = event as { code?: number; reason?: string };
          log.debug?.('pedigree: websocket closed', { code: e?.code, reason: e?.reason });
          if (was) for (const l of this.#listeners) l(false, this.#generation);
        },
        ping: (received) => {
          if (received) return;
          clearTimeout(this.#pongTimer);
          this.#pongTimer = setTimeout(() => {
            log.warn?.('pedigree: no pong within the heartbeat timeout; replacing the websocket', {
              timeoutMs: heartbeat.timeoutMs,
            });
            client.terminate();
          }, heartbeat.timeoutMs);
        },
        pong: (received) => {
          if (received) clearTimeout(this.#pongTimer);
        },
      },
    });
    this.#client = client;
    return client;
  }

  #clearTimers(): void {
    clearTimeout(this.#pongTimer);
    clearTimeout(this.#connectTimer);
  }
}

/**
 * The WebSocket class to use. Node 20 has no global WebSocket (Node 22 does):
 * there the optional peer dependency `ws` is loaded. An implementation that is
 * an EventEmitter (ws) gets a permanent no-op 'error' listener, because
 * graphql-ws detaches `onerror` while terminating and an 'error' emitted with
 * no listener would crash the process.
 */
async function resolveWebSocket(given: unknown): Promise<WsCtor> {
  let impl = given as WsCtor | undefined;
  if (!impl) impl = (globalThis as { WebSocket?: WsCtor }).WebSocket;
  if (!impl) {
    try {
      // A variable specifier: `ws` is an optional peer, not needed to compile or to run where WebSocket is global.
      const name = 'ws';
      const mod = (await import(name)) as { default?: WsCtor; WebSocket?: WsCtor };
      impl = mod.WebSocket ?? mod.default;
    } catch {
      throw new PedigreeError(
        ClientCode.WEBSOCKET_UNAVAILABLE,
        'this runtime has no global WebSocket (Node 20): install the "ws" package or pass webSocketImpl',
      );
    }
  }
  const Base = impl!;
  if (typeof (Base.prototype as { on?: unknown }).on !== 'function') return Base;
  // A subclass keeps the static OPEN/CLOSING constants graphql-ws reads.
  return class extends (Base as new (
    url: string,
    protocols?: string | string[],
  ) => { on(event: string, fn: () => void): void }) {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      this.on('error', () => undefined);
    }
  } as unknown as WsCtor;
}
