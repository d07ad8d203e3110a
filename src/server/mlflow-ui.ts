import type { IncomingMessage, ServerResponse } from 'node:http';
import { PEDIGREE_VERSION } from '../version.js';
import { serveStatic } from './static.js';
import { isMlflowPath } from '../mlflow/router.js';
import type { ActorResolver } from '../mlflow/actor.js';
import { toMlflowError } from '../mlflow/errors.js';

/** Where the MLflow UI is mounted: its own paths are relative, so it runs under any prefix. */
export const MLFLOW_UI_PREFIX = '/mlflow';

export function isMlflowUiPath(path: string): boolean {
  return path === MLFLOW_UI_PREFIX || path.startsWith(`${MLFLOW_UI_PREFIX}/`);
}

/**
 * The MLflow UI (PEDIGREE_MLFLOW_UI: the static build from an installed
 * `mlflow` wheel), mounted at /mlflow/ against Pedigree's MLflow API. The UI
 * asks for `ajax-api/...` relative to its page, so /mlflow/ajax-api/... is
 * Pedigree's MLflow router (same authentication, roles and rules as
 * /ajax-api/...); its static files are served from the build; the few
 * server paths the UI reads besides the API (`version`, `server-info`) are
 * answered here. A transport only: nothing of the UI runs on the server.
 */
export function createMlflowUiRoute(opts: {
  dir: string | null;
  mlflow: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /** Who is calling (users/current), by the MLflow API's authenticator. */
  resolveActor: ActorResolver;
  /** MLflow's UI GraphQL (src/mlflow/graphql-api.ts), at /mlflow/graphql. */
  graphql: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
}): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const url = req.url ?? '/';
    const [path = '/', query] = url.split('?');
    const rest = path.slice(MLFLOW_UI_PREFIX.length) || '/';
    if (!opts.dir)
      return json(res, 404, {
        error_code: 'ENDPOINT_NOT_FOUND',
        message:
          'the MLflow UI is not served here: set PEDIGREE_MLFLOW_UI to the directory of its build (see the README)',
      });
    if (path === MLFLOW_UI_PREFIX) {
      res.writeHead(308, { location: `${MLFLOW_UI_PREFIX}/` });
      res.end();
      return;
    }
    // What the UI asks of MLflow's server beyond the MLflow API: how the server is set up,
    // who the caller is, and its assistant (Pedigree has none: no providers).
    if (rest === '/ajax-api/3.0/mlflow/server-info') {
      return json(res, 200, {
        store_type: null,
        workspaces_enabled: false,
        trace_archival_enabled: false,
        multipart_uploads_enabled: false,
        multipart_downloads_enabled: false,
        features_enabled: { gateway: false },
      });
    }
    if (rest === '/ajax-api/3.0/mlflow/assistant/config') return json(res, 200, { providers: {}, projects: {} });
    if (rest === '/ajax-api/3.0/mlflow/assistant/providers')
      return json(res, 200, { providers: [], resolved: null, gateway_vendor_options: [] });
    if (rest === '/ajax-api/2.0/mlflow/users/current') {
      let actor;
      try {
        actor = await opts.resolveActor(req, 'read');
      } catch (err) {
        const e = toMlflowError(err);
        if (!e) throw err;
        return json(res, e.status, { error_code: e.errorCode, message: e.message });
      }
      return json(res, 200, {
        user: {
          id: actor.name,
          username: actor.name,
          is_admin: actor.role === 'ADMIN',
          experiment_permissions: [],
          registered_model_permissions: [],
        },
      });
    }
    if (rest.startsWith('/ajax-api/')) {
      if (!isMlflowPath(rest))
        return json(res, 404, {
          error_code: 'ENDPOINT_NOT_FOUND',
          message: `Pedigree does not implement the MLflow endpoint ${req.method} ${rest} (see the README's MLflow compatibility section)`,
        });
      // The MLflow router routes on the raw URL: hand it the path without the mount.
      req.url = `${rest}${query === undefined ? '' : `?${query}`}`;
      return opts.mlflow(req, res);
    }
    if (rest === '/graphql') return opts.graphql(req, res);
    if (rest === '/version') return text(res, PEDIGREE_VERSION);
    if (rest === '/server-info') return json(res, 200, { store_type: 'pedigree', workspaces_enabled: false });
    if (rest.startsWith('/static-files/')) {
      return serveStatic(req, res, opts.dir, {
        path: rest.slice('/static-files'.length),
        immutable: (p) => p.startsWith('/static/'),
      });
    }
    // The UI routes on the hash: every other path is its page.
    return serveStatic(req, res, opts.dir, { path: '/index.html' });
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

function text(res: ServerResponse, body: string): void {
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end(body);
}
