import { createReadStream, existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** web/dist at the project root, from src/server (tsx, vitest) or dist/src/server (compiled). */
export const webDistDir =
  [resolve(here, '../../web/dist'), resolve(here, '../../../web/dist')].find((d) => existsSync(d)) ??
  resolve('web/dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

/**
 * Serves the dashboard's static build (web/dist) for every path the API does
 * not own. A path that names no file and has no extension gets index.html (the
 * UI routes on the client); a missing file with an extension is a 404. Paths
 * are resolved inside the build folder and anything escaping it is refused.
 * `opts.path` serves that path instead of the request's (a mounted build, such
 * as the MLflow UI's under /mlflow/); `opts.immutable` says which paths are
 * fingerprinted (cached for good).
 */
export async function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  root = webDistDir,
  opts: { path?: string; immutable?: (path: string) => boolean } = {},
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'application/json' });
    res.end('{"error":"only GET and HEAD are served outside /graphql"}\n');
    return;
  }
  let path: string;
  try {
    path = decodeURIComponent((opts.path ?? req.url ?? '/').split('?')[0]!.split('#')[0]!);
  } catch {
    return notFound(res);
  }
  if (path.includes('\0') || path.includes('\\')) return notFound(res);
  const file = resolve(root, `.${path}`);
  if (file !== root && !file.startsWith(root + sep)) return notFound(res);

  const found = await fileAt(file);
  if (found) return sendFile(req, res, file, found, !(opts.immutable ?? ((p) => p.startsWith('/assets/')))(path));
  if (extname(path) !== '') return notFound(res);
  const index = resolve(root, 'index.html');
  const indexSize = await fileAt(index);
  if (!indexSize) return notFound(res, 'the dashboard is not built: run npm run web:build');
  return sendFile(req, res, index, indexSize, true);
}

async function fileAt(file: string): Promise<number | null> {
  try {
    const s = await stat(file);
    return s.isFile() ? s.size : null;
  } catch {
    return null;
  }
}

function sendFile(req: IncomingMessage, res: ServerResponse, file: string, size: number, revalidate: boolean): void {
  res.writeHead(200, {
    'content-type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'content-length': String(size),
    'x-content-type-options': 'nosniff',
    // Vite fingerprints everything under assets/; index.html must be re-read to pick up a new build.
    'cache-control': revalidate ? 'no-cache' : 'public, max-age=31536000, immutable',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}

function notFound(res: ServerResponse, message = 'not found'): void {
  res.writeHead(404, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(`${JSON.stringify({ error: message })}\n`);
}
