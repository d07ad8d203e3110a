import type { AddressInfo } from 'node:net';
import type { Driver } from 'neo4j-driver';
import type { GraphQLSchema } from 'graphql';
import type { Config } from './config.js';
import { CommitTrackingExecutor } from './events/commit-sequence.js';
import type { Executor, WriteObserver } from './graph/executor.js';
import { applyMigrations } from './graph/migrations.js';
import type { Logger } from './logger.js';
import { ensurePrivateDir } from './private-dir.js';
import { signingKeyDir } from './operations/attestation/key-store.js';
import { buildPedigreeSchema } from './schema/index.js';
import { enforcePolicy } from './server/authorize.js';
import { createHttpServer, type HttpServer } from './server/http.js';
import { Metrics } from './server/metrics.js';
import { createServices, type Services, type ServicesOptions } from './services.js';

export interface App {
  executor: Executor;
  services: Services;
  schema: GraphQLSchema;
  metrics: Metrics;
  /** Listens on host:port (0 picks a free port) and returns the bound URL. */
  listen(port: number, host?: string): Promise<RunningServer>;
}

/**
 * The write path on /metrics: how long writes queue for their group (the
 * number to watch: its p99 rising means writes arrive faster than groups
 * commit), how long write transactions run and hold the event counter, and
 * how many writes each carries.
 */
function writeMetrics(metrics: Metrics): WriteObserver {
  const wait = metrics.histogram(
    'pedigree_write_group_wait_seconds',
    'Time a write waited from its arrival to the start of the transaction that carried it out (group commit queueing)',
  );
  const tx = metrics.histogram('pedigree_write_transaction_seconds', 'Write transactions: first statement to commit');
  const held = metrics.histogram(
    'pedigree_event_counter_held_seconds',
    'Per write transaction that appended events: time from its first event append (the global event counter lock) to its commit',
  );
  const size = metrics.histogram(
    'pedigree_write_group_writes',
    'Writes one committed write transaction carried',
    [1, 2, 4, 8, 16, 32, 64, 128, 256, 1000],
  );
  const batched = metrics.family(
    'pedigree_write_batched_total',
    'Writes carried out inside a batch (one statement per step for a run of same-kind writes)',
    'counter',
  );
  return {
    groupWait: (s) => wait.observe(s),
    committed: (c) => {
      tx.observe(c.seconds);
      size.observe(c.writes);
      if (c.counterHeldSeconds !== null) held.observe(c.counterHeldSeconds);
      if (c.batched) batched.inc({}, c.batched);
    },
  };
}

export interface RunningServer {
  url: string;
  port: number;
  http: HttpServer;
  close(): Promise<void>;
}

/** The alias view and the read position on /metrics (README, "The alias view"). */
function registerViewMetrics(metrics: Metrics, services: Services): void {
  const view = services.aliasView;
  const tailer = services.events.tailer;
  const num = (s: string | null) => (s === null ? 0 : Number(s));
  metrics.gauge(
    'pedigree_alias_view_ready',
    '1 while the alias view answers alias, latest, stage and number lookups; 0 while it builds, or when it is off or over its memory budget',
    () => (view.status === 'ready' ? 1 : 0),
  );
  metrics.gauge(
    'pedigree_alias_view_bytes',
    'Estimated bytes the alias view holds (bounded by PEDIGREE_ALIAS_VIEW_MAX_BYTES)',
    () => view.view.bytes,
  );
  metrics.gauge('pedigree_alias_view_models', 'Models in the alias view', () => view.view.stats().models);
  metrics.gauge('pedigree_alias_view_aliases', 'Aliases in the alias view', () => view.view.stats().aliases);
  metrics.gauge(
    'pedigree_alias_view_pointer_bytes',
    'Estimated bytes of the alias view without its version record cache (pointers, model records)',
    () => view.view.stats().pointerBytes,
  );
  metrics.gauge(
    'pedigree_alias_view_models_read',
    'Models someone looked up, whose records the alias view reads and keeps current',
    () => view.view.stats().hotModels,
  );
  metrics.gauge(
    'pedigree_alias_view_versions_cached',
    'Version records the alias view keeps (at most PEDIGREE_ALIAS_VIEW_RECORDS, least recently used go first)',
    () => view.view.stats().cachedVersions,
  );
  metrics.gauge(
    'pedigree_alias_view_build_seconds',
    'How long the last build of the alias view took',
    () => (view.lastBuild?.ms ?? 0) / 1000,
  );
  metrics.gauge(
    'pedigree_alias_view_lookups_total',
    'Lookups the alias view answered',
    () => view.lookups.hit,
    'counter',
  );
  metrics.gauge(
    'pedigree_alias_view_misses_total',
    'Lookups the alias view could not answer (sent to Neo4j)',
    () => view.lookups.miss,
    'counter',
  );
  metrics.gauge('pedigree_event_tailer_sequence', 'Last event sequence this replica has read from the log', () =>
    num(tailer.position),
  );
  metrics.gauge(
    'pedigree_read_position_sequence',
    'Last event sequence every answer of this replica reflects (what Pedigree-Min-Sequence waits for)',
    () => num(view.applied()),
  );
}

/**
 * The composition root shared by `npm start` and the tests: executor →
 * migrations → services → schema → HTTP + websocket server.
 */
export async function createApp(
  config: Config,
  driver: Driver,
  log: Logger,
  opts: Pick<ServicesOptions, 'testOnlyUngoverned' | 'changeTracker'> = {},
): Promise<App> {
  // Artefacts and signing keys live here: this user's alone (0700), tightened if a looser one exists.
  ensurePrivateDir(config.dataDir);
  ensurePrivateDir(signingKeyDir(config.dataDir));
  const metrics = new Metrics();
  // Request writes are tracked for their consistency token (src/events/commit-sequence.ts).
  const executor = new CommitTrackingExecutor(driver, config.neo4j.database, log, undefined, {
    writeGroup: config.writeGroup,
    batching: config.writeBatching,
    observer: writeMetrics(metrics),
  });
  await applyMigrations(executor, log);
  const health = metrics.family(
    'pedigree_deployment_health',
    'Newest health signal per deployment, model version and metric (ingested through this replica)',
    'gauge',
  );
  const services = createServices(executor, config, log, {
    ...opts,
    onHealthSample: (labels, value) => health.set(labels, value),
  });
  const schema = enforcePolicy(await buildPedigreeSchema(), { anonymousRead: config.security.anonymousRead });
  const bootstrap = await services.tokens.bootstrapAdmin();
  if (bootstrap) {
    // Printed once, on the first start only: the hash is all that is stored.
    log.warn(
      { principal: bootstrap.principal.name, token: bootstrap.token },
      'created the first admin API token; store it now, it will not be shown again (or set PEDIGREE_ADMIN_TOKEN)',
    );
  }
  metrics.gauge('pedigree_cypher_statements_total', 'Cypher statements run since start', () => executor.statementCount);
  metrics.gauge(
    'pedigree_process_resident_memory_bytes',
    "The API process's resident memory",
    () => process.memoryUsage().rss,
  );
  metrics.gauge(
    'pedigree_process_heap_used_bytes',
    "The API process's V8 heap in use",
    () => process.memoryUsage().heapUsed,
  );
  metrics.gauge(
    'pedigree_backup_last_success_timestamp_seconds',
    'When the last backup of this process finished (0: none yet)',
    () => (services.backup.last?.finishedAt ?? 0) / 1000,
  );
  metrics.gauge(
    'pedigree_backup_last_pause_seconds',
    'How long the last backup held writes',
    () => (services.backup.last?.pauseMs ?? 0) / 1000,
  );
  registerViewMetrics(metrics, services);

  return {
    executor,
    services,
    schema,
    metrics,
    listen: async (port, host = config.host) => {
      const http = await createHttpServer({
        schema,
        services,
        log,
        metrics,
        introspection: config.introspection,
        wsMaxBufferedBytes: config.wsMaxBufferedBytes,
        operationCacheEntries: config.operationCacheEntries,
        security: config.security,
        webhookTimeoutMs: config.webhooks.timeoutMs,
        mlflowUiDir: config.mlflowUiDir,
      });
      await new Promise<void>((res, rej) => {
        http.server.once('error', rej);
        http.server.listen(port, host, () => res());
      });
      await services.background.start();
      const bound = (http.server.address() as AddressInfo).port;
      const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
      return {
        url: `http://${shown}:${bound}/graphql`,
        port: bound,
        http,
        close: async () => {
          // The server drains first (no new subscriptions or writes), then the background work stops.
          await http.stop();
          await services.background.stop();
        },
      };
    },
  };
}
