import { createSourceEventStream, execute, print, type ExecutionArgs, type ExecutionResult } from 'graphql';

/**
 * Fan-out cost for subscriptions: each subscriber keeps its own (cheap) event
 * stream, but the selection set is executed once per distinct
 * (document, operation, variables, actor) and event, and every subscriber
 * sharing that key is handed the same result object. The key names the event
 * by its `sequence`; payloads without one are executed per subscriber.
 *
 * Results are kept for the most recent `capacity` (key, event) pairs: a
 * subscriber far behind the others executes again, which is correct, only
 * slower.
 */
export class SharedExecutions {
  private readonly results = new Map<string, Promise<ExecutionResult>>();
  /** Selection executions run (tests read it to prove the sharing). */
  executions = 0;

  constructor(private readonly capacity = 10_000) {}

  /** A drop-in for graphql-js `subscribe` (graphql-ws's `subscribe` option). */
  subscribe = async (args: ExecutionArgs): Promise<AsyncGenerator<ExecutionResult> | ExecutionResult> => {
    const source = await createSourceEventStream(args);
    if (!isAsyncIterable(source)) return source;
    const key = keyOf(args);
    const iterator = source[Symbol.asyncIterator]();
    const self = this;
    const mapped: AsyncGenerator<ExecutionResult> = {
      async next() {
        const r = await iterator.next();
        if (r.done) return { done: true, value: undefined };
        return { done: false, value: await self.resultFor(key, r.value, args) };
      },
      async return() {
        await iterator.return?.();
        return { done: true, value: undefined };
      },
      async throw(err: unknown) {
        await iterator.return?.();
        throw err;
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
    return mapped;
  };

  private resultFor(key: string, payload: unknown, args: ExecutionArgs): Promise<ExecutionResult> {
    const sequence = (payload as { sequence?: unknown } | null)?.sequence;
    const run = () => {
      this.executions++;
      return Promise.resolve(execute({ ...args, rootValue: payload }));
    };
    if (typeof sequence !== 'string') return run();
    const k = `${key}\u0000${sequence}`;
    let result = this.results.get(k);
    if (!result) {
      result = run();
      this.results.set(k, result);
      if (this.results.size > this.capacity) this.results.delete(this.results.keys().next().value!);
    }
    return result;
  }
}

const printed = new WeakMap<object, string>();

function keyOf(args: ExecutionArgs): string {
  let doc = printed.get(args.document);
  if (doc === undefined) {
    doc = print(args.document);
    printed.set(args.document, doc);
  }
  const actor = (args.contextValue as { actor?: { name?: string; role?: string | null } } | undefined)?.actor;
  return JSON.stringify([doc, args.operationName ?? null, stable(args.variableValues ?? {}), actor?.name ?? null, actor?.role ?? null]);
}

function stable(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stable);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, stable((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

function isAsyncIterable(x: unknown): x is AsyncIterable<unknown> {
  return x !== null && typeof x === 'object' && Symbol.asyncIterator in x;
}
