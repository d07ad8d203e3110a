import neo4j, { type Driver } from 'neo4j-driver';
import type { Logger } from '../logger.js';

/**
 * One driver per process. `password` is the password itself, or a function
 * that returns the current one: the driver asks again after Neo4j refuses it,
 * so it follows an embedded Neo4j that restarted with a new password.
 */
export function createDriver(uri: string, user: string, password: string | (() => string), log: Logger): Driver {
  const auth =
    typeof password === 'string'
      ? neo4j.auth.basic(user, password)
      : neo4j.authTokenManagers.basic({ tokenProvider: () => Promise.resolve(neo4j.auth.basic(user, password())) });
  return neo4j.driver(uri, auth, {
    maxConnectionPoolSize: 64,
    connectionAcquisitionTimeout: 30_000,
    maxTransactionRetryTime: 30_000,
    logging: {
      level: 'warn',
      logger: (level, message) => log[level === 'error' ? 'error' : 'warn']({ neo4j: message }, 'neo4j driver'),
    },
  });
}

/** True when Neo4j answers a trivial query now; never throws. */
export async function isDatabaseReachable(driver: Driver, database: string): Promise<boolean> {
  try {
    await driver.verifyConnectivity({ database });
    return true;
  } catch {
    return false;
  }
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
