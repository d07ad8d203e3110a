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
  dataDir: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  nodeEnv: string;
  introspection: boolean;
  /** `file:` artifact sources are refused unless this is set. */
  allowFileSources: boolean;
  /** How often each replica polls the event log for events written by others (ms). */
  eventPollMs: number;
  /** Subscription sockets whose unsent bytes exceed this are closed with 4413 (resume with `after`). */
  wsMaxBufferedBytes: number;
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
}

type Env = Record<string, string | undefined>;

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
  if (!levels.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${levels.join(', ')}, got "${env.LOG_LEVEL}"`);

  const uri = env.NEO4J_URI || undefined;
  if (uri && !/^(bolt|neo4j)(\+s|\+ssc)?:\/\/[^\s]+$/.test(uri)) {
    problems.push(`NEO4J_URI must be a bolt:// or neo4j:// URI (optionally +s or +ssc), got "${uri}"`);
  }
  const nodeEnv = env.NODE_ENV ?? 'development';

  const config: Config = {
    port: int('PORT', 4000, 0, 65535),
    host: env.HOST || '0.0.0.0',
    neo4j: {
      uri,
      user: env.NEO4J_USER ?? 'neo4j',
      password: env.NEO4J_PASSWORD ?? '',
      database: env.NEO4J_DATABASE || 'neo4j',
    },
    dataDir: resolve(env.PEDIGREE_DATA_DIR || '.pedigree'),
    logLevel,
    nodeEnv,
    introspection: bool('PEDIGREE_INTROSPECTION', nodeEnv !== 'production'),
    allowFileSources: bool('PEDIGREE_ALLOW_FILE_SOURCES', false),
    eventPollMs: int('PEDIGREE_EVENT_POLL_MS', 200, 10, 60_000),
    wsMaxQueuedEvents: int('PEDIGREE_WS_MAX_QUEUED_EVENTS', 10_000, 1, 10_000_000),
    wsMaxBufferedBytes: int('PEDIGREE_WS_MAX_BUFFERED_BYTES', 4 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    webhooks: {
      allowPrivate: bool('PEDIGREE_WEBHOOK_ALLOW_PRIVATE', false),
      allowHosts: (env.PEDIGREE_WEBHOOK_ALLOW_HOSTS ?? '').split(',').map((h) => h.trim()).filter(Boolean),
      backoffBaseMs: int('PEDIGREE_WEBHOOK_BACKOFF_BASE_MS', 1000, 0, 3_600_000),
      backoffMaxMs: int('PEDIGREE_WEBHOOK_BACKOFF_MAX_MS', 3_600_000, 0, 86_400_000),
      timeoutMs: int('PEDIGREE_WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000),
    },
    embedded: {
      heapMb: int('PEDIGREE_NEO4J_HEAP_MB', 768, 256, 65536),
      pagecacheMb: int('PEDIGREE_NEO4J_PAGECACHE_MB', 128, 16, 65536),
    },
  };
  if (problems.length) throw new Error(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  return config;
}
