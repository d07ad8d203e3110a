import { randomUUID } from 'node:crypto';
import type { Caller } from '../governance/policy.js';
import type { Logger } from '../logger.js';
import type { Services } from '../services.js';
import { createLoaders, type Loaders } from './loaders.js';

/**
 * Per-operation context, built the same way for HTTP requests and graphql-ws
 * operations. Loaders are new for every operation: over a websocket an
 * operation lives as long as its subscription, so subscription resolvers must
 * not rely on a loader's cache across events.
 */
export interface Context {
  requestId: string;
  /** Who is making the request (events record its name as `actor`). */
  actor: Caller;
  services: Services;
  loaders: Loaders;
  log: Logger;
  /** Over graphql-ws only: lets a subscription close its socket when the client falls too far behind. */
  socket?: { close(code: number, reason: string): void };
}

export function createContext(services: Services, log: Logger, actor: Caller): Context {
  const requestId = randomUUID();
  return { requestId, actor, services, loaders: createLoaders(services), log: log.child({ requestId }) };
}
