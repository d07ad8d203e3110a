import type { Client } from 'graphql-ws';
import { appendEvent, EventType } from '../../src/events/event-log.js';
import type { Executor } from '../../src/graph/executor.js';

/**
 * Appends an alias-move event the way the registry's alias mutations do (in
 * its own write transaction), for tests that need alias events without the
 * registry. Returns the event's sequence.
 */
export async function appendAliasMove(
  executor: Executor,
  e: { modelName: string; alias: string; from: number | null; to: number | null; type?: string; actor?: string },
): Promise<string> {
  const type = e.type ?? (e.to === null ? EventType.ALIAS_DELETED : EventType.ALIAS_SET);
  const appended = await executor.writeTx(
    (tx) =>
      appendEvent(tx, {
        type,
        actor: e.actor ?? 'test',
        modelName: e.modelName,
        alias: e.alias,
        version: e.to,
        before: e.from === null ? null : { version: e.from },
        after: e.to === null ? null : { version: e.to },
      }),
    'test:appendAliasMove',
  );
  return appended.sequence;
}

export interface Collector<T> {
  items: T[];
  /** Resolves with the items once there are at least `n`; rejects on a subscription error. */
  until(n: number): Promise<T[]>;
  /** Resolves when the subscription ends (complete or error), with the error if any. */
  ended: Promise<unknown>;
  stop(): void;
}

/** Subscribes through a graphql-ws client and collects `pick(data)` of every result. */
export function collect<T = any>(
  client: Client,
  query: string,
  variables: Record<string, unknown>,
  pick: (data: any) => T,
): Collector<T> {
  const items: T[] = [];
  let failure: unknown;
  let waiters: { n: number; resolve: (v: T[]) => void; reject: (e: unknown) => void }[] = [];
  let endedResolve!: (e: unknown) => void;
  const ended = new Promise<unknown>((r) => (endedResolve = r));
  const settle = () => {
    waiters = waiters.filter((w) => {
      if (failure !== undefined) w.reject(failure);
      else if (items.length >= w.n) w.resolve(items.slice());
      else return true;
      return false;
    });
  };
  const stop = client.subscribe<any>(
    { query, variables },
    {
      next: (r) => {
        if (r.errors?.length) failure = r.errors;
        else items.push(pick(r.data));
        settle();
      },
      error: (e) => {
        failure = e ?? new Error('subscription error');
        settle();
        endedResolve(failure);
      },
      complete: () => {
        if (failure === undefined) failure = new Error(`subscription completed after ${items.length} items`);
        settle();
        endedResolve(undefined);
      },
    },
  );
  return {
    items,
    ended,
    stop,
    until: (n) =>
      new Promise<T[]>((resolve, reject) => {
        waiters.push({ n, resolve, reject });
        settle();
      }),
  };
}
