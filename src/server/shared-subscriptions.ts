import { randomBytes } from 'node:crypto';
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
 *
 * A shared result is also serialised once: `payloadFor` turns it into a
 * SharedPayload whose JSON text every socket sends as is (see
 * src/server/ws-socket.ts). Only the graphql-ws envelope around it, which carries
 * each subscription's own `id`, is written per socket.
 */
export class SharedExecutions {
  private readonly results = new Map<string, Promise<ExecutionResult>>();
  private readonly payloads = new WeakMap<ExecutionResult, SharedPayload>();
  /** Per-process secret in payload tokens, so no client-chosen text can pose as one. */
  private readonly nonce = randomBytes(16).toString('hex');
  private serial = 0;
  /** The payload whose token the message being stringified right now carries (see SharedPayload.toJSON). */
  private staged: SharedPayload | null = null;
  /** Selection executions run (tests read it to prove the sharing). */
  executions = 0;
  /** Results serialised to JSON (tests read it: once per shared result, not once per socket). */
  serialisations = 0;

  constructor(private readonly capacity = 10_000) {}

  /** A drop-in for graphql-js `subscribe` (graphql-ws's `subscribe` option). */
  subscribe = async (args: ExecutionArgs): Promise<AsyncGenerator<ExecutionResult> | ExecutionResult> => {
    const source = await createSourceEventStream(args);
    if (!isAsyncIterable(source)) return source;
    const key = keyOf(args);
    const iterator = source[Symbol.asyncIterator]();
    const resultFor = (value: unknown) => this.resultFor(key, value, args);
    const mapped: AsyncGenerator<ExecutionResult> = {
      async next() {
        const r = await iterator.next();
        if (r.done) return { done: true, value: undefined };
        return { done: false, value: await resultFor(r.value) };
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

  /**
   * What graphql-ws should put in a `next` message for an error-free result:
   * the same SharedPayload (and so the same JSON text) for every subscriber
   * handed this result object.
   */
  payloadFor(result: ExecutionResult): SharedPayload {
    let payload = this.payloads.get(result);
    if (!payload) {
      this.serialisations++;
      payload = new SharedPayload(
        `pedigree-shared-payload:${this.nonce}:${this.serial++}`,
        JSON.stringify(result),
        (p) => {
          this.staged = p;
        },
      );
      this.payloads.set(result, payload);
    }
    return payload;
  }

  /**
   * A graphql-ws message on its way to a socket: when it ends with the token of
   * the payload just stringified, the token is replaced by the payload's JSON.
   * graphql-ws stringifies a message and hands it to the socket in one
   * synchronous step, so the staged payload is always this message's own.
   */
  expand(message: string): string {
    const payload = this.staged;
    this.staged = null;
    if (!payload || !message.endsWith(payload.tail)) return message;
    return `${message.slice(0, message.length - payload.tail.length)}"payload":${payload.json}}`;
  }

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

/**
 * A subscription result serialised once. graphql-ws builds every `next`
 * message with JSON.stringify, which calls `toJSON`: that yields a short token
 * (and stages this payload), and the server's socket (src/server/ws-socket.ts)
 * swaps the token for `json` as it sends.
 */
export class SharedPayload {
  /** How a message carrying this payload ends once stringified. */
  readonly tail: string;

  constructor(
    readonly token: string,
    readonly json: string,
    private readonly stage: (p: SharedPayload) => void,
  ) {
    this.tail = `"payload":${JSON.stringify(token)}}`;
  }

  toJSON(): string {
    this.stage(this);
    return this.token;
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
  return JSON.stringify([
    doc,
    args.operationName ?? null,
    stable(args.variableValues ?? {}),
    actor?.name ?? null,
    actor?.role ?? null,
  ]);
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
