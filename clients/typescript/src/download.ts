import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve as resolvePath } from 'node:path';
import { ChecksumMismatchError, ClientCode, PedigreeError } from './errors.js';
import { describe, type HttpTransport } from './http.js';
import type { ResolvedVersion } from './resolve.js';

/** Bytes of one file, as a fetcher hands them over. */
export type ByteSource = AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;

/** One file of a directory artifact: `path` relative to the artifact's root, "/"-separated. */
export interface ArtifactFileSource {
  path: string;
  open(): Promise<ByteSource>;
}

/**
 * Fetches an artifact the client cannot fetch itself (s3://, gs://, https://,
 * hf://, …) with the caller's own client and credentials. Return the bytes of
 * a single-file artifact, or `{ files }` for a directory artifact (then the
 * checksum is the manifest digest, as Pedigree computes it for directories).
 */
export type ArtifactFetcher = (
  source: string,
  ctx: { signal?: AbortSignal },
) => Promise<ByteSource | { files: ArtifactFileSource[] }>;

export interface DownloadOptions {
  /** Replace a directory whose contents do not match the version (default false: CONFLICT). */
  overwrite?: boolean;
  signal?: AbortSignal;
}

export interface DownloadResult {
  version: ResolvedVersion;
  /** The directory the artifact is in. */
  dir: string;
  /** The files written, relative to `dir`, sorted. A single-file artifact is one file named after its source. */
  files: string[];
  /** "sha256:…" computed from the bytes written; equal to the registry's checksum. */
  checksum: string;
  /** True when `dir` already held exactly this version's bytes and nothing was fetched. */
  reused: boolean;
}

const ARTIFACTS = '/api/2.0/mlflow-artifacts/artifacts';
/** Artifact downloads stream for long; this bounds only a stalled connection. */
const ARTIFACT_TIMEOUT_MS = 30 * 60_000;

/**
 * Downloads a version's artifact into `dir`, verifying SHA-256 against the
 * registry's checksum while streaming. Files go to a sibling staging directory
 * first; only bytes that verify are moved into place (one rename), so a
 * mismatch, a broken stream or a crash leaves no partial file in `dir`.
 */
export async function downloadArtifact(
  http: HttpTransport,
  version: ResolvedVersion,
  uri: string,
  dir: string,
  fetchers: Record<string, ArtifactFetcher>,
  opts: DownloadOptions = {},
): Promise<DownloadResult> {
  if (!version.checksum) {
    throw new PedigreeError(
      ClientCode.CHECKSUM_MISSING,
      `${uri} (version ${version.version}) has no checksum in the registry: it is unverified, so its bytes cannot be checked. Attach the checksum first.`,
    );
  }
  const target = resolvePath(dir);
  const existing = await existingDigest(target, version.source);
  if (existing !== null) {
    if (existing.checksum === version.checksum)
      return { version, dir: target, files: existing.files, checksum: existing.checksum, reused: true };
    if (!opts.overwrite) {
      throw new PedigreeError(
        'CONFLICT',
        `${target} already holds files that are not version ${version.version} of ${version.modelName} (they hash to ${existing.checksum}); pass overwrite: true or choose an empty directory`,
      );
    }
  }
  const source = await locate(http, version);
  await mkdir(dirname(target), { recursive: true });
  const staging = `${target}.partial-${randomBytes(6).toString('hex')}`;
  await mkdir(staging);
  try {
    let written: { files: string[]; checksum: string };
    if (source.kind === 'store') {
      written = await fromStore(http, source.path, staging, opts.signal).catch((err: unknown) => {
        // Pedigree verifies what it serves: stored bytes that no longer match their seal are refused (DATA_LOSS), never
        // sent.
        if (err instanceof PedigreeError && err.extensions.mlflowErrorCode === 'DATA_LOSS') {
          throw new ChecksumMismatchError(
            uri,
            version.checksum!,
            null,
            String(err.extensions.serverMessage ?? err.message),
          );
        }
        throw err;
      });
    } else {
      const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(source.uri)?.[1]?.toLowerCase() ?? '';
      const fetcher = fetchers[scheme];
      if (!fetcher) {
        throw new PedigreeError(
          ClientCode.UNSUPPORTED_SOURCE,
          `no fetcher for "${scheme}:" sources (${source.uri}); pass one in the client's fetchers option`,
        );
      }
      written = await fromFetcher(fetcher, source.uri, staging, opts.signal);
    }
    if (written.checksum !== version.checksum) throw new ChecksumMismatchError(uri, version.checksum, written.checksum);
    await moveIntoPlace(staging, target);
    return { version, dir: target, files: written.files, checksum: written.checksum, reused: false };
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
}

type Located = { kind: 'store'; path: string } | { kind: 'external'; uri: string };

/** Where the bytes are: Pedigree's store (mlflow-artifacts:, runs:, models:/m-…) or somewhere a fetcher reaches. */
async function locate(http: HttpTransport, version: ResolvedVersion): Promise<Located> {
  let uri = version.source;
  if (/^(runs:|models:)/.test(uri)) {
    const q = new URLSearchParams({ name: version.modelName, version: String(version.version) });
    const res = await http.request(`/api/2.0/mlflow/model-versions/get-download-uri?${q}`);
    const body = (await res.json().catch(() => ({}))) as {
      artifact_uri?: string;
      error_code?: string;
      message?: string;
    };
    if (!res.ok || !body.artifact_uri)
      throw mlflowError(res.status, body, `locating the artifact of ${version.modelName} version ${version.version}`);
    uri = body.artifact_uri;
  }
  const m = /^mlflow-artifacts:(?:\/\/[^/]*)?\/(.*)$/.exec(uri);
  if (m) return { kind: 'store', path: m[1]!.replace(/\/$/, '') };
  return { kind: 'external', uri };
}

async function fromStore(
  http: HttpTransport,
  path: string,
  staging: string,
  signal?: AbortSignal,
): Promise<{ files: string[]; checksum: string }> {
  const files = await listStore(http, path, signal);
  if (files === null) {
    const name = basename(path);
    const sha = await writeStream(await storeGet(http, path, signal), join(staging, name));
    return { files: [name], checksum: `sha256:${sha}` };
  }
  const entries: { path: string; sha256: string }[] = [];
  for (const rel of files) {
    entries.push({
      path: rel,
      sha256: await writeStream(await storeGet(http, `${path}/${rel}`, signal), join(staging, ...rel.split('/'))),
    });
  }
  return { files: entries.map((e) => e.path).sort(compareCodeUnits), checksum: manifestDigest(entries) };
}

/** The files under a store directory (relative paths), or null when `path` is not a directory. */
async function listStore(http: HttpTransport, path: string, signal?: AbortSignal): Promise<string[] | null> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<boolean> => {
    const full = rel ? `${path}/${rel}` : path;
    const res = await http.request(`${ARTIFACTS}?${new URLSearchParams({ path: full })}`, {}, signal);
    const body = (await res.json().catch(() => ({}))) as {
      files?: { path: string; is_dir: boolean }[];
      error_code?: string;
      message?: string;
    };
    if (!res.ok) throw mlflowError(res.status, body, `listing artifacts under ${full}`);
    if (!body.files?.length) return false;
    for (const f of body.files) {
      const name = f.path.split('/').pop()!;
      const child = rel ? `${rel}/${name}` : name;
      if (f.is_dir) await walk(child);
      else out.push(child);
    }
    return true;
  };
  return (await walk('')) ? out : null;
}

async function storeGet(http: HttpTransport, path: string, signal?: AbortSignal): Promise<ByteSource> {
  const res = await http.request(
    `${ARTIFACTS}/${path.split('/').map(encodeURIComponent).join('/')}`,
    {},
    signal,
    ARTIFACT_TIMEOUT_MS,
  );
  if (!res.ok || !res.body) {
    const body = (await res.json().catch(() => ({}))) as { error_code?: string; message?: string };
    throw mlflowError(res.status, body, `downloading ${path}`);
  }
  return res.body;
}

async function fromFetcher(
  fetcher: ArtifactFetcher,
  uri: string,
  staging: string,
  signal?: AbortSignal,
): Promise<{ files: string[]; checksum: string }> {
  const got = await fetcher(uri, { signal });
  if (got && typeof got === 'object' && 'files' in got && Array.isArray(got.files)) {
    const entries: { path: string; sha256: string }[] = [];
    for (const f of got.files) {
      const rel = safeRelative(f.path);
      entries.push({ path: rel, sha256: await writeStream(await f.open(), join(staging, ...rel.split('/'))) });
    }
    return { files: entries.map((e) => e.path).sort(compareCodeUnits), checksum: manifestDigest(entries) };
  }
  const name = safeRelative(basename(uri.replace(/[?#].*$/, '').replace(/\/$/, '')) || 'artifact');
  const sha = await writeStream(got as ByteSource, join(staging, name));
  return { files: [name], checksum: `sha256:${sha}` };
}

/** Writes a stream to a new file, hashing as it goes; returns the hex SHA-256. */
async function writeStream(body: ByteSource, file: string): Promise<string> {
  await mkdir(dirname(file), { recursive: true });
  const hash = createHash('sha256');
  const fh = await open(file, 'wx');
  try {
    const iterable = body as AsyncIterable<Uint8Array>;
    for await (const chunk of iterable) {
      hash.update(chunk);
      let offset = 0;
      while (offset < chunk.byteLength) offset += (await fh.write(chunk, offset)).bytesWritten;
    }
    await fh.sync();
  } catch (err) {
    if (err instanceof PedigreeError) throw err;
    throw new PedigreeError(ClientCode.NETWORK_ERROR, `the artifact stream broke off: ${describe(err)}`, {
      retryable: true,
      cause: err,
    });
  } finally {
    await fh.close();
  }
  return hash.digest('hex');
}

/**
 * What `target` holds now, hashed the way the version's artifact is: null
 * when it is missing or empty. A single-file source is expected as its one
 * file; anything else is hashed as a directory manifest.
 */
async function existingDigest(target: string, source: string): Promise<{ checksum: string; files: string[] } | null> {
  const s = await stat(target).catch(() => null);
  if (!s) return null;
  if (!s.isDirectory()) throw new PedigreeError(ClientCode.BAD_USER_INPUT, `${target} exists and is not a directory`);
  const files = await walk(target, '');
  if (files.length === 0) return null;
  const entries = await Promise.all(
    files.map(async (rel) => ({ path: rel, sha256: await fileSha256(join(target, ...rel.split('/'))) })),
  );
  const name = basename(source.replace(/\/$/, ''));
  if (entries.length === 1 && entries[0]!.path === name)
    return { checksum: `sha256:${entries[0]!.sha256}`, files: [name] };
  return { checksum: manifestDigest(entries), files: files.sort(compareCodeUnits) };
}

async function walk(dir: string, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await walk(join(dir, e.name), rel)));
    else if (e.isFile()) out.push(rel);
  }
  return out;
}

async function fileSha256(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Pedigree's directory checksum: SHA-256 over `relative/path<TAB>sha256hex\n` lines sorted by path. */
export function manifestDigest(entries: readonly { path: string; sha256: string }[]): string {
  const h = createHash('sha256');
  for (const e of [...entries].sort((a, b) => compareCodeUnits(a.path, b.path))) h.update(`${e.path}\t${e.sha256}\n`);
  return `sha256:${h.digest('hex')}`;
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A fetcher's file path, kept inside the staging directory. */
function safeRelative(path: string): string {
  const segments = path
    .replace(/\\/g, '/')
    .split('/')
    .filter((s) => s !== '' && s !== '.');
  if (segments.length === 0 || segments.some((s) => s === '..'))
    throw new PedigreeError(
      ClientCode.BAD_USER_INPUT,
      `an artifact file path must be relative and stay inside the artifact; got ${JSON.stringify(path)}`,
    );
  return segments.join('/');
}

/** Puts the verified staging directory at `target`, replacing what was there. */
async function moveIntoPlace(staging: string, target: string): Promise<void> {
  const old = `${target}.old-${randomBytes(6).toString('hex')}`;
  const had = await stat(target).then(
    () => true,
    () => false,
  );
  if (had) await rename(target, old);
  try {
    await rename(staging, target);
  } catch (err) {
    if (had) await rename(old, target).catch(() => undefined);
    throw err;
  }
  if (had) await rm(old, { recursive: true, force: true });
}

function mlflowError(status: number, body: { error_code?: string; message?: string }, what: string): PedigreeError {
  const code =
    status === 404
      ? 'NOT_FOUND'
      : status === 401
        ? 'UNAUTHENTICATED'
        : status === 403
          ? 'FORBIDDEN'
          : (body.error_code ?? ClientCode.BAD_RESPONSE);
  return new PedigreeError(code, `${what}: the server answered ${status}${body.message ? ` (${body.message})` : ''}`, {
    status,
    extensions: body.error_code ? { code, mlflowErrorCode: body.error_code, serverMessage: body.message } : { code },
    retryable: status >= 500 || status === 429,
  });
}
