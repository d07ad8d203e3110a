import type { Config } from './config.js';
import type { Executor } from './graph/executor.js';
import type { Logger } from './logger.js';
import { PromotionService } from './governance/promotion.service.js';
import { TokenService } from './governance/token.service.js';
import { SystemService } from './system/system.service.js';

/** The domain services, one instance each per process. Resolvers reach them through the context. */
export interface Services {
  system: SystemService;
  tokens: TokenService;
  promotions: PromotionService;
}

export function createServices(executor: Executor, config: Config, log: Logger): Services {
  return {
    system: new SystemService(executor),
    promotions: new PromotionService(executor, { expiryHours: config.security.promotionExpiryHours }),
    tokens: new TokenService(executor, { adminToken: config.security.adminToken, cacheMs: config.security.tokenCacheMs }, log),
  };
}
