import type { Config } from './config.js';
import type { Executor } from './graph/executor.js';
import type { Logger } from './logger.js';
import { EventsService } from './events/events.service.js';
import { SystemService } from './system/system.service.js';

/** The domain services, one instance each per process. Resolvers reach them through the context. */
export interface Services {
  system: SystemService;
  events: EventsService;
}

export function createServices(executor: Executor, config: Config, log: Logger): Services {
  return {
    system: new SystemService(executor),
    events: new EventsService(executor, config, log),
  };
}
