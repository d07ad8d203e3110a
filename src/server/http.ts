import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import type { GraphQLSchema } from 'graphql';
import type { Logger } from '../logger.js';
import type { SecurityConfig } from '../config.js';
import type { Services } from '../services.js';
import { hasRole } from '../governance/roles.js';
import { ANONYMOUS, authenticate } from './auth.js';
import { createContext, type Context } from '../schema/context.js';
import { clientErrorCode, createErrorFormatter } from './errors.js';
import { limitParseOptions, type QueryLimits } from './limits/index.js';
import type { Metrics } from './metrics.js';
import { serveStatic } from './static.js';
import { readBody } from './read-body.js';
import { requestLimitsPlugin } from './limits/index.js';
import { attachWebSocket, type WsHandle } from './ws.js';
import { OperationCaches } from './operation-caches.js';
import { createMlflowRouter, isMlflowPath } from '../mlflow/router.js';
import { tokenActorResolver } from '../mlflow/actor.js';
import { createOpenLineageRoute, isOpenLineagePath } from './openlineage.js';
import { CommitSequences, currentCommitSequences, withCommitSequences } from '../events/commit-sequence.js';
import { DomainError, ErrorCode } from '../errors.js';
import { minSequenceOf, SEQUENCE_HEADER, stampCommitSequence } from './consistency-http.js';
import { createMlflowUiRoute, isMlflowUiPath } from './mlflow-ui.js';
import { createMlflowGraphql } from '../mlflow/graphql-api.js';

export interface HttpOptions {
  schema: GraphQLSchema;
  services: Services;
  log: Logger;
  metrics: Metrics;
  introspection: boolean;
  /** Tokens, anonymous reads, body and message sizes, allowed origins. */
  security: SecurityConfig;
  /** graphql-ws sockets with more unsent bytes are closed (slow subscriber). */
  wsMaxBufferedBytes?: number;
  /** PEDIGREE_WEBHOOK_TIMEOUT_MS: MLflow's test_webhook waits this long. */
  webhookTimeoutMs?: number;
  /** PEDIGREE_MLFLOW_UI: the MLflow UI's build, served at /mlflow/; null: not served. */
  mlflowUiDir?: string | null;
  /** PEDIGREE_OPERATION_CACHE_ENTRIES: documents per operation cache (./operation-caches.ts). Default 1 000. */
  operationCacheEntries?: number;
}

export interface HttpServer {
  server: Server;
  apollo: ApolloServer<Context>;
  ws: WsHandle;
  /** The per-document caches both GraphQL transports share. */
  caches: OperationCaches;
  /** Stops accepting, drains in-flight requests and websockets. */
  stop(): Promise<void>;
}

/**
 * One node:http server carries everything: POST/GET /graphql (Apollo),
 * graphql-ws upgrades on /graphql, /healthz, /readyz and /metrics; every other
 * path is the dashboard's static build (src/server/static.ts).
 */
export async function createHttpServer(opts: HttpOptions): Promise<HttpServer> {
  const { schema, services, log, metrics, security } = opts;
  const limits: Partial<QueryLimits> = {
    maxDepth: security.maxDepth,
    maxCost: security.maxCost,
    maxAliases: security.maxAliases,
    maxTokens: 20_000,
  };
  const server = createServer();
  // Keep-alive connections stay open longer than the usual proxy and client
  // idle timeouts (60 s): with Node's 5 s default the server closes idle
  // sockets that a client or load balancer is just reusing, and that request
  // fails with "socket hang up" (seen in the bench at 32 clients).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const caches = new OperationCaches(schema, limits, opts.operationCacheEntries ?? 1000);
  caches.register(metrics);
  const ws = attachWebSocket({
    server,
    schema,
    services,
    log,
    security,
    limits,
    caches,
    introspection: opts.introspection,
    maxBufferedBytes: opts.wsMaxBufferedBytes,
  });

  const apollo = new ApolloServer<Context>({
    schema,
    introspection: opts.introspection,
    csrfPrevention: true,
    // main.ts owns signal handling and stops Apollo, the driver and Neo4j in order.
    stopOnTerminationSignals: false,
    allowBatchedHttpRequests: false,
    includeStacktraceInErrorResponses: false,
    formatError: createErrorFormatter(log, { hideSchemaDetails: !opts.introspection }),
    parseOptions: limitParseOptions(limits),
    // The fast path for repeated operations (README, "Persisted queries and the fast path"):
    // parsed, validated documents and APQ registrations in bounded caches of our own.
    documentStore: caches.documents.asKeyValueCache(),
    persistedQueries: { cache: caches.persisted.asKeyValueCache() },
    plugins: [
      requestLimitsPlugin<Context>(limits, caches.plans),
      // Apollo's cache-control plugin runs a hook on every resolved field to
      // compute a policy that, with no cache hints in this schema, is always
      // "no-store"; the header is set below instead.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer: server }),
      { serverWillStart: async () => ({ drainServer: () => ws.dispose() }) },
      {
        requestDidStart: async () => ({
          willSendResponse: async ({ errors, operation, response }) => {
            // The consistency token of a request that committed writes: extensions.sequence beside the header.
            const sequence = currentCommitSequences()?.sequence ?? null;
            if (sequence !== null && response.body.kind === 'single') {
              response.body.singleResult.extensions = { ...response.body.singleResult.extensions, sequence };
              response.http.headers.set(SEQUENCE_HEADER, sequence);
              // Read-your-writes here without a token: answered once this replica's reads show the write.
              await services.consistency.settle(sequence);
            }
            const type = operation?.operation ?? 'unknown';
            metrics.graphqlOperations.inc({ type, outcome: errors?.length ? 'error' : 'ok' });
            for (const e of errors ?? []) metrics.graphqlErrors.inc({ code: clientErrorCode(e) });
          },
        }),
      },
    ],
  });
  await apollo.start();
  const resolveActor = tokenActorResolver(services.tokens, { anonymousRead: security.anonymousRead });
  const mlflow = createMlflowRouter({
    services,
    log,
    maxBodyBytes: security.maxBodyBytes,
    webhookTimeoutMs: opts.webhookTimeoutMs ?? 10_000,
    resolveActor,
    awaitConsistency: async (req, url) => {
      const min = minSequenceOf(req, url);
      if (min !== null) await services.consistency.waitFor(min);
    },
    settle: () => services.consistency.settle(currentCommitSequences()?.sequence ?? null),
  });

  const mlflowUi = createMlflowUiRoute({
    dir: opts.mlflowUiDir ?? null,
    mlflow,
    resolveActor,
    graphql: createMlflowGraphql({ services, log, maxBodyBytes: security.maxBodyBytes, resolveActor }),
  });

  const openLineage = createOpenLineageRoute({
    service: services.openLineage,
    tokens: services.tokens,
    log,
    maxBodyBytes: security.maxBodyBytes,
  });

  server.on('request', (req, res) => {
    const route = routeOf(req.url ?? '/');
    res.on('finish', () => metrics.httpRequests.inc({ route, status: String(res.statusCode) }));
    // Every request's writes are tracked: its answer carries the sequence they committed at.
    const sequences = new CommitSequences();
    stampCommitSequence(res, sequences);
    withCommitSequences(sequences, () => handle(route, req, res)).catch((err) => {
      log.error({ err }, 'unhandled http error');
      if (!res.headersSent) send(res, 500, 'text/plain', 'internal error\n');
      else res.destroy();
    });
  });

  async function handle(route: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    switch (route) {
      case '/healthz':
        return send(res, 200, 'application/json', '{"status":"ok"}\n');
      case '/readyz': {
        const ok = await services.system.ping(2000);
        return send(
          res,
          ok ? 200 : 503,
          'application/json',
          ok ? '{"status":"ready"}\n' : '{"status":"database unavailable"}\n',
        );
      }
      case '/metrics':
        return send(res, 200, 'text/plain; version=0.0.4', metrics.render());
      case '/graphql':
        return graphql(req, res);
      case '/admin/backup':
        return backup(req, res);
      case 'mlflow':
        return mlflow(req, res);
      case 'openlineage':
        return openLineage(req, res);
      case 'mlflow-ui':
        return mlflowUi(req, res);
      default:
        return serveStatic(req, res);
    }
  }

  /**
   * POST /admin/backup (ADMIN token): streams an online backup, a gzipped tar
   * (src/backup/backup.ts). Headers go out before the archive is built, so a
   * failure part-way ends the response early; `npm run backup` verifies what it
   * received and keeps nothing that does not check out.
   */
  async function backup(req: IncomingMessage, res: ServerResponse): Promise<void> {
    req.resume();
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return send(res, 405, 'application/json', '{"error":"POST /admin/backup"}\n');
    }
    const auth = await authenticate(services.tokens, req.headers.authorization);
    if (auth.kind !== 'ok') {
      res.setHeader('www-authenticate', 'Bearer realm="pedigree"');
      return send(
        res,
        401,
        'application/json',
        `${JSON.stringify({ error: auth.kind === 'invalid' ? auth.message : 'a backup needs an ADMIN API token: Authorization: Bearer <token>' })}\n`,
      );
    }
    if (!hasRole(auth.actor.role, 'ADMIN')) {
      return send(
        res,
        403,
        'application/json',
        `${JSON.stringify({ error: `${auth.actor.name} (${auth.actor.role}) may not take backups: it needs ADMIN` })}\n`,
      );
    }
    if (services.backup.busy)
      return send(
        res,
        409,
        'application/json',
        '{"error":"a backup is already running in this process; wait for it to finish"}\n',
      );
    log.info({ actor: auth.actor.name }, 'backup requested');
    res.writeHead(200, {
      'content-type': 'application/gzip',
      'cache-control': 'no-store',
      'content-disposition': 'attachment; filename="pedigree-backup.tar.gz"',
    });
    try {
      await services.backup.write(res);
    } catch (err) {
      log.error({ err }, 'backup failed');
      res.destroy();
    }
  }

  async function graphql(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'POST') {
      res.setHeader('allow', 'GET, POST');
      return send(
        res,
        405,
        'application/json',
        '{"errors":[{"message":"only GET and POST are served on /graphql"}]}\n',
      );
    }
    // Authentication comes before the body is read or parsed: without a valid
    // token a client learns nothing about the schema.
    const auth = await authenticate(services.tokens, req.headers.authorization);
    if (auth.kind === 'invalid' || (auth.kind === 'missing' && !security.anonymousRead)) {
      // The body stays unread: the connection ends with the refusal.
      res.setHeader('connection', 'close');
      res.setHeader('www-authenticate', 'Bearer realm="pedigree"');
      const message =
        auth.kind === 'invalid'
          ? auth.message
          : 'every GraphQL operation needs an API token: send Authorization: Bearer <token>';
      return send(
        res,
        401,
        'application/json',
        `${JSON.stringify({ errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] })}\n`,
      );
    }
    const actor = auth.kind === 'ok' ? auth.actor : ANONYMOUS;
    const headers = new HeaderMap();
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
    }
    let body: unknown;
    if (req.method === 'POST') {
      const raw = await readBody(req, security.maxBodyBytes);
      if (raw === null) {
        res.setHeader('connection', 'close');
        return send(
          res,
          413,
          'application/json',
          `{"errors":[{"message":"request body is limited to ${security.maxBodyBytes} bytes","extensions":{"code":"LIMIT_EXCEEDED"}}]}\n`,
        );
      }
      const type = headers.get('content-type') ?? '';
      if (type.startsWith('application/json') || type.includes('+json')) {
        try {
          body = raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
        } catch {
          return send(
            res,
            400,
            'application/json',
            '{"errors":[{"message":"request body is not valid JSON","extensions":{"code":"BAD_REQUEST"}}]}\n',
          );
        }
      } else {
        body = raw.toString('utf8');
      }
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    // A consistency token: answer only once this replica has applied it (bounded wait, then 503).
    try {
      const min = minSequenceOf(
        req,
        url,
        body && typeof body === 'object' ? (body as { extensions?: unknown }).extensions : undefined,
      );
      if (min !== null) await services.consistency.waitFor(min);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      return sendGraphQLError(res, err);
    }
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method, headers, search: url.search, body },
      context: async () => createContext(services, log, actor),
    });
    for (const [k, v] of result.headers) res.setHeader(k, v);
    // GraphQL answers are never cacheable (GET ones included): per caller, and reads move.
    res.setHeader('cache-control', 'no-store');
    res.statusCode = result.status ?? 200;
    if (result.body.kind === 'complete') {
      res.end(result.body.string);
    } else {
      for await (const chunk of result.body.asyncIterator) res.write(chunk);
      res.end();
    }
  }

  return {
    server,
    apollo,
    ws,
    caches,
    stop: async () => {
      await apollo.stop();
    },
  };
}

function routeOf(url: string): string {
  const path = url.split('?')[0] ?? '/';
  if (isMlflowPath(path)) return 'mlflow';
  if (isOpenLineagePath(path)) return 'openlineage';
  if (isMlflowUiPath(path)) return 'mlflow-ui';
  return ['/healthz', '/readyz', '/metrics', '/graphql', '/admin/backup'].includes(path) ? path : 'other';
}

/** A refusal before execution (a bad or unapplied consistency token) as a GraphQL response. */
function sendGraphQLError(res: ServerResponse, err: DomainError): void {
  const unavailable = err.code === ErrorCode.UNAVAILABLE;
  if (unavailable) res.setHeader('retry-after', '1');
  send(
    res,
    unavailable ? 503 : 400,
    'application/json',
    `${JSON.stringify({ errors: [{ message: err.message, extensions: { ...err.details, code: err.code } }] })}\n`,
  );
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}
