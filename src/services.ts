import { join } from 'node:path';
import { AnalyticsService } from './analytics/analytics.service.js';
import { LocalArtifactStore } from './artifacts/artifact-store.js';
import type { Config } from './config.js';
import { EventsService } from './events/events.service.js';
import { ConsistencyGate } from './events/consistency.js';
import type { ChangeTracker } from './graph/embedded.js';
import type { Executor } from './graph/executor.js';
import { appliedMigrations } from './graph/migrations.js';
import { GraphSnapshot } from './graph/snapshot.js';
import { readVersionApprovals } from './governance/approvals.js';
import { PromotionGuard, UNGOVERNED_FOR_TESTS } from './governance/guard.js';
import { PromotionService } from './governance/promotion.service.js';
import { TokenService } from './governance/token.service.js';
import type { Logger } from './logger.js';
import { MlflowTrackingService } from './tracking/tracking.service.js';
import { BackgroundWork } from './background-work.js';
import { BackupService } from './backup/backup.js';
import { DeploymentService } from './operations/deployment.service.js';
import { ModelCardService } from './operations/model-card.service.js';
import { MonitoringService } from './operations/monitoring.service.js';
import { ProviderChangeLogService } from './operations/provider-change-log.service.js';
import { RetentionService } from './operations/retention.service.js';
import { AttestationService } from './operations/attestation.service.js';
import { createProvenanceServices, type ProvenanceServices } from './provenance/provenance-services.js';
import { AuditService } from './registry/audit.service.js';
import { LifecycleService } from './registry/lifecycle.service.js';
import { createRegistry, type Registry } from './registry/registry.js';
import { AliasViewRuntime } from './registry/view/alias-view.runtime.js';
import type { Stage } from './registry/types.js';
import { SystemService } from './system/system.service.js';
import { ArtifactSeals } from './artifacts/artifact-seals.js';
import { ArtifactService } from './artifacts/artifact.service.js';
import { OpenLineageService } from './provenance/openlineage/openlineage.service.js';
import { OpenLineageEmission } from './provenance/openlineage/emission.js';
import { MlflowWebhookFormat } from './events/webhooks/mlflow-dialect.js';

/** The domain services, one instance each per process. Resolvers reach them through the context. */
export interface Services {
  system: SystemService;
  events: EventsService;
  /** The alias view: alias, latest, stage and number lookups from memory, fed by the event log (src/registry/view). */
  aliasView: AliasViewRuntime;
  /** Consistency tokens: answers wait until this replica has applied the sequence a client's write committed at. */
  consistency: ConsistencyGate;
  /** Models, versions, aliases, lookups, batched reads and search: one service each (src/registry/registry.ts). */
  registry: Registry;
  lifecycle: LifecycleService;
  audit: AuditService;
  tokens: TokenService;
  promotions: PromotionService;
  /** One service per provenance aggregate: datasets, runs, predictions, relations, and the lineage read models. */
  provenance: ProvenanceServices;
  mlflow: MlflowTrackingService;
  /** The artifact store behind its rules: write-once seals, owners, quotas, verified reads. */
  artifacts: ArtifactService;
  deployments: DeploymentService;
  modelCards: ModelCardService;
  attestations: AttestationService;
  providerChangeLog: ProviderChangeLogService;
  monitoring: MonitoringService;
  analytics: AnalyticsService;
  /** OpenLineage ingestion: pipelines' run events mapped onto provenance (src/provenance/openlineage). */
  openLineage: OpenLineageService;
  /** Prunes old health samples and finished webhook deliveries; runs as background work. */
  retention: RetentionService;
  /** The process's background work, started and stopped in one place (see {@link BackgroundWork}). */
  background: BackgroundWork;
  /** Online backups (POST /admin/backup, `npm run backup`). */
  backup: BackupService;
}

export interface ServicesOptions {
  /** Receives each health signal's newest value after commit (the app exports them on /metrics). */
  onHealthSample?: (labels: Record<string, string>, value: number) => void;
  /**
   * TEST ONLY: build the registry without governance's guard, so CANARY,
   * PRODUCTION and protected aliases can be reached directly (for tests of the
   * registry's own gates). Never set by the server.
   */
  testOnlyUngoverned?: boolean;
  /**
   * The embedded Neo4j's change tracker (src/graph/embedded.ts), which lets a
   * backup include the graph while writes go on; absent with an external
   * NEO4J_URI, whose graph Neo4j's own tools back up.
   */
  changeTracker?: ChangeTracker;
}

/**
 * Builds the services in dependency order, each with its collaborators
 * passed to its constructor: the artifact store's seals and governance's
 * guard before the registry (which seals what it registers, and asks the
 * guard about every direct change of a governed target), the registry and
 * lifecycle before the promotion service (which carries approved promotions
 * out through them), attestations before promotions and deployments (which
 * sign and verify with them).
 */
export function createServices(executor: Executor, config: Config, log: Logger, opts: ServicesOptions = {}): Services {
  // The artifact store's rules: seals (write-once; the registry seals what it registers) and the proxy's service.
  const artifactStore = new LocalArtifactStore(join(config.dataDir, 'artifacts'));
  const artifactLog = log.child({ component: 'artifacts' });
  const artifactSeals = new ArtifactSeals(executor, artifactStore, artifactLog);
  const artifacts = new ArtifactService(executor, artifactStore, artifactSeals, config.artifacts, artifactLog);
  const guard = opts.testOnlyUngoverned ? UNGOVERNED_FOR_TESTS : new PromotionGuard(config.protectedAliases);
  // Model registrations also go out as OpenLineage events when PEDIGREE_OPENLINEAGE_URL is set: a delivery format of
  // the webhooks.
  // MLflow-dialect webhooks (MLflow's payloads, events and signature) are another delivery format of the same engine.
  const events = new EventsService(executor, config, log, [
    new OpenLineageEmission(executor.sibling(log), config, log.child({ component: 'openlineage' })),
    new MlflowWebhookFormat(executor.sibling(log)),
  ]);
  // The alias view reads the raw event log (never the per-reader redacted view) through its own executor, as background
  // work.
  const viewLog = log.child({ component: 'alias-view' });
  const aliasView = new AliasViewRuntime(
    executor.sibling(viewLog),
    events.tailer,
    events.reader,
    config.aliasView,
    viewLog,
  );
  const consistency = new ConsistencyGate(aliasView, config.minSequenceWaitMs);
  const registry = createRegistry(executor, config, artifactSeals, guard, aliasView);
  const lifecycle = new LifecycleService(executor, registry.lookup, config.allowFileSources, artifactSeals, guard);
  const modelCards = new ModelCardService(executor, registry.lookup);
  const attestations = new AttestationService(executor, registry.lookup, modelCards, config, readVersionApprovals);
  const promotions = new PromotionService(
    executor,
    { expiryHours: config.security.promotionExpiryHours, protectedAliases: config.protectedAliases },
    {
      resolveVersion: (tx, ref) => registry.lookup.requireVersion(tx, ref),
      versionById: (tx, id) => registry.lookup.versionById(tx, id),
      transitionStage: (tx, caller, target, stage, comment) =>
        lifecycle.transitionIn(tx, caller, target.id, { stage: stage as Stage, comment }),
      moveAlias: (tx, caller, target, alias, o) => registry.aliases.moveAliasIn(tx, caller, target, alias, o),
    },
    attestations,
  );
  const provenance = createProvenanceServices(executor, registry.lookup);
  // Background work on its own executor, as the event runtime's: it neither
  // counts in the request statement budget nor nudges the event tailer.
  const retention = new RetentionService(
    executor.sibling(log),
    config.retention,
    log.child({ component: 'retention' }),
  );
  const backupLog = log.child({ component: 'backup' });
  const backup = new BackupService({
    snapshot: new GraphSnapshot(executor.sibling(backupLog)),
    writes: executor.writes,
    changes: opts.changeTracker ?? null,
    dataDir: config.dataDir,
    migrations: () => appliedMigrations(executor),
    log: backupLog,
  });
  return {
    system: new SystemService(executor),
    events,
    aliasView,
    consistency,
    registry,
    lifecycle,
    audit: new AuditService(executor),
    tokens: new TokenService(
      executor,
      { adminToken: config.security.adminToken, cacheMs: config.security.tokenCacheMs },
      log,
    ),
    promotions,
    provenance,
    mlflow: new MlflowTrackingService(executor, provenance.runs),
    artifacts,
    deployments: new DeploymentService(executor, registry.lookup, config, attestations),
    modelCards,
    attestations,
    providerChangeLog: new ProviderChangeLogService(executor),
    monitoring: new MonitoringService(executor, registry, opts.onHealthSample),
    analytics: new AnalyticsService(executor),
    openLineage: new OpenLineageService(executor, registry.versions),
    retention,
    background: new BackgroundWork(events, aliasView, retention),
    backup,
  };
}
