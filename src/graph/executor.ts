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

/**
 * What one item of a batch came to. `error` items wrote nothing, unless
 * `afterWrite` says the batch had already written for them when it found the
 * error (then only an all-or-nothing caller may use the outcome: a group
 * replays such a batch one write at a time instead).
 */
export type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown; afterWrite?: boolean };

/**
 * Writes of one kind that can run together: `run` carries out `items` in the
 * caller's transaction with one statement per step over all of them (UNWIND),
 * and answers for each item exactly what running the items one by one, in
 * order, each in its own transaction, would have answered (its result or its
 * error). It throws when it cannot: the group then runs those writes one at a
 * time, as without batching.
 */
export interface WriteBatch<I, R> {
  readonly name: string;
  run(tx: Tx, items: readonly I[]): Promise<Outcome<R>[]>;
}

export interface WriteOptions<R = unknown> {
  /**
   * Run in a transaction of its own, beside the group commit: for large
   * writes (a 10,000-prediction batch) that would hold up the writes grouped
   * with them.
   */
  alone?: boolean;
  /**
   * This write is `item` of `kind`: when a group holds several writes of the
   * same kind in a row, they run as one batch (see {@link WriteBatch}) instead
   * of one `work` after another. `work` must do what `kind.run(tx, [item])` does.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the batch's item type is the caller's; any write of the kind may join it
  batch?: { kind: WriteBatch<any, R>; item: unknown };
}

/** Observes the write path for /metrics (src/app.ts wires it). */
export interface WriteObserver {
  /** A write waited this long from `writeTx` to the start of the transaction that carried it out. */
  groupWait(seconds: number): void;
  /**
   * A write transaction committed: how long it ran (first statement to
   * commit), the writes it carried, how many of them ran batched, and how long
   * it held the event counter (from its first append to its commit; null when
   * it appended no event).
   */
  committed(c: { seconds: number; writes: number; batched: number; counterHeldSeconds: number | null }): void;
}

export interface ExecutorOptions {
  /** Most writes one transaction carries; 1 turns group commit off. */
  writeGroup?: number;
  /** Runs same-kind writes of a group as batches (default true). */
  batching?: boolean;
  observer?: WriteObserver | null;
  /** Shared with siblings: the online backup pauses every writer of the process here. */
  writes?: WriteGate;
}

/** A write waiting for the group commit. */
interface PendingWrite {
  work: (tx: Tx) => Promise<unknown>;
  label: string;
  resolve: (committed: Committed<unknown>) => void;
  reject: (err: unknown) => void;
  batch: { kind: WriteBatch<unknown, unknown>; item: unknown } | undefined;
  enqueuedAt: number;
  /** Failed inside a group: runs next in a transaction of its own. */
  solo: boolean;
  /** A batch it was part of could not decide: it runs as its own `work` from now on. */
  unbatched: boolean;
}

/**
 * A write's value with the transaction it committed in: `sequence` is the
 * highest event sequence that transaction appended (null: it appended none).
 * A write committed in a group shares the group's transaction, so a replica
 * that has applied `sequence` has applied the write (the request's
 * consistency token, src/events/commit-sequence.ts).
 */
export interface Committed<R> {
  value: R;
  sequence: string | null;
}

/** A group's writes in order: single writes, and runs of same-kind writes carried out as one batch. */
type Step = { kind: WriteBatch<unknown, unknown>; writes: PendingWrite[] } | { kind: null; writes: [PendingWrite] };

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
 * The statements that take the global event counter (src/events/event-log.ts).
 * The executor times how long each transaction holds it: the sequence point
 * every write of every replica passes through.
 */
const SEQUENCE_POINT: ReadonlySet<string> = new Set(['events/append-events']);

/** Per transaction attempt: when it first held the event counter, and the last event sequence it appended. */
interface Attempt {
  counterAt: number | null;
  sequence: string | null;
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
  /**
   * The highest event sequence a write of this executor committed: a reader
   * answering from state fed by the log (the alias view) waits until it is
   * through it, so this process reads its own writes.
   */
  get lastSequence(): string | null {
    return this.lastCommitted;
  }
  private lastCommitted: string | null = null;
  /** Write transactions committed, the writes they carried, and how many of those ran in batches (group commit). */
  readonly commits = { transactions: 0, writes: 0, batched: 0 };

  private readonly pending: PendingWrite[] = [];
  private committing = false;
  private readonly insideGroup = new AsyncLocalStorage<'group' | 'alone'>();
  private readonly writeGroup: number;
  private readonly batching: boolean;
  private readonly observer: WriteObserver | null;
  /** Shared with siblings: the online backup pauses every writer of the process here. */
  readonly writes: WriteGate;

  constructor(
    readonly driver: Driver,
    readonly database: string,
    private readonly log: Logger,
    statements = loadStatements(),
    options: ExecutorOptions = {},
  ) {
    this.statements = statements;
    this.writeGroup = options.writeGroup ?? DEFAULT_WRITE_GROUP;
    this.batching = options.batching ?? true;
    this.observer = options.observer ?? null;
    this.writes = options.writes ?? new WriteGate();
    const missing = [...declaredStatements()].filter((n) => !statements.has(n));
    if (missing.length) {
      throw new Error(`missing Cypher files under cypher/: ${missing.map((n) => `${n}.cypher`).join(', ')}`);
    }
  }

  /**
   * An executor for background work on the same driver, statements and group
   * settings: its statements do not count in this one's budget, its commits
   * do not call this one's `afterCommit` listeners, and nothing it does is
   * observed for /metrics.
   */
  sibling(log: Logger): Executor {
    return new Executor(this.driver, this.database, log, this.statements, {
      writeGroup: this.writeGroup,
      batching: this.batching,
      writes: this.writes,
    });
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
      const result = await session.run(text, toParams(params) as Params, {
        metadata: { app: 'pedigree', operation: name },
      });
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
    const session = this.driver.session({
      database: this.database,
      defaultAccessMode: neo4j.session.READ,
      fetchSize: 2000,
    });
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
  async runRaw(
    name: Statement,
    params: unknown = {},
    mode: 'READ' | 'WRITE' = 'WRITE',
  ): Promise<Record<string, unknown>[]> {
    const run = async () => {
      const session = this.driver.session({
        database: this.database,
        defaultAccessMode: mode === 'READ' ? neo4j.session.READ : neo4j.session.WRITE,
      });
      try {
        this.statementCount++;
        const result = await session.run(this.textOf(name), params as Params, {
          metadata: { app: 'pedigree', operation: name },
        });
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
    return this.transaction('READ', work, label).then((r) => r.value);
  }

  /**
   * Several statements in one write transaction. `work` may run more than once
   * (retries on transient errors, and again alone when its group fails): it
   * must have no side effects outside Neo4j.
   *
   * Group commit: one write transaction is in flight per executor; writes that
   * arrive meanwhile wait and then run inside the next transaction, which
   * commits them together (at most `writeGroup` of them). Every transaction
   * that appends events holds the global event counter from its append until
   * its commit, so commits were serial anyway: grouping pays one commit for
   * many instead of one each. Consecutive writes of the same batch kind
   * (`options.batch`) run as one batch: one statement per step over all of
   * them, the events appended last, in one statement. Each write sees the ones
   * before it in its group exactly as if they had committed first.
   *
   * When a write fails inside a group, the group rolls back; the writes before
   * it run again as a group, the failed one alone (its own error, or its
   * success, is then what its caller gets), and the rest rejoin the queue. A
   * batch answers each item itself (an item that fails writes nothing, and the
   * others commit); a batch that cannot decide (it throws) rolls its group
   * back, and its writes run one by one from then on. So a failure never rolls
   * back or fails another caller's write, and every caller gets what running
   * the writes one by one in arrival order gives.
   */
  async writeTx<R>(work: (tx: Tx) => Promise<R>, label: string, options: WriteOptions<R> = {}): Promise<R> {
    return (await this.writeCommitted(work, label, options)).value;
  }

  /** {@link writeTx}, answering with the sequence the write's transaction committed at as well. */
  protected async writeCommitted<R>(
    work: (tx: Tx) => Promise<R>,
    label: string,
    options: WriteOptions<R> = {},
  ): Promise<Committed<R>> {
    const inside = this.insideGroup.getStore();
    // A write started from inside another write's work cannot wait for the
    // group that work belongs to, and inside a group of several an earlier
    // write may already hold the event counter it would wait for. So it
    // refuses there (the group rolls back and the outer write is replayed on
    // its own), and runs alone when the outer write is alone, as without
    // grouping. The registry composes writes inside one transaction instead
    // (the `…In(tx)` methods), so either is a mistake worth hearing about.
    if (inside === 'group') throw new Error(`write "${label}" started inside a grouped write`);
    if (inside === 'alone')
      this.log.warn({ operation: label }, 'a write transaction was started inside another one; it runs alone');
    // Nested: the outer write holds the write gate already.
    if (inside) return this.alone(work, label, performance.now(), undefined, false);
    if (options.alone || this.writeGroup <= 1) return this.alone(work, label, performance.now());
    return new Promise<Committed<R>>((resolve, reject) => {
      this.pending.push({
        work,
        label,
        resolve: resolve as (committed: Committed<unknown>) => void,
        reject,
        batch: this.batching ? (options.batch as PendingWrite['batch']) : undefined,
        enqueuedAt: performance.now(),
        solo: false,
        unbatched: false,
      });
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

  /**
   * Consecutive writes of one batch kind (two or more) become one batch step; every other write is a step of its own.
   */
  private steps(group: PendingWrite[]): Step[] {
    const steps: Step[] = [];
    for (const w of group) {
      const kind = w.unbatched ? undefined : w.batch?.kind;
      const last = steps.at(-1);
      if (kind && last?.kind === kind) last.writes.push(w);
      else steps.push(kind ? { kind, writes: [w] } : { kind: null, writes: [w] });
    }
    // A batch of one is just that write.
    return steps.map((s) => (s.kind && s.writes.length === 1 ? { kind: null, writes: [s.writes[0]!] } : s));
  }

  private async commitGroup(group: PendingWrite[]): Promise<void> {
    const began = performance.now();
    if (group.length === 1) {
      const [w] = group as [PendingWrite];
      await this.alone(w.work, w.label, w.enqueuedAt, began).then(w.resolve, w.reject);
      return;
    }
    const steps = this.steps(group);
    // Set inside the transaction's work: the step that was running when it threw.
    let failed = null as Step | null;
    try {
      const {
        value: outcomes,
        seconds,
        counterHeld,
        sequence,
      } = await this.gated(() =>
        this.insideGroup.run('group', () =>
          this.transaction(
            'WRITE',
            async (tx) => {
              const out: Outcome<unknown>[] = [];
              for (const step of steps) {
                failed = step;
                if (step.kind) {
                  const results = await step.kind.run(
                    tx,
                    step.writes.map((w) => w.batch!.item),
                  );
                  if (results.length !== step.writes.length)
                    throw new Error(
                      `batch "${step.kind.name}" answered ${results.length} of ${step.writes.length} items`,
                    );
                  const late = results.find((r) => !r.ok && r.afterWrite);
                  if (late) throw new BatchUndecided(step.kind.name, late.ok ? undefined : late.error);
                  out.push(...results);
                } else {
                  out.push({ ok: true, value: await step.writes[0].work(tx) });
                }
              }
              failed = null; // every step ran: a failure now is the commit's
              return out;
            },
            `group of ${group.length}: ${[...new Set(group.map((w) => w.label))].join(', ')}`,
          ),
        ),
      );
      const batched = steps.reduce((n, s) => n + (s.kind ? s.writes.length : 0), 0);
      this.committed(outcomes.filter((o) => o.ok).length, batched, seconds, counterHeld, sequence);
      for (const w of group) this.observer?.groupWait((began - w.enqueuedAt) / 1000);
      group.forEach((w, i) => {
        const o = outcomes[i]!;
        if (o.ok) w.resolve({ value: o.value, sequence });
        else w.reject(o.error);
      });
    } catch (err) {
      const at: Step | null = failed;
      this.log.debug(
        {
          writes: group.length,
          failedAt: at ? group.indexOf(at.writes[0]!) : group.length,
          batch: at?.kind?.name,
          err: err instanceof Error ? err.message : String(err),
        },
        'write group rolled back; its writes run again',
      );
      if (at?.kind) for (const w of at.writes) w.unbatched = true;
      else if (at) at.writes[0].solo = true;
      else for (const w of group) w.solo = true;
      this.pending.unshift(...group);
    }
  }

  /** One write in a transaction of its own; writes started inside it run alone too. */
  private async alone<R>(
    work: (tx: Tx) => Promise<R>,
    label: string,
    enqueuedAt: number,
    began = performance.now(),
    gate = true,
  ): Promise<Committed<R>> {
    try {
      const run = () => this.insideGroup.run('alone', () => this.transaction('WRITE', work, label));
      const { value, seconds, counterHeld, sequence } = gate ? await this.gated(run) : await run();
      this.committed(1, 0, seconds, counterHeld, sequence);
      return { value, sequence };
    } finally {
      this.observer?.groupWait((began - enqueuedAt) / 1000);
    }
  }

  private committed(
    writes: number,
    batched: number,
    seconds: number,
    counterHeld: number | null,
    sequence: string | null,
  ): void {
    if (sequence !== null && (this.lastCommitted === null || BigInt(sequence) > BigInt(this.lastCommitted))) {
      this.lastCommitted = sequence;
    }
    this.commits.transactions++;
    this.commits.writes += writes;
    this.commits.batched += batched;
    this.observer?.committed({ seconds, writes, batched, counterHeldSeconds: counterHeld });
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

  /**
   * Runs `work` in a managed transaction. Returns its value with the time from
   * the start of the last attempt to its commit, how long that attempt held
   * the event counter before its commit completed (null: it took none), and
   * the last event sequence it appended. Only the last attempt counts: an
   * earlier one rolled back, and its sequences are given out again.
   */
  private async transaction<R>(
    mode: 'READ' | 'WRITE',
    work: (tx: Tx) => Promise<R>,
    label: string,
  ): Promise<{ value: R; seconds: number; counterHeld: number | null; sequence: string | null }> {
    const session = this.driver.session({
      database: this.database,
      defaultAccessMode: mode === 'READ' ? neo4j.session.READ : neo4j.session.WRITE,
    });
    const config = { metadata: { app: 'pedigree', operation: label } };
    let attempt: Attempt = { counterAt: null, sequence: null };
    let started = 0;
    try {
      const fn = (mtx: ManagedTransaction) => {
        attempt = { counterAt: null, sequence: null };
        started = performance.now();
        return work(this.wrap(mtx, attempt));
      };
      const value = mode === 'READ' ? await session.executeRead(fn, config) : await session.executeWrite(fn, config);
      const done = performance.now();
      return {
        value,
        seconds: (done - started) / 1000,
        counterHeld: attempt.counterAt === null ? null : (done - attempt.counterAt) / 1000,
        sequence: attempt.sequence,
      };
    } catch (err) {
      throw this.mapError(err, label);
    } finally {
      await session.close();
    }
  }

  private wrap(mtx: ManagedTransaction, attempt: Attempt): Tx {
    return {
      run: async <T>(name: Statement, params: Params = {}): Promise<T[]> => {
        const text = this.textOf(name);
        this.statementCount++;
        const started = performance.now();
        const result = await mtx.run(text, toParams(params) as Params);
        // The counter's lock is granted somewhere inside the statement; its end
        // is the conservative (shorter) bound of how long it is held.
        if (SEQUENCE_POINT.has(name)) {
          if (attempt.counterAt === null) attempt.counterAt = performance.now();
          // Rows come in sequence order; a transaction's appends only go up.
          const last = result.records.at(-1);
          if (last) attempt.sequence = String(last.get('sequence'));
        }
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
    if (this.log.isLevelEnabled('debug'))
      this.log.debug(
        {
          statement: name,
          params: redactParams(params),
          ms: Math.round((performance.now() - started) * 100) / 100,
          rows: records.length,
        },
        'cypher',
      );
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
      this.log.warn(
        { operation: label, neo4j: err instanceof Error ? err.message : String(err) },
        'database unavailable',
      );
      return new DomainError(
        ErrorCode.UNAVAILABLE,
        'the database is unavailable right now; retry the request (a write may have been applied: a create retried with the same idempotencyKey is applied once)',
        {
          retryable: true,
        },
      );
    }
    return err;
  }
}

/** A batch found an item's error after it had written for that batch: its group replays the writes one by one. */
class BatchUndecided extends Error {
  constructor(kind: string, cause: unknown) {
    super(`batch "${kind}" found an error after writing; its writes run one by one`, { cause });
  }
}
