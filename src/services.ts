import type { Config } from './config.js';
import type { Executor } from './graph/executor.js';
import type { Logger } from './logger.js';
import { TokenService } from './governance/token.service.js';
import { SystemService } from './system/system.service.js';

/** The domain services, one instance each per process. Resolvers reach them through the context. */
export interface Services {
  system: SystemService;
  tokens: TokenService;
}

export function createServices(executor: Executor, config: Config, log: Logger): Services {
  return {
    system: new SystemService(executor),
    tokens: new TokenService(executor, { adminToken: config.security.adminToken, cacheMs: config.security.tokenCacheMs }, log),
  };
}
