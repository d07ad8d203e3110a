import type { Server } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../logger.js';
import type { Services } from '../services.js';
import { createContext } from './context.js';
import { createErrorFormatter } from './errors.js';
import { SharedExecutions } from './shared-subscriptions.js';
import { SLOW_SUBSCRIBER_CLOSE } from './ws-codes.js';

export interface WsOptions {
  server: Server;
  schema: GraphQLSchema;
  services: Services;
  log: Logger;
  /** Largest accepted websocket message in bytes. */
  maxPayloadBytes?: number;
  /** A socket with more unsent bytes than this is closed with SLOW_SUBSCRIBER_CLOSE. Default 4 MiB. */
  maxBufferedBytes?: number;
}

export interface WsHandle {
  /** Shared subscription executions (see SharedExecutions). */
  shared: SharedExecutions;
  /** Sockets closed as slow subscribers since start. */
  readonly slowClosures: number;
  dispose(): Promise<void>;
}

/**
 * graphql-ws on the HTTP server's /graphql path. Each operation gets its own
 * context (and so its own DataLoaders); results and errors go through the same
 * masking as HTTP. Subscriptions share one execution per (operation,
 * variables, actor) and event; a socket that falls behind is closed with
 * SLOW_SUBSCRIBER_CLOSE so it slows nobody else. The process's event runtime
 * (tailer, webhook dispatcher) starts here and stops with the drain.
 */
export function attachWebSocket(opts: WsOptions): WsHandle {
  const wss = new WebSocketServer({ server: opts.server, path: '/graphql', maxPayload: opts.maxPayloadBytes ?? 1024 * 1024 });
  const format = createErrorFormatter(opts.log);
  const maxBuffered = opts.maxBufferedBytes ?? 4 * 1024 * 1024;
  const shared = new SharedExecutions();
  let slowClosures = 0;
  const closeSlow = (socket: WebSocket, why: string) => {
    if (socket.readyState !== socket.OPEN) return;
    slowClosures++;
    opts.log.info({ why }, 'closing a slow subscriber');
    socket.close(SLOW_SUBSCRIBER_CLOSE, why);
  };
  void opts.services.events.start().catch((err) => opts.log.error({ err }, 'event runtime failed to start'));
  const cleanup = useServer<Record<string, unknown> | undefined, { socket: WebSocket }>(
    {
      schema: opts.schema,
      subscribe: shared.subscribe,
      context: (ctx) => ({
        ...createContext(opts.services, opts.log, { name: 'anonymous', role: null }),
        socket: { close: (code: number, reason: string) => closeSlow(ctx.extra.socket, reason) },
      }),
      onNext: (ctx, _id, _payload, _args, result) => {
        const buffered = ctx.extra.socket.bufferedAmount;
        if (buffered > maxBuffered) closeSlow(ctx.extra.socket, `subscriber too slow: ${buffered} bytes unsent; reconnect with after`);
        return result.errors ? { ...result, errors: result.errors.map((e) => format(e.toJSON(), e)) } : undefined;
      },
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => format(e.toJSON(), e)),
    },
    wss,
  );
  return {
    shared,
    get slowClosures() {
      return slowClosures;
    },
    dispose: async () => {
      await cleanup.dispose();
      await opts.services.events.stop();
    },
  };
}
