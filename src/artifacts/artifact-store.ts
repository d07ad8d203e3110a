import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { badInput, notFound } from '../errors.js';
import { ensurePrivateDir } from '../private-dir.js';

/** One entry of a directory listing: `path` is the entry's name inside the listed directory. */
export interface ArtifactEntry {
  path: string;
  isDir: boolean;
  /** Bytes, for files. */
  size: number | null;
}

/**
 * Where artifacts live. Paths are store-relative POSIX paths that have passed
 * `artifactPath()`; an implementation never sees a raw request path. A cloud
 * store implements the same five methods.
 */
export interface ArtifactStore {
  /** Writes (or replaces) a file from a stream; parent directories are implied. */
  put(path: string, body: Readable, maxBytes: number): Promise<{ size: number }>;
  /** A stream of the file, or null when there is no file at path. */
  get(path: string): Promise<{ stream: Readable; size: number } | null>;
  /** The entries directly under path ('' = the root), or [] when it is not a directory. */
  list(path: string): Promise<ArtifactEntry[]>;
  /**
   * "sha256:<hex>": of the bytes for a file; for a directory, of its manifest —
   * one line `relative/path<TAB>sha256hex\n` per file, sorted by path. null
   * when nothing is at path (or the directory holds no file).
   */
  digest(path: string): Promise<string | null>;
  delete(path: string): Promise<void>;
}

/**
 * The one check for artifact paths from requests. `raw` is the path as it
 * arrived, still percent-encoded (a URL path tail or a `path` query value
 * after one decoding by the URL parser: pass `decoded: true` then). Refused,
 * whatever the spelling: `..` and `.` segments, empty segments, absolute
 * paths, backslashes, NUL and control characters, drive letters, and encoded
 * dots, slashes, backslashes or percent signs (the double-encoding trick).
 * Returns the store-relative path ('' for the root when allowRoot).
 */
export function artifactPath(raw: string, opts: { decoded?: boolean; allowRoot?: boolean } = {}): string {
  const fail = (why: string) => badInput(`artifact path ${why}; got ${JSON.stringify(String(raw).slice(0, 200))}`, { field: 'path' });
  if (typeof raw !== 'string') throw fail('is required');
  if (raw.length > 1024) throw fail('must be at most 1024 characters');
  let path = raw;
  if (!opts.decoded) {
    // Encoded ".", "/", "\", "%" and NUL are never needed by a real client: refuse them before decoding once.
    if (/%(2e|2f|5c|25|00)/i.test(raw)) throw fail('must not percent-encode ".", "/", "\\", "%" or NUL');
    try {
      path = decodeURIComponent(raw);
    } catch {
      throw fail('has malformed percent-encoding');
    }
  }
  // After the one decoding, a "%xx" left is double encoding.
  if (/%[0-9a-f]{2}/i.test(path)) throw fail('must not be percent-encoded twice');
  if (/[\u0000-\u001f\u007f]/.test(path)) throw fail('must not contain NUL or control characters');
  if (path.includes('\\')) throw fail('must not contain backslashes');
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) throw fail('must be relative (no leading "/" or drive letter)');
  if (path === '') {
    if (opts.allowRoot) return '';
    throw fail('is required');
  }
  const segments = path.replace(/\/$/, '').split('/');
  if (segments.some((s) => s === '..' || s === '.')) throw fail('must not contain "." or ".." segments');
  if (segments.some((s) => s === '')) throw fail('must not contain empty segments ("//")');
  return segments.join('/');
}

/** Artifacts as files under a root directory (default: <dataDir>/artifacts). */
export class LocalArtifactStore implements ArtifactStore {
  readonly root: string;

  /** Creates `root` 0700 (or tightens it to 0700): artefacts are readable by this user only. */
  constructor(root: string) {
    this.root = resolve(root);
    ensurePrivateDir(this.root);
  }

  /** The absolute file path, re-checked against the root (defence in depth behind artifactPath). */
  private abs(path: string): string {
    const p = artifactPath(path, { decoded: true, allowRoot: true });
    const full = p === '' ? this.root : resolve(this.root, ...p.split('/'));
    if (full !== this.root && !full.startsWith(this.root + sep)) throw badInput('artifact path escapes the store', { field: 'path' });
    return full;
  }

  async put(path: string, body: Readable, maxBytes: number): Promise<{ size: number }> {
    const full = this.abs(path);
    if (full === this.root) throw badInput('artifact path is required', { field: 'path' });
    await mkdir(dirname(full), { recursive: true, mode: 0o700 });
    const existing = await stat(full).catch(() => null);
    if (existing?.isDirectory()) throw badInput(`artifact path "${path}" is a directory`, { field: 'path' });
    const tmp = `${full}.upload-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    let size = 0;
    try {
      await pipeline(
        body,
        async function* (source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            size += chunk.length;
            if (size > maxBytes) throw badInput(`an artifact is limited to ${maxBytes} bytes`, { field: 'body' });
            yield chunk;
          }
        },
        createWriteStream(tmp),
      );
      await rename(tmp, full);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    return { size };
  }

  async get(path: string): Promise<{ stream: Readable; size: number } | null> {
    const full = this.abs(path);
    const s = await stat(full).catch(() => null);
    if (!s || !s.isFile()) return null;
    return { stream: createReadStream(full), size: s.size };
  }

  async list(path: string): Promise<ArtifactEntry[]> {
    const full = this.abs(path);
    const entries = await readdir(full, { withFileTypes: true }).catch(() => null);
    if (!entries) return [];
    const out: ArtifactEntry[] = [];
    for (const e of entries) {
      if (e.name.includes('.upload-')) continue;
      if (e.isDirectory()) out.push({ path: e.name, isDir: true, size: null });
      else if (e.isFile()) out.push({ path: e.name, isDir: false, size: (await stat(join(full, e.name))).size });
    }
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async digest(path: string): Promise<string | null> {
    const full = this.abs(path);
    const s = await stat(full).catch(() => null);
    if (!s) return null;
    if (s.isFile()) return `sha256:${await fileSha256(full)}`;
    const files = await this.walk(full, '');
    if (files.length === 0) return null;
    files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const manifest = createHash('sha256');
    for (const rel of files) manifest.update(`${rel}\t${await fileSha256(join(full, ...rel.split('/')))}\n`);
    return `sha256:${manifest.digest('hex')}`;
  }

  private async walk(dir: string, prefix: string): Promise<string[]> {
    const out: string[] = [];
    for (const e of await readdir(dir, { withFileTypes: true })) {
      if (e.name.includes('.upload-')) continue;
      const rel = prefix ? `${prefix}/${e.name}` : e.name;
      if (e.isDirectory()) out.push(...(await this.walk(join(dir, e.name), rel)));
      else if (e.isFile()) out.push(rel);
    }
    return out;
  }

  async delete(path: string): Promise<void> {
    const full = this.abs(path);
    if (full === this.root) throw badInput('the store root cannot be deleted', { field: 'path' });
    const s = await stat(full).catch(() => null);
    if (!s) throw notFound(`no artifact at "${path}"`);
    await rm(full, { recursive: true, force: true });
  }
}

/** The manifest digest of a set of files, as LocalArtifactStore.digest computes it (for tests and other stores). */
export function manifestDigest(files: { path: string; sha256: string }[]): string {
  const h = createHash('sha256');
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) h.update(`${f.path}\t${f.sha256}\n`);
  return `sha256:${h.digest('hex')}`;
}

async function fileSha256(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}
