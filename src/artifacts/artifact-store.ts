import { createHash, randomUUID } from 'node:crypto';
import { constants as fsConstants, createWriteStream } from 'node:fs';
import { lstat, mkdir, open, readdir, rename, rm, statfs, type FileHandle } from 'node:fs/promises';
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

/** An upload written to the staging area, outside the served tree: nobody lists, hashes or serves it. */
export interface StagedFile {
  readonly id: string;
  readonly size: number;
  /** Hex sha256 of the staged bytes. */
  readonly sha256: string;
}

/**
 * A stored file, opened once: `sha256()` and `stream()` read the same open
 * file, so what is hashed is what is served even when the path is replaced
 * in between. Close it when `stream()` is not called.
 */
export interface StoredFile {
  readonly size: number;
  sha256(): Promise<string>;
  /** The bytes from the start; closes the file when it ends. */
  stream(): Readable;
  close(): Promise<void>;
}

/**
 * The files at a path: one entry with path '' for a file; for a directory
 * every file under it, by path relative to it, sorted.
 */
export interface Manifest {
  dir: boolean;
  files: { path: string; sha256: string; size: number }[];
}

/**
 * Where artifacts live. Paths are store-relative POSIX paths that have passed
 * `artifactPath()`; an implementation never sees a raw request path. The
 * store is mechanism only (bytes in, bytes out, atomic placement); who may
 * write what, write-once and quotas are src/artifacts/artifact.service.ts's.
 * A cloud store implements the same methods.
 */
export interface ArtifactStore {
  /**
   * Streams `body` into the staging area (never under the served tree),
   * hashing as it goes. Past `maxBytes` it stops reading, removes what it
   * wrote and throws `tooLarge()`.
   */
  stage(body: Readable, maxBytes: number, tooLarge: () => Error): Promise<StagedFile>;
  /** Moves a staged file to `path` in one atomic step (replacing a file there); parent directories are implied. */
  commit(staged: StagedFile, path: string): Promise<void>;
  /** Removes a staged file that will not be committed. */
  discard(staged: StagedFile): Promise<void>;
  /** The file at path, opened; null when there is no regular file there. */
  open(path: string): Promise<StoredFile | null>;
  /** What is at path. */
  kind(path: string): Promise<'file' | 'dir' | null>;
  /** The entries directly under path ('' = the root), or [] when it is not a directory. */
  list(path: string): Promise<ArtifactEntry[]>;
  /**
   * The manifest of path, null when nothing is there (or a directory holds no file); more than maxFiles files is
   * BAD_USER_INPUT.
   */
  manifest(path: string, maxFiles: number): Promise<Manifest | null>;
  /**
   * Removes path (a file or a directory tree): it leaves the served tree in one atomic step. NOT_FOUND when nothing is
   * there.
   */
  delete(path: string): Promise<void>;
  /** Bytes available on the store's volume, null when the store cannot tell. */
  freeBytes(): Promise<number | null>;
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
  const fail = (why: string) =>
    badInput(`artifact path ${why}; got ${JSON.stringify(String(raw).slice(0, 200))}`, { field: 'path' });
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

/** The path's proper ancestors, shortest first: 'a/b/c' → ['a', 'a/b']. */
export function ancestorsOf(path: string): string[] {
  const segments = path === '' ? [] : path.split('/');
  return segments.slice(0, -1).map((_s, i) => segments.slice(0, i + 1).join('/'));
}

/**
 * Artifacts as files under a root directory (default: <dataDir>/artifacts).
 * Uploads are written under a staging directory beside it (same volume, so
 * the move into place is one rename) and deletions leave through it too.
 */
export class LocalArtifactStore implements ArtifactStore {
  readonly root: string;
  readonly staging: string;

  constructor(root: string, staging: string = `${resolve(root)}-staging`) {
    this.root = resolve(root);
    this.staging = resolve(staging);
    if (this.staging === this.root || this.staging.startsWith(this.root + sep))
      throw new Error('the artifact staging directory must lie outside the served tree');
    // Artefacts are this user's alone (0700), tightened if a looser directory exists.
    ensurePrivateDir(this.root);
  }

  /** The absolute file path, re-checked against the root (defence in depth behind artifactPath). */
  private abs(path: string): string {
    const p = artifactPath(path, { decoded: true, allowRoot: true });
    const full = p === '' ? this.root : resolve(this.root, ...p.split('/'));
    if (full !== this.root && !full.startsWith(this.root + sep))
      throw badInput('artifact path escapes the store', { field: 'path' });
    return full;
  }

  private stagedPath(id: string): string {
    if (!/^[0-9a-f-]{36}$/.test(id)) throw new Error(`not a staged upload id: ${id}`);
    return join(this.staging, id);
  }

  async stage(body: Readable, maxBytes: number, tooLarge: () => Error): Promise<StagedFile> {
    await mkdir(this.staging, { recursive: true, mode: 0o700 });
    const id = randomUUID();
    const file = this.stagedPath(id);
    const hash = createHash('sha256');
    let size = 0;
    try {
      // Read through an iterator that leaves `body` open when it stops early: a
      // request refused mid-upload must still be answered on its socket.
      const chunks = body.iterator({ destroyOnReturn: false });
      await pipeline(
        async function* () {
          for await (const chunk of chunks) {
            size += (chunk as Buffer).length;
            if (size > maxBytes) throw tooLarge();
            hash.update(chunk as Buffer);
            yield chunk as Buffer;
          }
        },
        createWriteStream(file, { flags: 'wx', mode: 0o600 }),
      );
    } catch (err) {
      await rm(file, { force: true });
      throw err;
    }
    return { id, size, sha256: hash.digest('hex') };
  }

  async commit(staged: StagedFile, path: string): Promise<void> {
    const full = this.abs(path);
    if (full === this.root) throw badInput('artifact path is required', { field: 'path' });
    const existing = await lstat(full).catch(() => null);
    if (existing && !existing.isFile()) throw badInput(`artifact path "${path}" is a directory`, { field: 'path' });
    try {
      await mkdir(dirname(full), { recursive: true, mode: 0o700 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOTDIR' || (err as NodeJS.ErrnoException).code === 'EEXIST') {
        throw badInput(`artifact path "${path}" lies under a file`, { field: 'path' });
      }
      throw err;
    }
    await rename(this.stagedPath(staged.id), full);
  }

  async discard(staged: StagedFile): Promise<void> {
    await rm(this.stagedPath(staged.id), { force: true });
  }

  async open(path: string): Promise<StoredFile | null> {
    const full = this.abs(path);
    let fh: FileHandle;
    try {
      // O_NOFOLLOW: a symlink planted in the store is not a stored file.
      fh = await open(full, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
    } catch {
      return null;
    }
    const s = await fh.stat();
    if (!s.isFile()) {
      await fh.close();
      return null;
    }
    return {
      size: s.size,
      sha256: async () => {
        const h = createHash('sha256');
        for await (const chunk of fh.createReadStream({ start: 0, autoClose: false, emitClose: false }))
          h.update(chunk as Buffer);
        return h.digest('hex');
      },
      stream: () => fh.createReadStream({ start: 0, autoClose: true }),
      close: () => fh.close(),
    };
  }

  async kind(path: string): Promise<'file' | 'dir' | null> {
    const s = await lstat(this.abs(path)).catch(() => null);
    return s?.isFile() ? 'file' : s?.isDirectory() ? 'dir' : null;
  }

  async list(path: string): Promise<ArtifactEntry[]> {
    const full = this.abs(path);
    const entries = await readdir(full, { withFileTypes: true }).catch(() => null);
    if (!entries) return [];
    const out: ArtifactEntry[] = [];
    for (const e of entries) {
      if (e.isDirectory()) out.push({ path: e.name, isDir: true, size: null });
      else if (e.isFile()) out.push({ path: e.name, isDir: false, size: (await lstat(join(full, e.name))).size });
    }
    return out.sort((a, b) => compare(a.path, b.path));
  }

  async manifest(path: string, maxFiles: number): Promise<Manifest | null> {
    const full = this.abs(path);
    const s = await lstat(full).catch(() => null);
    if (!s) return null;
    if (s.isFile()) return { dir: false, files: [{ path: '', ...(await fileSha256(full)) }] };
    if (!s.isDirectory()) return null;
    const rels = await this.walk(full, '', maxFiles);
    if (rels.length === 0) return null;
    rels.sort(compare);
    const files: Manifest['files'] = [];
    for (const rel of rels) files.push({ path: rel, ...(await fileSha256(join(full, ...rel.split('/')))) });
    return { dir: true, files };
  }

  private async walk(dir: string, prefix: string, maxFiles: number, out: string[] = []): Promise<string[]> {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const rel = prefix ? `${prefix}/${e.name}` : e.name;
      if (e.isDirectory()) await this.walk(join(dir, e.name), rel, maxFiles, out);
      else if (e.isFile()) {
        out.push(rel);
        if (out.length > maxFiles)
          throw badInput(`an artifact directory registered as a version holds at most ${maxFiles} files`, {
            field: 'source',
          });
      }
    }
    return out;
  }

  async delete(path: string): Promise<void> {
    const full = this.abs(path);
    if (full === this.root) throw badInput('the store root cannot be deleted', { field: 'path' });
    if (!(await lstat(full).catch(() => null))) throw notFound(`no artifact at "${path}"`);
    // Out of the served tree at once, then removed at leisure.
    await mkdir(this.staging, { recursive: true, mode: 0o700 });
    const gone = join(this.staging, `deleted-${randomUUID()}`);
    await rename(full, gone);
    await rm(gone, { recursive: true, force: true });
  }

  async freeBytes(): Promise<number | null> {
    await mkdir(this.staging, { recursive: true, mode: 0o700 });
    const s = await statfs(this.staging);
    return s.bavail * s.bsize;
  }
}

/**
 * The checksum of a manifest as Pedigree records it: sha256 of the file, or of `relative/path<TAB>sha256hex\n` lines
 * sorted by path.
 */
export function manifestChecksum(m: Manifest): string {
  return m.dir ? manifestDigest(m.files) : `sha256:${m.files[0]!.sha256}`;
}

/** The manifest digest of a set of files (the directory form of manifestChecksum). */
export function manifestDigest(files: { path: string; sha256: string }[]): string {
  const h = createHash('sha256');
  for (const f of [...files].sort((a, b) => compare(a.path, b.path))) h.update(`${f.path}\t${f.sha256}\n`);
  return `sha256:${h.digest('hex')}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function fileSha256(file: string): Promise<{ sha256: string; size: number }> {
  const fh = await open(file, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
  try {
    const h = createHash('sha256');
    let size = 0;
    for await (const chunk of fh.createReadStream({ start: 0, autoClose: false, emitClose: false })) {
      size += (chunk as Buffer).length;
      h.update(chunk as Buffer);
    }
    return { sha256: h.digest('hex'), size };
  } finally {
    await fh.close();
  }
}
