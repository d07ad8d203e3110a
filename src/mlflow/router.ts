import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { artifactPath } from '../artifacts/artifact-store.js';
import type { Logger } from '../logger.js';
import { readBody } from '../server/read-body.js';
import type { Services } from '../services.js';
import { openActorResolver, type ActorResolver } from './actor.js';
import { MlflowError, toMlflowError } from './errors.js';
import { MlflowRegistryApi } from './registry-api.js';
import { queryBody, type Body, type Handler } from './request.js';
import { MlflowTrackingApi } from './tracking-api.js';
import { MlflowWebhooksApi } from './webhooks-api.js';

export interface MlflowRouterOptions {
  services: Services;
  log: Logger;
  /** Largest JSON request body. */
  maxBodyBytes: number;
  /** test_webhook's timeout (PEDIGREE_WEBHOOK_TIMEOUT_MS). */
  webhookTimeoutMs: number;
  resolveActor?: ActorResolver;
  /** Waits for the request's consistency token (Pedigree-Min-Sequence), after authentication and before the handler. */
  awaitConsistency?: (req: IncomingMessage, url: URL) => Promise<void>;
  /** After a handler, before its answer: waits until this replica's reads show what it wrote (read-your-writes). */
  settle?: () => Promise<void>;
}

type Access = 'read' | 'write' | 'admin';
type Route = { method: string; pattern: RegExp; names: string[]; access: Access; handler: Handler };

/**
 * Every MLflow REST endpoint Pedigree serves: method, path under
 * `/api/2.0/mlflow/` (and `/ajax-api/2.0/mlflow/`), the access it needs
 * (read: VIEWER, write: CONTRIBUTOR, admin: ADMIN — managing webhooks, as
 * through GraphQL; MLflow posts some searches, which only read), and the
 * handler (an MlflowRegistryApi, MlflowTrackingApi or MlflowWebhooksApi method). The one route table:
 * the router is built from it, and the route × role test walks it.
 */
export const MLFLOW_ENDPOINTS: readonly (readonly [
  method: string,
  path: string,
  access: Access,
  api: 'registry' | 'tracking' | 'webhooks',
  handler: string,
])[] = [
  // model_registry.proto
  ['POST', 'registered-models/create', 'write', 'registry', 'createRegisteredModel'],
  ['GET', 'registered-models/get', 'read', 'registry', 'getRegisteredModel'],
  ['POST', 'registered-models/rename', 'write', 'registry', 'renameRegisteredModel'],
  ['PATCH', 'registered-models/update', 'write', 'registry', 'updateRegisteredModel'],
  ['DELETE', 'registered-models/delete', 'write', 'registry', 'deleteRegisteredModel'],
  ['GET', 'registered-models/search', 'read', 'registry', 'searchRegisteredModels'],
  ['POST', 'registered-models/get-latest-versions', 'read', 'registry', 'getLatestVersions'],
  ['GET', 'registered-models/get-latest-versions', 'read', 'registry', 'getLatestVersions'],
  ['POST', 'registered-models/set-tag', 'write', 'registry', 'setRegisteredModelTag'],
  ['DELETE', 'registered-models/delete-tag', 'write', 'registry', 'deleteRegisteredModelTag'],
  ['POST', 'registered-models/alias', 'write', 'registry', 'setRegisteredModelAlias'],
  ['DELETE', 'registered-models/alias', 'write', 'registry', 'deleteRegisteredModelAlias'],
  ['GET', 'registered-models/alias', 'read', 'registry', 'getModelVersionByAlias'],
  ['POST', 'model-versions/create', 'write', 'registry', 'createModelVersion'],
  ['GET', 'model-versions/get', 'read', 'registry', 'getModelVersion'],
  ['PATCH', 'model-versions/update', 'write', 'registry', 'updateModelVersion'],
  ['DELETE', 'model-versions/delete', 'write', 'registry', 'deleteModelVersion'],
  ['GET', 'model-versions/search', 'read', 'registry', 'searchModelVersions'],
  ['GET', 'model-versions/get-download-uri', 'read', 'registry', 'getModelVersionDownloadUri'],
  ['POST', 'model-versions/set-tag', 'write', 'registry', 'setModelVersionTag'],
  ['DELETE', 'model-versions/delete-tag', 'write', 'registry', 'deleteModelVersionTag'],
  ['POST', 'model-versions/transition-stage', 'write', 'registry', 'transitionModelVersionStage'],
  // service.proto (tracking)
  ['POST', 'experiments/create', 'write', 'tracking', 'createExperiment'],
  ['GET', 'experiments/get', 'read', 'tracking', 'getExperiment'],
  ['GET', 'experiments/get-by-name', 'read', 'tracking', 'getExperimentByName'],
  ['POST', 'experiments/search', 'read', 'tracking', 'searchExperiments'],
  ['GET', 'experiments/search', 'read', 'tracking', 'searchExperiments'],
  ['POST', 'experiments/update', 'write', 'tracking', 'updateExperiment'],
  ['POST', 'experiments/delete', 'write', 'tracking', 'deleteExperiment'],
  ['POST', 'experiments/restore', 'write', 'tracking', 'restoreExperiment'],
  ['POST', 'experiments/set-experiment-tag', 'write', 'tracking', 'setExperimentTag'],
  ['POST', 'experiments/delete-experiment-tag', 'write', 'tracking', 'deleteExperimentTag'],
  ['POST', 'runs/create', 'write', 'tracking', 'createRun'],
  ['GET', 'runs/get', 'read', 'tracking', 'getRun'],
  ['POST', 'runs/update', 'write', 'tracking', 'updateRun'],
  ['POST', 'runs/delete', 'write', 'tracking', 'deleteRun'],
  ['POST', 'runs/restore', 'write', 'tracking', 'restoreRun'],
  ['POST', 'runs/search', 'read', 'tracking', 'searchRuns'],
  ['POST', 'runs/log-metric', 'write', 'tracking', 'logMetric'],
  ['POST', 'runs/log-parameter', 'write', 'tracking', 'logParam'],
  ['POST', 'runs/set-tag', 'write', 'tracking', 'setTag'],
  ['POST', 'runs/delete-tag', 'write', 'tracking', 'deleteTag'],
  ['POST', 'runs/log-batch', 'write', 'tracking', 'logBatch'],
  ['POST', 'runs/log-inputs', 'write', 'tracking', 'logInputs'],
  ['POST', 'runs/outputs', 'write', 'tracking', 'logOutputs'],
  ['POST', 'runs/log-model', 'write', 'tracking', 'logModel'],
  ['GET', 'metrics/get-history', 'read', 'tracking', 'getMetricHistory'],
  ['GET', 'metrics/get-history-bulk', 'read', 'tracking', 'getMetricHistoryBulk'],
  ['GET', 'metrics/get-history-bulk-interval', 'read', 'tracking', 'getMetricHistoryBulkInterval'],
  ['POST', 'logged-models', 'write', 'tracking', 'createLoggedModel'],
  ['POST', 'logged-models/search', 'read', 'tracking', 'searchLoggedModels'],
  ['GET', 'logged-models/{model_id}', 'read', 'tracking', 'getLoggedModel'],
  ['PATCH', 'logged-models/{model_id}', 'write', 'tracking', 'finalizeLoggedModel'],
  ['PATCH', 'logged-models/{model_id}/tags', 'write', 'tracking', 'setLoggedModelTags'],
  ['DELETE', 'logged-models/{model_id}/tags/{tag_key}', 'write', 'tracking', 'deleteLoggedModelTag'],
  ['POST', 'logged-models/{model_id}/params', 'write', 'tracking', 'logLoggedModelParams'],
  // webhooks.proto (MLflow 3.3+): webhook management is ADMIN in Pedigree
  ['POST', 'webhooks', 'admin', 'webhooks', 'createWebhook'],
  ['GET', 'webhooks', 'admin', 'webhooks', 'listWebhooks'],
  ['GET', 'webhooks/{webhook_id}', 'admin', 'webhooks', 'getWebhook'],
  ['PATCH', 'webhooks/{webhook_id}', 'admin', 'webhooks', 'updateWebhook'],
  ['DELETE', 'webhooks/{webhook_id}', 'admin', 'webhooks', 'deleteWebhook'],
  ['POST', 'webhooks/{webhook_id}/test', 'admin', 'webhooks', 'testWebhook'],
];

const API_PREFIXES = ['/api/2.0/mlflow/', '/ajax-api/2.0/mlflow/'];
const ARTIFACTS_PREFIX = '/api/2.0/mlflow-artifacts/artifacts';

/** True when the path belongs to the MLflow front door (http.ts routes these here). */
export function isMlflowPath(path: string): boolean {
  return (
    API_PREFIXES.some((p) => path.startsWith(p)) || path === ARTIFACTS_PREFIX || path.startsWith(`${ARTIFACTS_PREFIX}/`)
  );
}

/**
 * MLflow's REST API and artifact proxy, served by Pedigree: one function
 * http.ts calls for every MLflow path. Errors answer in MLflow's format
 * `{"error_code": ..., "message": ...}` with MLflow's statuses.
 *
 * An adapter: it parses, authenticates and maps errors. The caller is
 * authenticated, and its role checked against the route's read or write need,
 * before a byte of the body is read; a request refused before its body was
 * read is answered with `Connection: close`, so the rest is never consumed.
 * The artifact rules (owners, write-once, quotas, verified reads) are
 * services.artifacts'.
 */
export function createMlflowRouter(
  opts: MlflowRouterOptions,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const registry = new MlflowRegistryApi(opts.services);
  const tracking = new MlflowTrackingApi(opts.services);
  const webhooks = new MlflowWebhooksApi(opts.services, opts.webhookTimeoutMs);
  const resolveActor = opts.resolveActor ?? openActorResolver;
  const apis = { registry, tracking, webhooks };
  const routes: Route[] = MLFLOW_ENDPOINTS.map(([method, path, access, api, name]) => {
    const names: string[] = [];
    const pattern = new RegExp(`^${path.replace(/\{(\w+)\}/g, (_m, n: string) => (names.push(n), '([^/]+)'))}$`);
    const handler = (apis[api] as unknown as Record<string, Handler>)[name];
    if (typeof handler !== 'function') throw new Error(`MLflow endpoint ${method} ${path}: no handler ${api}.${name}`);
    return { method, pattern, names, access, handler };
  });

  const sendJson = (res: ServerResponse, status: number, body: unknown) => {
    // An answer given before the body was read (a refusal, an unknown endpoint) ends the
    // connection: the rest of the body stays unread instead of being drained for keep-alive.
    if (hasUnreadBody(res.req)) res.setHeader('connection', 'close');
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  const fail = (res: ServerResponse, err: unknown) => {
    const e = toMlflowError(err);
    if (!e) {
      opts.log.error({ err }, 'mlflow request failed');
      return sendJson(res, 500, { error_code: 'INTERNAL_ERROR', message: 'internal error (see the server log)' });
    }
    if (e.status === 503) res.setHeader('retry-after', '1');
    sendJson(res, e.status, { error_code: e.errorCode, message: e.message });
  };

  async function api(req: IncomingMessage, res: ServerResponse, url: URL, rel: string): Promise<void> {
    const method = req.method ?? 'GET';
    const candidates = routes.filter((r) => r.pattern.test(rel));
    const route = candidates.find((r) => r.method === method);
    if (!route) {
      if (candidates.length) {
        res.setHeader('allow', candidates.map((c) => c.method).join(', '));
        return sendJson(res, 405, { error_code: 'BAD_REQUEST', message: `${method} is not served on ${url.pathname}` });
      }
      return sendJson(res, 404, {
        error_code: 'ENDPOINT_NOT_FOUND',
        message: `Pedigree does not implement the MLflow endpoint ${method} ${url.pathname} (see the README's MLflow compatibility section)`,
      });
    }
    const m = route.pattern.exec(rel)!;
    const params = Object.fromEntries(route.names.map((n, i) => [n, m[i + 1]!]));
    const actor = await resolveActor(req, route.access);
    await opts.awaitConsistency?.(req, url);
    let body: Body = queryBody(url.searchParams);
    if (method !== 'GET') {
      const raw = await readBody(req, opts.maxBodyBytes);
      if (raw === null)
        throw new MlflowError('RESOURCE_EXHAUSTED', `request body is limited to ${opts.maxBodyBytes} bytes`);
      if (raw.length) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(raw.toString('utf8'));
        } catch {
          throw new MlflowError('BAD_REQUEST', 'request body is not valid JSON');
        }
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
          throw new MlflowError('INVALID_PARAMETER_VALUE', 'request body must be a JSON object');
        body = { ...body, ...(parsed as Body) };
      }
    }
    const answer = await route.handler({ req, body, params, actor });
    await opts.settle?.();
    sendJson(res, 200, answer);
  }

  /** The artifact proxy: PUT uploads, GET downloads a file, GET on the bare prefix lists `?path=`, DELETE removes. */
  async function artifacts(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const rawTail = (req.url ?? '').split('?')[0]!.slice(ARTIFACTS_PREFIX.length).replace(/^\//, '');
    const method = req.method ?? 'GET';
    const actor = await resolveActor(req, method === 'GET' ? 'read' : 'write');
    const store = opts.services.artifacts;
    if (rawTail === '') {
      if (method !== 'GET') throw new MlflowError('INVALID_PARAMETER_VALUE', `${method} needs an artifact path`);
      const rawPath = url.searchParams.get('path');
      const path = rawPath ? artifactPath(rawPath.replace(/\/$/, ''), { decoded: true, allowRoot: true }) : '';
      const files = await store.list(path);
      return sendJson(
        res,
        200,
        files.length
          ? { files: files.map((f) => ({ path: f.path, is_dir: f.isDir, ...(f.isDir ? {} : { file_size: f.size }) })) }
          : {},
      );
    }
    const path = artifactPath(rawTail);
    switch (method) {
      case 'PUT': {
        const declared = req.headers['content-length'] === undefined ? null : Number(req.headers['content-length']);
        await store.write(actor, path, req, Number.isSafeInteger(declared) ? declared : null);
        return sendJson(res, 200, {});
      }
      case 'GET': {
        const file = await store.read(actor, path);
        res.writeHead(200, {
          'content-type': 'application/octet-stream',
          'content-length': String(file.size),
          'cache-control': 'no-store',
        });
        // A stream that fails (a sealed file changed while it was served) destroys the response: cut off, never
        // completed.
        await pipeline(file.stream, res);
        return;
      }
      case 'DELETE':
        await store.remove(actor, path);
        return sendJson(res, 200, {});
      default:
        res.setHeader('allow', 'GET, PUT, DELETE');
        return sendJson(res, 405, { error_code: 'BAD_REQUEST', message: `${method} is not served on artifact paths` });
    }
  }

  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    // Route on the raw path: URL parsing would resolve "..", "%2e%2e" and friends first.
    const raw = (req.url ?? '/').split('?')[0]!;
    try {
      if (raw === ARTIFACTS_PREFIX || raw.startsWith(`${ARTIFACTS_PREFIX}/`)) return await artifacts(req, res, url);
      const prefix = API_PREFIXES.find((p) => raw.startsWith(p))!;
      return await api(req, res, url, raw.slice(prefix.length));
    } catch (err) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      fail(res, err);
    }
  };
}

/** A request that declared a body (Content-Length above 0, or chunked) not yet read to its end. */
function hasUnreadBody(req: IncomingMessage): boolean {
  return (
    !req.complete && (Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined)
  );
}
