import type { Config } from './config.js';
import type { Executor } from './graph/executor.js';
import type { Logger } from './logger.js';
import { EventsService } from './events/events.service.js';
import { AuditService } from './registry/audit.service.js';
import { LifecycleService } from './registry/lifecycle.service.js';
import { RegistryService } from './registry/registry.service.js';
import { ProvenanceService } from './provenance/provenance.service.js';
import { SystemService } from './system/system.service.js';
import { DeploymentService } from './operations/deployment.service.js';
import { ModelCardService } from './operations/model-card.service.js';
import { AttestationService } from './provenance/attestation.service.js';
import { ProviderChangeLogService } from './operations/provider-change-log.service.js';
import { MonitoringService } from './operations/monitoring.service.js';

/** The domain services, one instance each per process. Resolvers reach them through the context. */
export interface Services {
  system: SystemService;
  events: EventsService;
  registry: RegistryService;
  lifecycle: LifecycleService;
  audit: AuditService;
  provenance: ProvenanceService;
  deployments: DeploymentService;
  modelCards: ModelCardService;
  attestations: AttestationService;
  providerChangeLog: ProviderChangeLogService;
  monitoring: MonitoringService;
}

export function createServices(executor: Executor, config: Config, log: Logger): Services {
  const registry = new RegistryService(executor, config);
  const modelCards = new ModelCardService(executor, registry);
  const attestations = new AttestationService(executor, registry, modelCards, config);
  const deployments = new DeploymentService(executor, registry, config);
  deployments.attestations = attestations;
  return {
    system: new SystemService(executor),
    events: new EventsService(executor, config, log),
    registry,
    lifecycle: new LifecycleService(executor, registry, config.allowFileSources),
    audit: new AuditService(executor),
    provenance: new ProvenanceService(executor, registry),
    deployments,
    modelCards,
    attestations,
    providerChangeLog: new ProviderChangeLogService(executor),
    monitoring: new MonitoringService(executor, registry),
  };
}
