import { resolve } from 'node:path';

/**
 * Pedigree's configuration: the only reader of process.env. Parsed once at
 * start-up; every problem is listed in one error so a bad deployment fails fast.
 */
export interface Config {
  port: number;
  host: string;
  /** Unset → start the embedded Neo4j under dataDir. */
  neo4j: { uri?: string; user: string; password: string; database: string };
  /** How long the driver retries a transaction (and waits for a connection) while Neo4j is unavailable (ms). */
  neo4jRetryMs: number;
  /** Most writes one group commit carries (src/graph/executor.ts); 1 turns grouping off. */
  writeGroup: number;
  /** Runs a group's consecutive same-kind writes as one batch, one statement per step (src/graph/executor.ts). */
  writeBatching: boolean;
  dataDir: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  nodeEnv: string;
  introspection: boolean;
  /** `file:` artifact sources are refused unless this is set. */
  allowFileSources: boolean;
  /** How often each replica polls the event log for events written by others (ms). */
  eventPollMs: number;
  /**
   * The alias view (src/registry/view): alias, `latest`, stage and number
   * lookups answered from memory. Past `maxBytes` (estimated) it turns itself
   * off and those reads go to Neo4j.
   */
  aliasView: { enabled: boolean; maxBytes: number; records: number };
  /** Longest wait for a consistency token (Pedigree-Min-Sequence) before UNAVAILABLE (ms). */
  minSequenceWaitMs: number;
  /** Days kept of health samples and of finished webhook deliveries (0 = forever), and how often the pruner runs. */
  retention: { healthSampleDays: number; deliveryDays: number; intervalMs: number };
  /**
   * Days a version that was ever in PRODUCTION is kept (its deletion, and so
   * its artefacts', refused) after it left PRODUCTION, so a rollback to it
   * stays possible. 0 = forever.
   */
  productionRetentionDays: number;
  /** Subscription sockets whose unsent bytes exceed this are closed with 4413 (resume with `after`). */
  wsMaxBufferedBytes: number;
  /**
   * Documents each GraphQL operation cache keeps (parsed documents, persisted queries, limit plans); 0 turns them off.
   */
  operationCacheEntries: number;
  /** Live events one subscription may hold while its client is behind; past it the socket is closed with 4413. */
  wsMaxQueuedEvents: number;
  webhooks: {
    /** Lifts the SSRF address rule (loopback, private, link-local targets): tests and on-prem only. */
    allowPrivate: boolean;
    /** Hostnames webhooks may target (exact or `*.example.com`); empty: any public host. */
    allowHosts: string[];
    /** Retry backoff scale and cap (ms); see src/events/webhooks/backoff.ts. */
    backoffBaseMs: number;
    backoffMaxMs: number;
    /** Per-attempt timeout of a delivery POST (ms). */
    timeoutMs: number;
  };
  embedded: { heapMb: number; pagecacheMb: number };
  /** Every recordDeployment must carry a valid attestation per model (operations). */
  requireAttestation: boolean;
  /**
   * Encrypts the attestation signing keys' private halves at rest in the graph.
   * Unset → private keys are kept as 0600 files under dataDir/signing-keys.
   */
  signingSecret: string | null;
  /** Authentication, roles and request hardening (see README, "Governance and security"). */
  security: SecurityConfig;
  /**
   * PEDIGREE_PROTECTED_ALIASES: the aliases every new model protects (moving one
   * is a promotion), and what a model with no list of its own protects. The one
   * source of the default; empty: none.
   */
  protectedAliases: string[];
  /**
   * PEDIGREE_MLFLOW_UI: a directory holding the MLflow UI's static build
   * (`mlflow/server/js/build` of an installed `mlflow` wheel), served at
   * `/mlflow/` against Pedigree's MLflow API; null: not served.
   */
  mlflowUiDir: string | null;
  /**
   * OpenLineage emission: with `url`, each model registration is POSTed there as
   * an OpenLineage event, retried from the outbox like a webhook (src/provenance/openlineage/emission.ts).
   */
  openLineage: { url: string | null; apiKey: string | null; namespace: string };
  /** The artifact proxy's limits (src/artifacts/artifact.service.ts); 0 turns a quota or the floor off. */
  artifacts: {
    /** Largest file one upload may store. */
    maxFileBytes: number;
    /** Bytes each principal's uploads may hold in total (charged to the uploader). */
    principalQuotaBytes: number;
    /** Bytes all uploads through the proxy may hold in total. */
    storeQuotaBytes: number;
    /** Free bytes the store's volume (shared with the embedded Neo4j) always keeps. */
    minFreeBytes: number;
  };
}

export interface SecurityConfig {
  /** PEDIGREE_ADMIN_TOKEN: accepted as the `admin` principal. Unset → first start creates an admin token. */
  adminToken?: string;
  /** PEDIGREE_ANONYMOUS_READ: queries (never mutations or subscriptions) without a token. */
  anonymousRead: boolean;
  /** How long a token lookup is reused per process (ms, ≤ 5 000): the bound on revocation delay. */
  tokenCacheMs: number;
  /** Largest HTTP request body (bytes): sized for one 10 000-prediction logPredictions batch. */
  maxBodyBytes: number;
  /** Largest graphql-ws message (bytes). */
  wsMaxPayloadBytes: number;
  /**
   * Origins a browser may open the websocket from; `*` allows any. Requests without Origin (non-browser clients) pass.
   */
  allowedOrigins: string[];
  /** Host header values (without port) accepted on websocket upgrades; `*` allows any. */
  allowedHosts: string[];
  /** GraphQL operation limits (src/server/limits). */
  maxDepth: number;
  maxCost: number;
  maxAliases: number;
  /** Promotion requests expire this long after they are made (hours). */
  promotionExpiryHours: number;
}

type Env = Record<string, string | undefined>;

const GIB = 1024 * 1024 * 1024;

export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const int = (name: string, def: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return def;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name} must be an integer in [${min}, ${max}], got "${raw}"`);
      return def;
    }
    return n;
  };
  const bool = (name: string, def: boolean): boolean => {
    const raw = env[name];
    if (raw === undefined || raw === '') return def;
    if (/^(true|1|yes)$/i.test(raw)) return true;
    if (/^(false|0|no)$/i.test(raw)) return false;
    problems.push(`${name} must be true or false, got "${raw}"`);
    return def;
  };
  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
  const logLevel = (env.LOG_LEVEL ?? 'info') as Config['logLevel'];
  if (!levels.includes(logLevel))
    problems.push(`LOG_LEVEL must be one of ${levels.join(', ')}, got "${env.LOG_LEVEL}"`);

  const uri = env.NEO4J_URI || undefined;
  if (uri && !/^(bolt|neo4j)(\+s|\+ssc)?:\/\/[^\s]+$/.test(uri)) {
    problems.push(`NEO4J_URI must be a bolt:// or neo4j:// URI (optionally +s or +ssc), got "${uri}"`);
  }
  const nodeEnv = env.NODE_ENV ?? 'development';
  const list = (name: string, def: string[]): string[] => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return def;
    return raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  };
  const adminToken = env.PEDIGREE_ADMIN_TOKEN || undefined;
  if (adminToken !== undefined && (adminToken.length < 32 || !/^[A-Za-z0-9._~+/=-]+$/.test(adminToken))) {
    problems.push(
      'PEDIGREE_ADMIN_TOKEN must be at least 32 characters of [A-Za-z0-9._~+/=-] (use `openssl rand -base64 32`)',
    );
  }
  const signingSecret = env.PEDIGREE_SIGNING_SECRET || null;
  let openLineageUrl = env.PEDIGREE_OPENLINEAGE_URL || null;
  if (openLineageUrl !== null) {
    let parsed: URL | null = null;
    try {
      parsed = new URL(openLineageUrl);
    } catch {
      // reported below
    }
    if (!parsed || !/^https?:$/.test(parsed.protocol)) {
      problems.push(`PEDIGREE_OPENLINEAGE_URL must be an http(s) URL, got "${openLineageUrl}"`);
      openLineageUrl = null;
    } else if (parsed.pathname === '/' || parsed.pathname === '') {
      // A base URL, as OPENLINEAGE_URL is for the clients: the spec's endpoint is appended.
      parsed.pathname = '/api/v1/lineage';
      openLineageUrl = parsed.toString();
    }
  }
  // Unset: the documented default; set but empty: no alias is protected by default.
  const protectedAliases =
    env.PEDIGREE_PROTECTED_ALIASES === undefined
      ? ['production', 'champion']
      : [
          ...new Set(
            env.PEDIGREE_PROTECTED_ALIASES.split(',')
              .map((s) => s.trim())
              .filter(Boolean),
          ),
        ];
  for (const a of protectedAliases) {
    if (!/^[A-Za-z0-9_.-]{1,128}$/.test(a) || /^\d+$/.test(a) || /^v\d+$/i.test(a) || a.toLowerCase() === 'latest') {
      problems.push(
        `PEDIGREE_PROTECTED_ALIASES must be comma-separated alias names (letters, digits, "_", "-", "."; not numeric, "v<number>" or "latest"), got "${a}"`,
      );
    }
  }
  let mlflowUiDir: string | null = null;
  const ui = env.PEDIGREE_MLFLOW_UI;
  if (ui && !/^(off|false|0|no)$/i.test(ui)) {
    if (/^(on|true|1|yes)$/i.test(ui))
      problems.push(
        'PEDIGREE_MLFLOW_UI must be the directory of the MLflow UI build (mlflow/server/js/build of an installed mlflow wheel; see the README), not "on"',
      );
    else mlflowUiDir = resolve(ui);
  }
  if (signingSecret !== null && signingSecret.length < 16)
    problems.push('PEDIGREE_SIGNING_SECRET must be at least 16 characters');

  const config: Config = {
    port: int('PORT', 4000, 0, 65535),
    host: env.HOST || '0.0.0.0',
    neo4j: {
      uri,
      user: env.NEO4J_USER ?? 'neo4j',
      password: env.NEO4J_PASSWORD ?? '',
      database: env.NEO4J_DATABASE || 'neo4j',
    },
    neo4jRetryMs: int('PEDIGREE_NEO4J_RETRY_MS', 30_000, 100, 600_000),
    writeGroup: int('PEDIGREE_WRITE_GROUP', 32, 1, 1000),
    writeBatching: bool('PEDIGREE_WRITE_BATCH', true),
    dataDir: resolve(env.PEDIGREE_DATA_DIR || '.pedigree'),
    logLevel,
    nodeEnv,
    introspection: bool('PEDIGREE_INTROSPECTION', nodeEnv !== 'production'),
    allowFileSources: bool('PEDIGREE_ALLOW_FILE_SOURCES', false),
    eventPollMs: int('PEDIGREE_EVENT_POLL_MS', 200, 10, 60_000),
    aliasView: {
      enabled: bool('PEDIGREE_ALIAS_VIEW', true),
      maxBytes: int('PEDIGREE_ALIAS_VIEW_MAX_BYTES', 256 * 1024 * 1024, 1024 * 1024, 2 ** 40),
      records: int('PEDIGREE_ALIAS_VIEW_RECORDS', 50_000, 100, 10_000_000),
    },
    minSequenceWaitMs: int('PEDIGREE_MIN_SEQUENCE_WAIT_MS', 2_000, 0, 60_000),
    retention: {
      healthSampleDays: int('PEDIGREE_HEALTH_RETENTION_DAYS', 30, 0, 36_500),
      deliveryDays: int('PEDIGREE_DELIVERY_RETENTION_DAYS', 30, 0, 36_500),
      intervalMs: int('PEDIGREE_RETENTION_INTERVAL_MS', 3_600_000, 1_000, 86_400_000),
    },
    productionRetentionDays: int('PEDIGREE_PRODUCTION_RETENTION_DAYS', 365, 0, 36_500),
    wsMaxQueuedEvents: int('PEDIGREE_WS_MAX_QUEUED_EVENTS', 10_000, 1, 10_000_000),
    wsMaxBufferedBytes: int('PEDIGREE_WS_MAX_BUFFERED_BYTES', 4 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    operationCacheEntries: int('PEDIGREE_OPERATION_CACHE_ENTRIES', 1000, 0, 100_000),
    webhooks: {
      allowPrivate: bool('PEDIGREE_WEBHOOK_ALLOW_PRIVATE', false),
      allowHosts: (env.PEDIGREE_WEBHOOK_ALLOW_HOSTS ?? '')
        .split(',')
        .map((h) => h.trim())
        .filter(Boolean),
      backoffBaseMs: int('PEDIGREE_WEBHOOK_BACKOFF_BASE_MS', 1000, 0, 3_600_000),
      backoffMaxMs: int('PEDIGREE_WEBHOOK_BACKOFF_MAX_MS', 3_600_000, 0, 86_400_000),
      timeoutMs: int('PEDIGREE_WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000),
    },
    embedded: {
      heapMb: int('PEDIGREE_NEO4J_HEAP_MB', 768, 256, 65536),
      pagecacheMb: int('PEDIGREE_NEO4J_PAGECACHE_MB', 128, 16, 65536),
    },
    security: {
      adminToken,
      anonymousRead: bool('PEDIGREE_ANONYMOUS_READ', false),
      tokenCacheMs: int('PEDIGREE_TOKEN_CACHE_MS', 2000, 0, 5000),
      maxBodyBytes: int('PEDIGREE_MAX_BODY_BYTES', 4 * 1024 * 1024, 1024, 64 * 1024 * 1024),
      wsMaxPayloadBytes: int('PEDIGREE_WS_MAX_PAYLOAD_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
      allowedOrigins: list('PEDIGREE_ALLOWED_ORIGINS', ['http://localhost', 'http://127.0.0.1', 'http://[::1]']),
      allowedHosts: list('PEDIGREE_ALLOWED_HOSTS', ['localhost', '127.0.0.1', '[::1]']),
      maxDepth: int('PEDIGREE_MAX_DEPTH', 12, 2, 100),
      maxCost: int('PEDIGREE_MAX_COST', 50_000, 100, 10_000_000),
      maxAliases: int('PEDIGREE_MAX_ALIASES', 15, 0, 15),
      promotionExpiryHours: int('PEDIGREE_PROMOTION_EXPIRY_HOURS', 7 * 24, 1, 24 * 365),
    },
    requireAttestation: bool('PEDIGREE_REQUIRE_ATTESTATION', false),
    signingSecret,
    protectedAliases,
    mlflowUiDir,
    openLineage: {
      url: openLineageUrl,
      apiKey: env.PEDIGREE_OPENLINEAGE_API_KEY || null,
      namespace: env.PEDIGREE_OPENLINEAGE_NAMESPACE || 'pedigree',
    },
    artifacts: {
      maxFileBytes: int('PEDIGREE_ARTIFACT_MAX_FILE_BYTES', 2 * GIB, 1, 2 ** 50),
      principalQuotaBytes: int('PEDIGREE_ARTIFACT_QUOTA_BYTES', 50 * GIB, 0, 2 ** 50),
      storeQuotaBytes: int('PEDIGREE_ARTIFACT_STORE_QUOTA_BYTES', 0, 0, 2 ** 50),
      minFreeBytes: int('PEDIGREE_ARTIFACT_MIN_FREE_BYTES', GIB, 0, 2 ** 50),
    },
  };
  if (problems.length) throw new Error(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  return config;
}
