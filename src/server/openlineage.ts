import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DomainError, ErrorCode } from '../errors.js';
import { hasRole, Role } from '../governance/roles.js';
import type { TokenService } from '../governance/token.service.js';
import type { Logger } from '../logger.js';
import type { OpenLineageService } from '../provenance/openlineage/openlineage.service.js';
import { authenticate } from './auth.js';
import { readBody } from './read-body.js';

/** The OpenLineage HTTP API's paths: the spec's (and the Python client's default endpoint). */
export const OPENLINEAGE_PATH = '/api/v1/lineage';
export const OPENLINEAGE_BATCH_PATH = '/api/v1/lineage/batch';

export function isOpenLineagePath(path: string): boolean {
  return path === OPENLINEAGE_PATH || path === OPENLINEAGE_BATCH_PATH;
}

export interface OpenLineageRouteOptions {
  service: Pick<OpenLineageService, 'ingest' | 'ingestBatch'>;
  tokens: TokenService;
  log: Logger;
  /** Largest request body, after decompression. */
  maxBodyBytes: number;
}

const STATUS: Record<string, number> = {
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.CONFLICT]: 409,
  [ErrorCode.LIMIT_EXCEEDED]: 413,
  [ErrorCode.GATE_FAILED]: 409,
  [ErrorCode.CHECKSUM_MISMATCH]: 409,
};

class HttpRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * POST /api/v1/lineage (one event) and POST /api/v1/lineage/batch (a JSON
 * array, recorded whole or not at all): the OpenLineage transport, an
 * adapter that authenticates, reads and parses the body, calls the
 * OpenLineage service and maps its errors to HTTP. The token is checked
 * before a byte of the body is read (CONTRIBUTOR, as for the GraphQL
 * mutations that register runs and datasets). Errors answer
 * `{"error": {"code", "message", "field"?, "index"?}}`.
 */
export function createOpenLineageRoute(
  opts: OpenLineageRouteOptions,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    try {
      if (req.method !== 'POST') {
        res.setHeader('allow', 'POST');
        throw new HttpRefusal(
          405,
          'METHOD_NOT_ALLOWED',
          `${path} takes POST with an OpenLineage event${path === OPENLINEAGE_BATCH_PATH ? ' array' : ''}`,
        );
      }
      const auth = await authenticate(opts.tokens, req.headers.authorization);
      if (auth.kind !== 'ok') {
        res.setHeader('www-authenticate', 'Bearer realm="pedigree"');
        throw new HttpRefusal(
          401,
          ErrorCode.UNAUTHENTICATED,
          auth.kind === 'invalid'
            ? auth.message
            : "OpenLineage events need an API token: send Authorization: Bearer <token> (the client's api_key auth)",
        );
      }
      if (!hasRole(auth.actor.role, Role.CONTRIBUTOR)) {
        throw new HttpRefusal(
          403,
          ErrorCode.FORBIDDEN,
          `${auth.actor.name} (${auth.actor.role}) may not record lineage: it needs ${Role.CONTRIBUTOR}`,
        );
      }
      const type = String(req.headers['content-type'] ?? '');
      if (!/^application\/([a-z0-9.+-]*\+)?json\b/i.test(type)) {
        throw new HttpRefusal(
          415,
          'UNSUPPORTED_MEDIA_TYPE',
          `the body must be JSON (content-type: application/json), got ${JSON.stringify(type || 'none')}`,
        );
      }
      const text = await readText(req, opts.maxBodyBytes);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (err) {
        throw new HttpRefusal(400, ErrorCode.BAD_USER_INPUT, `the body is not valid JSON: ${(err as Error).message}`);
      }
      const actor = { name: auth.actor.name };
      if (path === OPENLINEAGE_BATCH_PATH) {
        const results = await opts.service.ingestBatch(actor, body);
        return sendJson(res, 200, {
          status: 'success',
          summary: { received: results.length, successful: results.length, failed: 0, retriable: 0, non_retriable: 0 },
          events: results,
        });
      }
      return sendJson(res, 200, { status: 'success', ...(await opts.service.ingest(actor, body)) });
    } catch (err) {
      req.unpipe();
      req.resume();
      if (err instanceof HttpRefusal)
        return sendJson(res, err.status, { error: { code: err.code, message: err.message } });
      if (err instanceof DomainError) {
        const { field, index } = err.details as { field?: string; index?: number };
        return sendJson(res, STATUS[err.code] ?? 400, {
          error: {
            code: err.code,
            message: err.message,
            ...(field !== undefined ? { field } : {}),
            ...(index !== undefined ? { index } : {}),
          },
        });
      }
      const logId = randomUUID();
      opts.log.error({ err, logId, path }, 'openlineage request failed');
      return sendJson(res, 500, {
        error: { code: 'INTERNAL_SERVER_ERROR', message: `internal error (log id ${logId})` },
      });
    }
  };
}

/**
 * The body as text: at most `limit` bytes after decompression (Content-Encoding
 * gzip, which the Python client sends with `compression: gzip`), else 413.
 */
async function readText(req: IncomingMessage, limit: number): Promise<string> {
  const encoding = String(req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip')
    throw new HttpRefusal(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `content-encoding must be gzip or identity, got "${encoding}"`,
    );
  const body = await readBody(req, limit, { gzip: encoding === 'gzip' }).catch((err: Error) => {
    throw new HttpRefusal(400, ErrorCode.BAD_USER_INPUT, `the body could not be read: ${err.message}`);
  });
  if (body === null)
    throw new HttpRefusal(
      413,
      ErrorCode.LIMIT_EXCEEDED,
      `an OpenLineage request body is limited to ${limit} bytes (PEDIGREE_MAX_BODY_BYTES)`,
    );
  return body.toString('utf8');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(`${JSON.stringify(body)}\n`);
}
