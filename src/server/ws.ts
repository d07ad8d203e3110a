import type { Server } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Logger } from '../logger.js';
import type { Services } from '../services.js';
import { createContext } from './context.js';
import { createErrorFormatter } from './errors.js';

export interface WsOptions {
  server: Server;
  schema: GraphQLSchema;
  services: Services;
  log: Logger;
  /** Largest accepted websocket message in bytes. */
  maxPayloadBytes?: number;
}

/**
 * graphql-ws on the HTTP server's /graphql path. Each operation gets its own
 * context (and so its own DataLoaders); results and errors go through the same
 * masking as HTTP.
 */
export function attachWebSocket(opts: WsOptions): { dispose(): Promise<void> } {
  const wss = new WebSocketServer({ server: opts.server, path: '/graphql', maxPayload: opts.maxPayloadBytes ?? 1024 * 1024 });
  const format = createErrorFormatter(opts.log);
  const cleanup = useServer(
    {
      schema: opts.schema,
      context: () => createContext(opts.services, opts.log, { name: 'anonymous', role: null }),
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: result.errors.map((e) => format(e.toJSON(), e)) } : undefined,
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => format(e.toJSON(), e)),
    },
    wss,
  );
  return {
    dispose: async () => {
      await cleanup.dispose();
    },
  };
}
