import { AnalyticsService } from './analytics/analytics.service.js';
import type { Config } from './config.js';
import { unreachable } from './errors.js';
import type { Executor } from './graph/executor.js';
import type { Logger } from './logger.js';
import { EventsService } from './events/events.service.js';
import { AuditService } from './registry/audit.service.js';
import { LifecycleService } from './registry/lifecycle.service.js';
import { RegistryService } from './registry/registry.service.js';
import type { Stage } from './registry/types.js';
import { PromotionService } from './governance/promotion.service.js';
import { TokenService } from './governance/token.service.js';
import { ProvenanceService } from './provenance/provenance.service.js';
import { SystemService } from './system/system.service.js';
import { join } from 'node:path';
import { LocalArtifactStore } from './artifacts/artifact-store.js';
import { ArtifactSeals } from './artifacts/artifact-seals.js';
import { ArtifactService } from './artifacts/artifact.service.js';
import { MlflowTrackingService } from './mlflow/tracking.service.js';
import { DeploymentService } from './operations/deployment.service.js';
import { ModelCardService } from './operations/model-card.service.js';
import { AttestationService } from './provenance/attestation.service.js';
import { ProviderChangeLogService } from './operations/provider-change-log.service.js';
import { MonitoringService } from './operations/monitoring.service.js';
import { RetentionService } from './operations/retention.service.js';

/** The domain services, one instance each per process. Resolvers reach them through the context. */
export interface Services {
  system: SystemService;
  events: EventsService;
  registry: RegistryService;
  lifecycle: LifecycleService;
  audit: AuditService;
  tokens: TokenService;
  promotions: PromotionService;
  provenance: ProvenanceService;
  mlflow: MlflowTrackingService;
  /** The artifact store behind its rules: write-once seals, owners, quotas, verified reads. */
  artifacts: ArtifactService;
  deployments: DeploymentService;
  modelCards: ModelCardService;
  attestations: AttestationService;
  providerChangeLog: ProviderChangeLogService;
  monitoring: MonitoringService;
  /** Prunes old health samples and finished webhook deliveries; runs while the app serves. */
  retention: RetentionService;
  analytics: AnalyticsService;
}

export function createServices(executor: Executor, config: Config, log: Logger): Services {
  // The artifact store's rules: seals (write-once; the registry seals what it registers) and the proxy's service.
  const artifactStore = new LocalArtifactStore(join(config.dataDir, 'artifacts'));
  const artifactLog = log.child({ component: 'artifacts' });
  const artifactSeals = new ArtifactSeals(executor, artifactStore, artifactLog);
  const artifacts = new ArtifactService(executor, artifactStore, artifactSeals, config.artifacts, artifactLog);
  const registry = new RegistryService(executor, config, artifactSeals);
  const lifecycle = new LifecycleService(executor, registry, config.allowFileSources);
  const promotions = new PromotionService(executor, { expiryHours: config.security.promotionExpiryHours });
  // Governance carries approved promotions out through the registry's
  // transaction-level functions, and guards the registry's direct moves.
  promotions.useRegistry({
    resolveVersion: (tx, ref) => registry.requireVersion(tx, ref),
    transitionStage: (tx, actor, target, stage, comment) => lifecycle.transitionIn(tx, target.id, { stage: stage as Stage, comment }, actor),
    moveAlias: (tx, actor, target, alias, opts) => registry.moveAliasIn(tx, target, alias, actor, opts),
  });
  registry.promotionGuard = (tx, target) => {
    switch (target.kind) {
      case 'stage':
        // A reviewer may return a former production version directly: a rollback, recorded as one.
        if (target.rollbackByReviewer) return Promise.resolve();
        return promotions.assertDirectChangeAllowed(tx, { modelName: target.version.modelName, stage: target.stage });
      case 'alias':
        return promotions.assertDirectChangeAllowed(tx, { modelName: target.model.name, alias: target.alias, protectedAliases: target.model.protectedAliases });
      case 'alias-delete':
        return promotions.assertDirectChangeAllowed(tx, { modelName: target.model.name, alias: target.alias, deleteAlias: true, protectedAliases: target.model.protectedAliases });
      default:
        return unreachable(target);
    }
  };
  const modelCards = new ModelCardService(executor, registry);
  const attestations = new AttestationService(executor, registry, modelCards, config);
  // Signed provenance both ways: attestations record the version's approvals;
  // approvals run in the attestation service's transaction, so the approver's
  // key is made on their first approval and a carried-out two-person promotion
  // is signed by Pedigree and every approver in the transaction that does it.
  attestations.approvals = (tx, versionId) => promotions.approvalsOfVersion(tx, versionId);
  promotions.useAttestor(attestations);
  const deployments = new DeploymentService(executor, registry, config);
  deployments.attestations = attestations;
  const provenance = new ProvenanceService(executor, registry);
  return {
    system: new SystemService(executor),
    events: new EventsService(executor, config, log),
    registry,
    lifecycle,
    audit: new AuditService(executor),
    promotions,
    tokens: new TokenService(executor, { adminToken: config.security.adminToken, cacheMs: config.security.tokenCacheMs }, log),
    provenance,
    mlflow: new MlflowTrackingService(executor, provenance),
    artifacts,
    deployments,
    modelCards,
    attestations,
    providerChangeLog: new ProviderChangeLogService(executor),
    monitoring: new MonitoringService(executor, registry),
    // Background work on its own executor, as the event runtime's: it neither
    // counts in the request statement budget nor nudges the event tailer.
    retention: new RetentionService(executor.sibling(log), config.retention, log.child({ component: 'retention' })),
    analytics: new AnalyticsService(executor),
  };
}
