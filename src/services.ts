import type { Config } from './config.js';
import type { Executor } from './graph/executor.js';
import type { Logger } from './logger.js';
import { EventsService } from './events/events.service.js';
import { AuditService } from './registry/audit.service.js';
import { LifecycleService } from './registry/lifecycle.service.js';
import { RegistryService } from './registry/registry.service.js';
import { ProvenanceService } from './provenance/provenance.service.js';
import { SystemService } from './system/system.service.js';
import { join } from 'node:path';
import { LocalArtifactStore, type ArtifactStore } from './artifacts/artifact-store.js';
import { MlflowTrackingService } from './mlflow/tracking.service.js';

/** The domain services, one instance each per process. Resolvers reach them through the context. */
export interface Services {
  system: SystemService;
  events: EventsService;
  registry: RegistryService;
  lifecycle: LifecycleService;
  audit: AuditService;
  provenance: ProvenanceService;
  mlflow: MlflowTrackingService;
  artifacts: ArtifactStore;
}

export function createServices(executor: Executor, config: Config, log: Logger): Services {
  const registry = new RegistryService(executor, config);
  const provenance = new ProvenanceService(executor, registry);
  return {
    system: new SystemService(executor),
    events: new EventsService(executor, config, log),
    registry,
    lifecycle: new LifecycleService(executor, registry, config.allowFileSources),
    audit: new AuditService(executor),
    provenance,
    mlflow: new MlflowTrackingService(executor, provenance),
    artifacts: new LocalArtifactStore(join(config.dataDir, 'artifacts')),
  };
}
