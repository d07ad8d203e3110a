import { AnalyticsService } from './analytics/analytics.service.js';
import type { Config } from './config.js';
import type { Executor } from './graph/executor.js';
import type { Logger } from './logger.js';
import { AuditService } from './registry/audit.service.js';
import { LifecycleService } from './registry/lifecycle.service.js';
import { RegistryService } from './registry/registry.service.js';
import { ProvenanceService } from './provenance/provenance.service.js';
import { SystemService } from './system/system.service.js';

/** The domain services, one instance each per process. Resolvers reach them through the context. */
export interface Services {
  system: SystemService;
  registry: RegistryService;
  lifecycle: LifecycleService;
  audit: AuditService;
  provenance: ProvenanceService;
  analytics: AnalyticsService;
}

export function createServices(executor: Executor, config: Config, _log: Logger): Services {
  const registry = new RegistryService(executor, config);
  return {
    system: new SystemService(executor),
    registry,
    lifecycle: new LifecycleService(executor, registry, config.allowFileSources),
    audit: new AuditService(executor),
    provenance: new ProvenanceService(executor),
    analytics: new AnalyticsService(executor),
  };
}
