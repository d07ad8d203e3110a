import { WebSocket } from 'ws';
import type { Logger } from '../logger.js';
import type { SharedExecutions } from './shared-subscriptions.js';

/**
 * The class of the graphql-ws server's sockets (`WebSocketServer`'s
 * `WebSocket` option): the one place where Pedigree changes how a socket
 * sends and reports, for every connection alike.
 *
 * - send: text passes through `shared.expand`, so a subscription result
 *   shared by many sockets is written from its one serialised JSON text
 *   (SharedExecutions.payloadFor); anything else is sent unchanged.
 * - error: a client that breaks the websocket protocol (a message over
 *   PEDIGREE_WS_MAX_PAYLOAD_BYTES, invalid UTF-8, a bad frame) makes `ws`
 *   close the socket with the matching code (1009, 1007, 1002) and emit
 *   `error`; graphql-ws would print that to stderr as an internal error with
 *   a stack, so any client could fill the logs with false alarms. Those
 *   errors (`code` WS_ERR_*) are logged as what they are and go no further;
 *   every other error still reaches graphql-ws.
 */
export function pedigreeSocketClass(shared: SharedExecutions, log: Logger): typeof WebSocket {
  return class PedigreeSocket extends WebSocket {
    override send(data: unknown, ...rest: unknown[]): void {
      const out = typeof data === 'string' ? shared.expand(data) : data;
      (WebSocket.prototype.send as (this: WebSocket, ...args: unknown[]) => void).call(this, out, ...rest);
    }

    override emit(event: string | symbol, ...args: unknown[]): boolean {
      const err = args[0] as { code?: unknown; message?: unknown } | undefined;
      if (event === 'error' && typeof err?.code === 'string' && err.code.startsWith('WS_ERR_')) {
        log.info({ code: err.code, reason: String(err.message) }, 'websocket closed: the client broke the protocol');
        return true;
      }
      return super.emit(event, ...args);
    }
  };
}
