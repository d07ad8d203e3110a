import neo4j, { type Driver, type ManagedTransaction, Neo4jError } from 'neo4j-driver';
import { conflict, DomainError } from '../errors.js';
import type { Logger } from '../logger.js';
import { declaredStatements, loadStatements, type Statement } from './cypher.js';
import { toJs, toParams, type Params } from './mapping.js';

export type Row = Record<string, unknown>;

/** A transaction as the domain sees it: named statements in, plain rows out. */
export interface Tx {
  run<T = Row>(name: Statement, params?: Params): Promise<T[]>;
}

/**
 * The one choke point for Cypher. Statements are loaded by name from cypher/,
 * run with parameters inside managed transactions (so the driver retries
 * transient failures), tagged with their name, logged at debug, and their
 * results mapped to plain JS. Constraint violations become CONFLICT.
 */
export class Executor {
  private readonly statements: Map<string, string>;
  /** Statements run since start; tests read it to hold round-trip budgets. */
  statementCount = 0;
  /**
   * Called after every write transaction commits (never for a rolled-back
   * one): the event tailer listens here to publish new events at once instead
   * of waiting for its next poll.
   */
  readonly afterCommit = new Set<() => void>();

  constructor(
    readonly driver: Driver,
    readonly database: string,
    private readonly log: Logger,
    statements = loadStatements(),
  ) {
    this.statements = statements;
    const missing = [...declaredStatements()].filter((n) => !statements.has(n));
    if (missing.length) {
      throw new Error(`missing Cypher files under cypher/: ${missing.map((n) => `${n}.cypher`).join(', ')}`);
    }
  }

  /** One statement in its own read transaction. */
  read<T = Row>(name: Statement, params: Params = {}): Promise<T[]> {
    return this.readTx((tx) => tx.run<T>(name, params), name);
  }

  /** One statement in its own write transaction. */
  write<T = Row>(name: Statement, params: Params = {}): Promise<T[]> {
    return this.writeTx((tx) => tx.run<T>(name, params), name);
  }

  /** Several statements in one read transaction. `work` may run more than once. */
  readTx<R>(work: (tx: Tx) => Promise<R>, label: string): Promise<R> {
    return this.transaction('READ', work, label);
  }

  /**
   * Several statements in one write transaction. `work` may run more than once
   * (retries on transient errors): it must have no side effects outside Neo4j.
   */
  async writeTx<R>(work: (tx: Tx) => Promise<R>, label: string): Promise<R> {
    const result = await this.transaction('WRITE', work, label);
    for (const listener of this.afterCommit) listener();
    return result;
  }

  /**
   * Runs one statement of a migration file (constraints, indexes, seed nodes).
   * Migration text comes from cypher/migrations/, never from a request.
   */
  async runSchema(text: string, migration: string): Promise<void> {
    const session = this.driver.session({ database: this.database });
    try {
      this.statementCount++;
      await session.executeWrite((tx) => tx.run(text), { metadata: { app: 'pedigree', migration } });
    } finally {
      await session.close();
    }
  }

  private async transaction<R>(mode: 'READ' | 'WRITE', work: (tx: Tx) => Promise<R>, label: string): Promise<R> {
    const session = this.driver.session({
      database: this.database,
      defaultAccessMode: mode === 'READ' ? neo4j.session.READ : neo4j.session.WRITE,
    });
    const config = { metadata: { app: 'pedigree', operation: label } };
    try {
      const fn = (mtx: ManagedTransaction) => work(this.wrap(mtx));
      return mode === 'READ' ? await session.executeRead(fn, config) : await session.executeWrite(fn, config);
    } catch (err) {
      throw this.mapError(err, label);
    } finally {
      await session.close();
    }
  }

  private wrap(mtx: ManagedTransaction): Tx {
    return {
      run: async <T>(name: Statement, params: Params = {}): Promise<T[]> => {
        const text = this.statements.get(name);
        if (text === undefined) throw new Error(`unknown Cypher statement "${name}"`);
        this.statementCount++;
        const started = performance.now();
        const result = await mtx.run(text, toParams(params) as Params);
        // At debug level every statement is logged with its time: the way to find a slow one.
        if (this.log.isLevelEnabled('debug')) this.log.debug({ statement: name, params, ms: Math.round((performance.now() - started) * 100) / 100, rows: result.records.length }, 'cypher');
        return result.records.map((r) => toJs(r.toObject()) as T);
      },
    };
  }

  private mapError(err: unknown, label: string): unknown {
    if (err instanceof DomainError) return err;
    if (err instanceof Neo4jError && err.code === 'Neo.ClientError.Schema.ConstraintValidationFailed') {
      this.log.debug({ operation: label, neo4j: err.message }, 'constraint violation');
      return conflict('the write conflicts with an existing record (a uniqueness rule was violated)', {
        constraint: true,
      });
    }
    return err;
  }
}
