import { AsyncLocalStorage } from 'node:async_hooks';
import neo4j, { type Driver, type ManagedTransaction, Neo4jError, type Record as Neo4jRecord } from 'neo4j-driver';
import { conflict, DomainError, ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import { declaredStatements, loadStatements, type Statement } from './cypher.js';
import { toJs, toParams, type Params } from './mapping.js';
import { redactParams } from './redact.js';

export type Row = Record<string, unknown>;

/** A transaction as the domain sees it: named statements in, plain rows out. */
export interface Tx {
  run<T = Row>(name: Statement, params?: Params): Promise<T[]>;
}

export interface WriteOptions {
  /**
   * Run in a transaction of its own, beside the group commit: for large
   * writes (a 10,000-prediction batch) that would hold up the writes grouped
   * with them.
   */
  alone?: boolean;
}

/** A write waiting for the group commit. */
interface PendingWrite {
  work: (tx: Tx) => Promise<unknown>;
  label: string;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
  /** Failed inside a group: runs next in a transaction of its own. */
  solo: boolean;
}

/** Default most writes one group commit carries. */
export const DEFAULT_WRITE_GROUP = 32;

/**
 * Holds write transactions back while an online backup takes its consistent
 * point. Shared by an executor and its siblings (every writer of the process):
 * `pause()` waits until no write transaction is in flight and keeps new ones
 * waiting (reads go on) until the returned release is called.
 */
export class WriteGate {
  private inFlight = 0;
  private paused: Promise<void> | null = null;
  private idle: (() => void) | null = null;

  async enter(): Promise<void> {
    while (this.paused) await this.paused;
    this.inFlight++;
  }

  leave(): void {
    this.inFlight--;
    if (this.inFlight === 0) this.idle?.();
  }

  /** Resolves once writes are held and none is in flight; call the result to let them go. */
  async pause(): Promise<() => void> {
    while (this.paused) await this.paused;
    let release!: () => void;
    this.paused = new Promise<void>((res) => (release = res));
    if (this.inFlight > 0) await new Promise<void>((res) => (this.idle = res));
    this.idle = null;
    return () => {
      this.paused = null;
      release();
    };
  }
}

/**
 * The one choke point for Cypher. Statements are loaded by name from cypher/,
 * run with parameters inside managed transactions (so the driver retries
 * transient failures), tagged with their name, logged at debug (secret-named
 * parameters redacted: src/graph/redact.ts), and their results mapped to
 * plain JS. Constraint violations become CONFLICT.
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
  /** Write transactions committed and the writes they carried (group commit). */
  readonly commits = { transactions: 0, writes: 0 };

  private readonly pending: PendingWrite[] = [];
  private committing = false;
  private readonly insideGroup = new AsyncLocalStorage<'group' | 'alone'>();

  constructor(
    readonly driver: Driver,
    readonly database: string,
    private readonly log: Logger,
    statements = loadStatements(),
    /** Most writes one transaction carries; 1 turns group commit off. */
    private readonly writeGroup = DEFAULT_WRITE_GROUP,
    /** Shared with siblings: the online backup pauses every writer of the process here. */
    readonly writes = new WriteGate(),
  ) {
    this.statements = statements;
    const missing = [...declaredStatements()].filter((n) => !statements.has(n));
    if (missing.length) {
      throw new Error(`missing Cypher files under cypher/: ${missing.map((n) => `${n}.cypher`).join(', ')}`);
    }
  }

  /**
   * An executor for background work on the same driver, statements and group
   * setting: its statements do not count in this one's budget, and its
   * commits do not call this one's `afterCommit` listeners.
   */
  sibling(log: Logger): Executor {
    return new Executor(this.driver, this.database, log, this.statements, this.writeGroup, this.writes);
  }

  /**
   * One statement in its own read transaction: sent as an auto-commit query,
   * which needs one Bolt round trip where a managed transaction needs two
   * (BEGIN and RUN travel together, COMMIT after). A failure the driver calls
   * retryable (the database briefly unavailable, a routing change) is retried
   * as a managed read transaction, with the driver's backoff.
   */
  async read<T = Row>(name: Statement, params: Params = {}): Promise<T[]> {
    const text = this.textOf(name);
    const session = this.driver.session({ database: this.database, defaultAccessMode: neo4j.session.READ });
    try {
      this.statementCount++;
      const started = performance.now();
      const result = await session.run(text, toParams(params) as Params, { metadata: { app: 'pedigree', operation: name } });
      return this.rows<T>(name, params, started, result.records);
    } catch (err) {
      if (neo4j.isRetryableError(err)) return this.readTx((tx) => tx.run<T>(name, params), name);
      throw this.mapError(err, name);
    } finally {
      await session.close();
    }
  }

  /**
   * Streams one statement's rows as the driver returns them, unmapped, from an
   * auto-commit read that may run for minutes (the backup's export): only
   * src/graph/snapshot.ts uses it, which encodes the values before they leave
   * the graph edge.
   */
  async *streamRaw(name: Statement, params: unknown = {}): AsyncGenerator<Record<string, unknown>> {
    const text = this.textOf(name);
    const session = this.driver.session({ database: this.database, defaultAccessMode: neo4j.session.READ, fetchSize: 2000 });
    try {
      this.statementCount++;
      const result = session.run(text, params as Params, { metadata: { app: 'pedigree', operation: name } });
      for await (const record of result) yield record.toObject();
    } finally {
      await session.close();
    }
  }

  /**
   * One statement as an auto-commit query with parameters already in the
   * driver's types, rows unmapped: for the restore's bulk loads and for
   * statements that open their own transactions (`CALL … IN TRANSACTIONS`).
   * Only src/graph/snapshot.ts uses it.
   */
  async runRaw(name: Statement, params: unknown = {}, mode: 'READ' | 'WRITE' = 'WRITE'): Promise<Record<string, unknown>[]> {
    const run = async () => {
      const session = this.driver.session({ database: this.database, defaultAccessMode: mode === 'READ' ? neo4j.session.READ : neo4j.session.WRITE });
      try {
        this.statementCount++;
        const result = await session.run(this.textOf(name), params as Params, { metadata: { app: 'pedigree', operation: name } });
        return result.records.map((r) => r.toObject());
      } catch (err) {
        throw this.mapError(err, name);
      } finally {
        await session.close();
      }
    };
    return mode === 'WRITE' ? this.gated(run) : run();
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
   * (retries on transient errors, and again alone when its group fails): it
   * must have no side effects outside Neo4j.
   *
   * Group commit: one write transaction is in flight per executor; writes that
   * arrive meanwhile wait and then run one after another inside the next
   * transaction, which commits them together (at most `writeGroup` of them).
   * Every write that appends an event holds the global event counter until
   * its commit, so the commits were serial anyway: grouping pays one commit
   * for many instead of one each. Each write sees the ones before it in its
   * group exactly as if they had committed first. When a write fails inside a
   * group, the group rolls back; the writes before it run again as a group,
   * the failed one alone (its own error, or its success, is then what its
   * caller gets), and the rest rejoin the queue. So a failure never rolls
   * back or fails another caller's write.
   */
  async writeTx<R>(work: (tx: Tx) => Promise<R>, label: string, options: WriteOptions = {}): Promise<R> {
    const inside = this.insideGroup.getStore();
    // A write started from inside another write's work cannot wait for the
    // group that work belongs to, and inside a group of several an earlier
    // write may already hold the event counter it would wait for. So it
    // refuses there (the group rolls back and the outer write is replayed on
    // its own), and runs alone when the outer write is alone, as without
    // grouping. The registry composes writes inside one transaction instead
    // (the `…In(tx)` methods), so either is a mistake worth hearing about.
    if (inside === 'group') throw new Error(`write "${label}" started inside a grouped write`);
    if (inside === 'alone') this.log.warn({ operation: label }, 'a write transaction was started inside another one; it runs alone');
    // Nested: the outer write holds the write gate already.
    if (inside) return this.alone(work, label, false);
    if (options.alone || this.writeGroup <= 1) return this.alone(work, label);
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ work, label, resolve: resolve as (value: unknown) => void, reject, solo: false });
      this.drain();
    });
  }

  private drain(): void {
    if (this.committing || this.pending.length === 0) return;
    const first = this.pending[0]!;
    let size = 1;
    if (!first.solo) {
      while (size < this.pending.length && size < this.writeGroup && !this.pending[size]!.solo) size++;
    }
    const group = this.pending.splice(0, size);
    this.committing = true;
    void this.commitGroup(group).finally(() => {
      this.committing = false;
      this.drain();
    });
  }

  private async commitGroup(group: PendingWrite[]): Promise<void> {
    if (group.length === 1) {
      const [w] = group as [PendingWrite];
      await this.alone(w.work, w.label).then(w.resolve, w.reject);
      return;
    }
    let failedAt = -1;
    try {
      const results = await this.gated(() =>
        this.insideGroup.run('group', () =>
          this.transaction(
          'WRITE',
          async (tx) => {
            const out: unknown[] = [];
            for (let i = 0; i < group.length; i++) {
              failedAt = i;
              out.push(await group[i]!.work(tx));
            }
            failedAt = group.length; // every write ran: a failure now is the commit's
            return out;
          },
          `group of ${group.length}: ${[...new Set(group.map((w) => w.label))].join(', ')}`,
          ),
        ),
      );
      this.committed(group.length);
      group.forEach((w, i) => w.resolve(results[i]));
    } catch (err) {
      this.log.debug({ writes: group.length, failedAt, err: err instanceof Error ? err.message : String(err) }, 'write group rolled back; its writes run again');
      if (failedAt >= 0 && failedAt < group.length) group[failedAt]!.solo = true;
      else for (const w of group) w.solo = true;
      this.pending.unshift(...group);
    }
  }

  /** One write in a transaction of its own; writes started inside it run alone too. */
  private async alone<R>(work: (tx: Tx) => Promise<R>, label: string, gate = true): Promise<R> {
    const run = () => this.insideGroup.run('alone', () => this.transaction('WRITE', work, label));
    const result = gate ? await this.gated(run) : await run();
    this.committed(1);
    return result;
  }

  private committed(writes: number): void {
    this.commits.transactions++;
    this.commits.writes += writes;
    for (const listener of this.afterCommit) listener();
  }

  /**
   * Runs one statement of a migration file (constraints, indexes, seed nodes).
   * Migration text comes from cypher/migrations/, never from a request.
   */
  async runSchema(text: string, migration: string): Promise<void> {
    await this.gated(async () => {
      const session = this.driver.session({ database: this.database });
      try {
        this.statementCount++;
        await session.executeWrite((tx) => tx.run(text), { metadata: { app: 'pedigree', migration } });
      } finally {
        await session.close();
      }
    });
  }

  /** Runs `work` between entering and leaving the write gate (see {@link WriteGate}). */
  private async gated<R>(work: () => Promise<R>): Promise<R> {
    await this.writes.enter();
    try {
      return await work();
    } finally {
      this.writes.leave();
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
        const text = this.textOf(name);
        this.statementCount++;
        const started = performance.now();
        const result = await mtx.run(text, toParams(params) as Params);
        return this.rows<T>(name, params, started, result.records);
      },
    };
  }

  private textOf(name: Statement): string {
    const text = this.statements.get(name);
    if (text === undefined) throw new Error(`unknown Cypher statement "${name}"`);
    return text;
  }

  private rows<T>(name: Statement, params: Params, started: number, records: readonly Neo4jRecord[]): T[] {
    // At debug level every statement is logged with its time: the way to find a
    // slow one. Parameters go through redactParams: no secret reaches the log.
    if (this.log.isLevelEnabled('debug')) this.log.debug({ statement: name, params: redactParams(params), ms: Math.round((performance.now() - started) * 100) / 100, rows: records.length }, 'cypher');
    return records.map((r) => toJs(r.toObject()) as T);
  }

  private mapError(err: unknown, label: string): unknown {
    if (err instanceof DomainError) return err;
    if (err instanceof Neo4jError && err.code === 'Neo.ClientError.Schema.ConstraintValidationFailed') {
      this.log.debug({ operation: label, neo4j: err.message }, 'constraint violation');
      return conflict('the write conflicts with an existing record (a uniqueness rule was violated)', {
        constraint: true,
      });
    }
    // Still retryable after the driver's own retries (maxTransactionRetryTime): the
    // database is down or failing over. A write may or may not have committed;
    // the client retries, and idempotency keys make a retried create apply once.
    if (neo4j.isRetryableError(err)) {
      this.log.warn({ operation: label, neo4j: err instanceof Error ? err.message : String(err) }, 'database unavailable');
      return new DomainError(ErrorCode.UNAVAILABLE, 'the database is unavailable right now; retry the request (a write may have been applied: a create retried with the same idempotencyKey is applied once)', {
        retryable: true,
      });
    }
    return err;
  }
}
