import { badInput, conflict, DomainError, ErrorCode } from '../errors.js';
import { statement } from '../graph/cypher.js';
import type { Executor, Tx } from '../graph/executor.js';
import type { Logger } from '../logger.js';
import {
  ancestorsOf,
  artifactPath,
  manifestChecksum,
  manifestDigest,
  type ArtifactStore,
  type Manifest,
} from './artifact-store.js';

const Q = {
  sourceUris: statement('artifacts/source-uris'),
  sealsAround: statement('artifacts/seals-around'),
  lockStore: statement('artifacts/lock-store'),
  sealState: statement('artifacts/seal-state'),
  createSeals: statement('artifacts/create-seals'),
};

/** How Pedigree's store names itself in artifact URIs (MLflow's proxied scheme). */
export const STORE_SCHEME = 'mlflow-artifacts:';
/** Files one registered source may hold (each is sealed with its own checksum). */
export const MAX_SEALED_FILES = 10_000;
/**
 * An upload or delete is pending between its two transactions, around a
 * rename (milliseconds). One pending longer than this belongs to a process
 * that died there: it no longer blocks others.
 */
const PENDING_STALE_MS = 60_000;
/** Replicas' clocks may disagree this much when comparing an upload's time with a registration's. */
const CLOCK_SKEW_MS = 5_000;

/** A version source whose files lie in Pedigree's store, hashed: what registering it seals. */
export interface StoredSource {
  source: string;
  /** The artifact URI the source resolves to (mlflow-artifacts:/…). */
  uri: string;
  /** The store path. */
  path: string;
  manifest: Manifest;
  /** What the version's checksum must be: sha256 of the file, or of the manifest. */
  checksum: string;
  /** When hashing began (ms): an upload recorded since then raced the registration. */
  hashedAt: number;
}

/**
 * A sealed path: a file (its checksum and size), a directory root (its manifest's checksum), or legacy (only its
 * version's checksum).
 */
export interface Seal {
  path: string;
  dir: boolean | null;
  checksum: string;
  size: number | null;
  legacy: boolean | null;
  /** "model vN" of the versions registered from it (a few). */
  versions: string[];
}

/** An upload through the proxy as the graph records it (ArtifactFile). */
export interface FileRecord {
  path: string;
  size?: number;
  sha256: string;
  uploadedBy?: string;
  /** ISO time. */
  uploadedAt?: string;
  pending: string | null;
  pendingAt: number | null;
}

/** True while an upload or delete holds the record between its two transactions (and has not died there). */
export function isPending(f: Pick<FileRecord, 'pending' | 'pendingAt'>): boolean {
  return f.pending != null && f.pendingAt != null && Date.now() - Number(f.pendingAt) < PENDING_STALE_MS;
}

/**
 * Write-once: which paths of the artifact store are sealed, and sealing a
 * version's source. The registry seals through this when it registers a
 * version (whatever the transport); the artifact service asks it before every
 * write and read. Every seal and every write takes the store's lock
 * (`lock`) in its transaction, so a seal and a write never miss each other.
 */
export class ArtifactSeals {
  constructor(
    private readonly executor: Executor,
    private readonly store: ArtifactStore,
    private readonly log: Logger,
  ) {}

  /**
   * Whether a source may lie in the store (`mlflow-artifacts:`, `runs:/`,
   * `models:/m-…`). Synchronous, so registering an external source does not
   * wait a tick and enters the write queue in the order it was called.
   */
  mayLieInStore(source: string): boolean {
    return source.startsWith(STORE_SCHEME) || source.startsWith('runs:/') || /^models:\/m-[0-9a-f]+\/?$/.test(source);
  }

  /**
   * Where a version source's files are: `models:/m-…` (an MLflow 3 logged
   * model), `runs:/RUN/path` (a run's artifacts) or `mlflow-artifacts:/path`.
   * Returns the artifact URI and, when it lies in Pedigree's store, the store
   * path.
   */
  async locate(source: string): Promise<{ uri: string; storePath: string | null }> {
    let uri = source;
    const logged = /^models:\/(m-[0-9a-f]+)\/?$/.exec(source);
    const run = /^runs:\/([^/]+)(?:\/(.*))?$/.exec(source);
    if (logged || run) {
      const [row] = await this.executor.read<{ runUri: string | null; loggedModelUri: string | null }>(Q.sourceUris, {
        runId: run?.[1] ?? null,
        loggedModelId: logged?.[1] ?? null,
      });
      if (logged && row?.loggedModelUri) uri = row.loggedModelUri;
      if (run && row?.runUri) uri = run[2] ? `${row.runUri}/${run[2].replace(/\/$/, '')}` : row.runUri;
    }
    const m = /^mlflow-artifacts:(?:\/\/[^/]*)?\/(.*)$/.exec(uri);
    return { uri, storePath: m ? artifactPath(m[1]!.replace(/\/$/, ''), { decoded: true }) : null };
  }

  /**
   * The stored files behind a version source, hashed; null when the source is
   * not in Pedigree's store. A source in the store with no file is
   * BAD_USER_INPUT. The registry calls this before registering and seals the
   * result in the registering transaction.
   */
  async inspectSource(source: string): Promise<StoredSource | null> {
    if (!this.mayLieInStore(source)) return null;
    const where = await this.locate(source);
    if (where.storePath === null) return null;
    const hashedAt = Date.now();
    const manifest = await this.store.manifest(where.storePath, MAX_SEALED_FILES);
    if (!manifest)
      throw badInput(`source ${source} names no artifacts in Pedigree's store (${where.uri})`, { field: 'source' });
    return { source, uri: where.uri, path: where.storePath, manifest, checksum: manifestChecksum(manifest), hashedAt };
  }

  /**
   * Seals a source inside the caller's transaction (the version's; none for a
   * legacy seal being completed): from now on its paths are write-once, and
   * each file is served only while it matches the checksum recorded here.
   * Refused when the store changed under an earlier seal or behind an upload
   * (CHECKSUM_MISMATCH), or while an upload or delete there is in flight or
   * landed after the files were hashed (CONFLICT: register again).
   */
  async sealIn(tx: Tx, stored: StoredSource, versionId: string | null): Promise<void> {
    await this.lock(tx);
    const { path, manifest } = stored;
    const [state] = await tx.run<{ seals: { path: string; checksum: string }[]; files: FileRecord[] }>(Q.sealState, {
      path,
      below: `${path}/`,
      limit: MAX_SEALED_FILES + 1,
    });
    const full = (rel: string) => (rel === '' ? path : `${path}/${rel}`);
    const files = new Map(manifest.files.map((f) => [full(f.path), f]));
    // The checksum at a path of the tree just hashed: the root's, a file's, or a subdirectory's manifest.
    const checksumAt = (p: string): string | null => {
      if (p === path) return stored.checksum;
      const f = files.get(p);
      if (f) return `sha256:${f.sha256}`;
      const inside = manifest.files
        .filter((x) => full(x.path).startsWith(`${p}/`))
        .map((x) => ({ path: full(x.path).slice(p.length + 1), sha256: x.sha256 }));
      return inside.length ? manifestDigest(inside) : null;
    };
    for (const s of state!.seals) {
      const now = checksumAt(s.path);
      if (now !== s.checksum) {
        this.log.error({ path: s.path, sealed: s.checksum, found: now }, 'sealed artefacts changed in the store');
        throw new DomainError(
          ErrorCode.CHECKSUM_MISMATCH,
          `the stored artefacts at "${s.path}" were sealed with checksum ${s.checksum} for an earlier version, but they now ${now ? `hash to ${now}` : 'are missing'}: they changed outside Pedigree; register from a fresh upload`,
          { field: 'source' },
        );
      }
    }
    // The proxy's upload records: an upload in flight, or one that landed after
    // the hashing began, raced this registration; a recorded file whose bytes
    // differ from what was uploaded changed on disk behind the proxy's back.
    for (const f of state!.files) {
      if (isPending(f))
        throw conflict(
          `an upload or delete under "${path}" is in progress; register the version once it has finished`,
          { field: 'source' },
        );
      if (f.pending) continue;
      const hashed = files.get(f.path);
      if (hashed?.sha256 === f.sha256) continue;
      if (Date.parse(f.uploadedAt!) >= stored.hashedAt - CLOCK_SKEW_MS) {
        throw conflict(
          `the artefacts under "${path}" changed while the version was being registered (at "${f.path}"); register it again`,
          { field: 'source' },
        );
      }
      if (hashed) {
        this.log.error(
          { path: f.path, uploaded: f.sha256, found: hashed.sha256 },
          'stored artefact differs from its upload',
        );
        throw new DomainError(
          ErrorCode.CHECKSUM_MISMATCH,
          `"${f.path}" no longer holds the bytes uploaded through Pedigree (sha256 ${f.sha256}; found ${hashed.sha256}): it changed outside Pedigree; upload it again`,
          { field: 'source' },
        );
      }
    }
    const root = manifest.dir
      ? { path, dir: true, checksum: stored.checksum, size: null }
      : { path, dir: false, checksum: stored.checksum, size: manifest.files[0]!.size };
    await tx.run(Q.createSeals, {
      versionId,
      root,
      files: manifest.dir
        ? manifest.files.map((f) => ({ path: full(f.path), checksum: `sha256:${f.sha256}`, size: f.size }))
        : [],
    });
  }

  /** Takes the store's write lock until the transaction ends: every seal, upload and delete does, first. */
  async lock(tx: Tx): Promise<void> {
    await tx.run(Q.lockStore);
  }

  /** The seals at the path or above it, and whether any lies below it. */
  async around(tx: Tx, path: string): Promise<{ over: Seal[]; under: string | null }> {
    const [row] = await tx.run<{ over: Seal[]; under: string[] }>(Q.sealsAround, {
      paths: [...ancestorsOf(path), path],
      below: `${path}/`,
    });
    return { over: row!.over, under: row!.under[0] ?? null };
  }

  /** Refuses a write when anything sealed lies at, above or below the path: CONFLICT, for everyone, ADMIN included. */
  async assertUnsealed(tx: Tx, path: string, verb: 'written' | 'deleted'): Promise<void> {
    const { over, under } = await this.around(tx, path);
    const seal = over[0];
    if (!seal && !under) return;
    const where = seal
      ? `it lies under the artefacts sealed at "${seal.path}"${seal.versions.length ? ` (registered as ${seal.versions.join(', ')})` : ''}`
      : `the artefacts sealed at "${under}" lie under it`;
    throw conflict(
      `"${path}" cannot be ${verb}: ${where}, and registered artefacts are write-once; upload to a new path and register a new version`,
      { path, writeOnce: true },
    );
  }
}
