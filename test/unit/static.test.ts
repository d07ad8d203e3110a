import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic } from '../../src/server/static.js';

let root: string;
let server: Server;
let port: number;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'pedigree-static-'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>ui</title>');
  writeFileSync(join(root, 'assets', 'app-1a2b.js'), 'console.log(1)');
  writeFileSync(join(root, 'assets', 'app-1a2b.css'), 'body{}');
  writeFileSync(join(tmpdir(), 'pedigree-secret.txt'), 'secret');
  server = createServer((req, res) => void serveStatic(req, res, root));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => {
  server.close();
  rmSync(root, { recursive: true, force: true });
});

/** A raw request: the path is sent exactly as given (fetch would normalise ".."). */
function get(
  path: string,
  method = 'GET',
): Promise<{ status: number; type: string | undefined; cache: string | undefined; body: string }> {
  return new Promise((resolveP, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () =>
        resolveP({
          status: res.statusCode!,
          type: res.headers['content-type'],
          cache: res.headers['cache-control'],
          body,
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('static dashboard handler', () => {
  it('serves files with their content types; hashed assets are cached, index.html revalidated', async () => {
    const index = await get('/');
    expect(index).toMatchObject({ status: 200, type: 'text/html; charset=utf-8', cache: 'no-cache' });
    expect(index.body).toContain('<title>ui</title>');
    expect(await get('/assets/app-1a2b.js')).toMatchObject({
      status: 200,
      type: 'text/javascript; charset=utf-8',
      cache: 'public, max-age=31536000, immutable',
    });
    expect(await get('/assets/app-1a2b.css')).toMatchObject({ status: 200, type: 'text/css; charset=utf-8' });
    expect(await get('/assets/app-1a2b.js', 'HEAD')).toMatchObject({ status: 200, body: '' });
  });

  it('falls back to index.html for client routes, but not for missing files', async () => {
    expect((await get('/models/fraud?x=1')).body).toContain('<title>ui</title>');
    expect((await get('/assets/missing.js')).status).toBe(404);
    expect((await get('/favicon.ico')).status).toBe(404);
  });

  it('never leaves the build folder', async () => {
    for (const p of [
      '/../pedigree-secret.txt',
      '/assets/../../pedigree-secret.txt',
      '/%2e%2e/pedigree-secret.txt',
      '/..%2fpedigree-secret.txt',
      '/%2e%2e%5cpedigree-secret.txt',
      '/%00',
      '/%E0%A4%A',
    ]) {
      const r = await get(p);
      expect(r.body, p).not.toContain('secret');
      expect(r.status, p).toBe(404);
    }
  });

  it('refuses writes', async () => {
    expect((await get('/', 'POST')).status).toBe(405);
  });
});
