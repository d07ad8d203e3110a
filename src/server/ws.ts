import type { IncomingMessage, Server } from 'node:http';
import {
  execute,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { SecurityConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { Services } from '../services.js';
import { ANONYMOUS, authenticate } from './auth.js';
import type { Caller } from '../governance/policy.js';
import { createContext } from '../schema/context.js';
import { createErrorFormatter, withCode } from './errors.js';
import { limitParseOptions, type QueryLimits } from './limits/index.js';
import { hostAllowed, originAllowed } from './origin.js';
import type { OperationCaches } from './operation-caches.js';
import { SharedExecutions } from './shared-subscriptions.js';
import { pedigreeSocketClass } from './ws-socket.js';
import { SLOW_SUBSCRIBER_CLOSE } from './ws-codes.js';
import { CommitSequences, withCommitSequences } from '../events/commit-sequence.js';
import { DomainError } from '../errors.js';

export interface WsOptions {
  server: Server;
  schema: GraphQLSchema;
  services: Services;
  log: Logger;
  security: SecurityConfig;
  limits: Partial<QueryLimits>;
  /** Parsed, validated documents by text and the limits' plans (shared with HTTP). */
  caches: OperationCaches;
  introspection: boolean;
  /** A socket with more unsent bytes than this is closed with SLOW_SUBSCRIBER_CLOSE. Default 4 MiB. */
  maxBufferedBytes?: number;
}

export interface WsHandle {
  /** Shared subscription executions (see SharedExecutions). */
  shared: SharedExecutions;
  /** Sockets closed as slow subscribers since start. */
  readonly slowClosures: number;
  dispose(): Promise<void>;
}

interface Connection {
  actor: Caller;
  /** The bearer token, re-checked on every operation and by the revocation sweep. */
  token: string | null;
  socket: WebSocket;
}

/** How often open websockets re-check their token: revocation reaches them within this plus the token cache time. */
const SWEEP_MS = 2_000;

/**
 * graphql-ws on the HTTP server's /graphql path.
 *
 * - Upgrade: Host and Origin must be allowed (src/server/origin.ts), else 403.
 * - connection_init must carry `{ authorization: "Bearer <token>" }`: without
 *   it the socket is closed with 4401, with a bad token 4403 (graphql-ws
 *   itself closes with 4401 a client that subscribes before connection_init).
 *   With PEDIGREE_ANONYMOUS_READ a connection without a token may run queries.
 * - Subscriptions share one execution per (operation, variables, actor) and
 *   event, and its serialised JSON: each socket writes only the graphql-ws
 *   envelope with its own subscription id around it; a socket that falls behind is closed with SLOW_SUBSCRIBER_CLOSE.
 * - Every operation is parsed with the token limit, validated (no
 *   introspection when it is off) — once per text, kept in the shared
 *   operation caches — its variables coerced, checked against
 *   depth/alias/cost limits, and runs with its own context; a refusal carries
 *   GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED, BAD_USER_INPUT or
 *   LIMIT_EXCEEDED, never INTERNAL_SERVER_ERROR; the token is re-checked first, and open
 *   sockets whose token was revoked are closed with 4403.
 */
export function attachWebSocket(opts: WsOptions): WsHandle {
  const { security, log } = opts;
  const shared = new SharedExecutions();
  const wss = new WebSocketServer({
    server: opts.server,
    WebSocket: pedigreeSocketClass(shared, log),
    path: '/graphql',
    maxPayload: security.wsMaxPayloadBytes,
    verifyClient: (
      { req, origin }: { req: IncomingMessage; origin: string },
      done: (ok: boolean, code?: number, message?: string) => void,
    ) => {
      const ok = hostAllowed(req.headers.host, security) && originAllowed(origin || undefined, security);
      if (!ok) log.warn({ host: req.headers.host, origin }, 'websocket upgrade refused: host or origin not allowed');
      done(ok, 403, 'host or origin not allowed');
    },
  });
  const format = createErrorFormatter(log, { hideSchemaDetails: !opts.introspection });
  const connections = new Map<object, Connection>();
  const rules = opts.introspection ? specifiedRules : [...specifiedRules, NoSchemaIntrospectionCustomRule];
  const maxBuffered = opts.maxBufferedBytes ?? 4 * 1024 * 1024;
  let slowClosures = 0;
  const closeSlow = (socket: WebSocket, why: string) => {
    if (socket.readyState !== socket.OPEN) return;
    slowClosures++;
    log.info({ why }, 'closing a slow subscriber');
    socket.close(SLOW_SUBSCRIBER_CLOSE, why);
  };

  const cleanup = useServer<Record<string, unknown> | undefined, { socket: WebSocket }>(
    {
      schema: opts.schema,
      subscribe: shared.subscribe,
      // Queries and mutations: a mutation's result carries the sequence it committed at (extensions.sequence).
      execute: async (args) => {
        const sequences = new CommitSequences();
        const result = await withCommitSequences(sequences, () => execute(args));
        const sequence = sequences.sequence;
        if (sequence === null) return result;
        await opts.services.consistency.settle(sequence);
        return { ...result, extensions: { ...result.extensions, sequence } };
      },
      onConnect: async (ctx) => {
        const socket = ctx.extra.socket;
        const auth = await authenticate(opts.services.tokens, ctx.connectionParams?.authorization);
        if (auth.kind === 'missing' && !security.anonymousRead) {
          socket.close(
            CloseCode.Unauthorized,
            'Unauthorized: connection_init needs { authorization: "Bearer <token>" }',
          );
          return false;
        }
        if (auth.kind === 'invalid') return false; // graphql-ws closes with 4403 Forbidden
        connections.set(
          ctx,
          auth.kind === 'ok'
            ? { actor: auth.actor, token: auth.token, socket }
            : { actor: ANONYMOUS, token: null, socket },
        );
        return true;
      },
      onClose: (ctx) => {
        connections.delete(ctx);
      },
      onSubscribe: async (ctx, _id, payload) => {
        const conn = connections.get(ctx);
        if (!conn) return [new GraphQLError('not authenticated', { extensions: { code: 'UNAUTHENTICATED' } })];
        if (conn.token !== null && !(await opts.services.tokens.authenticate(conn.token))) {
          conn.socket.close(CloseCode.Forbidden, 'Forbidden: the API token was revoked');
          return [new GraphQLError('the API token is unknown or revoked', { extensions: { code: 'UNAUTHENTICATED' } })];
        }
        // A client's mistake is refused here with the code Apollo gives it over
        // HTTP; left to graphql-ws it would surface without a code and be
        // masked (and logged) as an internal error.
        // A text seen before (and valid then) is not parsed or validated again:
        // the schema and the rules are fixed for this server.
        let document = opts.caches.wsDocuments.get(payload.query);
        if (!document) {
          try {
            document = parse(payload.query, limitParseOptions(opts.limits));
          } catch (err) {
            return [
              withCode(
                err instanceof GraphQLError ? err : new GraphQLError('the query does not parse'),
                'GRAPHQL_PARSE_FAILED',
              ),
            ];
          }
          const invalid = validate(opts.schema, document, rules);
          if (invalid.length > 0) return invalid.map((e) => withCode(e, 'GRAPHQL_VALIDATION_FAILED'));
          opts.caches.wsDocuments.set(payload.query, document);
        }
        const operation = getOperationAST(document, payload.operationName ?? undefined);
        if (!operation)
          return [new GraphQLError('Unable to identify operation', { extensions: { code: 'BAD_REQUEST' } })];
        const coerced = getVariableValues(opts.schema, operation.variableDefinitions ?? [], payload.variables ?? {}, {
          maxErrors: 25,
        });
        if (coerced.errors) return coerced.errors.map((e) => withCode(e, 'BAD_USER_INPUT'));
        // Every operation, cached document or not: page sizes and variable costs are read from these variables.
        const refused = opts.caches.plans.limitErrors(document, operation, payload.variables);
        if (refused.length > 0) return [...refused];
        // A consistency token in the payload's extensions: answer once this replica has applied it.
        const min = (payload.extensions as { minSequence?: unknown } | undefined)?.minSequence;
        if (min !== undefined && min !== null) {
          try {
            await opts.services.consistency.waitFor(
              typeof min === 'number' ? String(min) : (min as string),
              'extensions.minSequence',
            );
          } catch (err) {
            if (!(err instanceof DomainError)) throw err;
            return [new GraphQLError(err.message, { extensions: { ...err.details, code: err.code } })];
          }
        }
        return {
          schema: opts.schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: {
            ...createContext(opts.services, opts.log, conn.actor),
            socket: { close: (_code: number, reason: string) => closeSlow(ctx.extra.socket, reason) },
          },
        };
      },
      onNext: (ctx, _id, _payload, _args, result) => {
        const buffered = ctx.extra.socket.bufferedAmount;
        if (buffered > maxBuffered)
          closeSlow(ctx.extra.socket, `subscriber too slow: ${buffered} bytes unsent; reconnect with after`);
        if (result.errors) return { ...result, errors: result.errors.map((e) => format(e.toJSON(), e)) };
        // Serialised once for every socket sharing this result (SharedExecutions.payloadFor).
        return shared.payloadFor(result) as unknown as ExecutionResult;
      },
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => format(e.toJSON(), e)),
    },
    wss,
  );

  // Revocation reaches long-lived sockets too, not just their next operation.
  const sweep = setInterval(() => {
    for (const [ctx, conn] of connections) {
      if (conn.token === null) continue;
      opts.services.tokens.authenticate(conn.token).then(
        (p) => {
          if (!p) {
            connections.delete(ctx);
            conn.socket.close(CloseCode.Forbidden, 'Forbidden: the API token was revoked');
          }
        },
        (err) => log.warn({ err }, 'token re-check failed; keeping the connection'),
      );
    }
  }, SWEEP_MS);
  sweep.unref();

  return {
    shared,
    get slowClosures() {
      return slowClosures;
    },
    dispose: async () => {
      clearInterval(sweep);
      await cleanup.dispose();
    },
  };
}
