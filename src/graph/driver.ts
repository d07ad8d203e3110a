import neo4j, { type AuthToken, type AuthTokenManager, type Driver } from 'neo4j-driver';
import type { Logger } from '../logger.js';

/**
 * One driver per process. `password` is the password itself, or a function
 * that returns the current one, asked for each new connection: the driver
 * then follows an embedded Neo4j that restarted with a new password.
 */
export function createDriver(
  uri: string,
  user: string,
  password: string | (() => string),
  log: Logger,
  opts: { retryMs?: number } = {},
): Driver {
  // Asked on every new connection (cheap): the driver's own rotating manager only
  // refreshes after a refusal on an open connection, not one at login.
  const auth: AuthToken | AuthTokenManager =
    typeof password === 'string'
      ? neo4j.auth.basic(user, password)
      : { getToken: () => neo4j.auth.basic(user, password()), handleSecurityException: () => false };
  return neo4j.driver(uri, auth, {
    maxConnectionPoolSize: 64,
    // How long a request waits for an unavailable database before it fails
    // with UNAVAILABLE (PEDIGREE_NEO4J_RETRY_MS): retries span a restart or a
    // leader election; a client waits no longer than this.
    connectionAcquisitionTimeout: opts.retryMs ?? 30_000,
    maxTransactionRetryTime: opts.retryMs ?? 30_000,
    logging: {
      level: 'warn',
      logger: (level, message) => log[level === 'error' ? 'error' : 'warn']({ neo4j: message }, 'neo4j driver'),
    },
  });
}

/** Waits until Neo4j answers, for servers started beside us (compose, tests). */
export async function waitForDatabase(driver: Driver, database: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      await driver.verifyConnectivity({ database });
      return;
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  throw new Error(`Neo4j did not answer within ${timeoutMs} ms: ${(last as Error)?.message}`);
}
