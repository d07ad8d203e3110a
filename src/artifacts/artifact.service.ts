import { createHash, randomUUID } from 'node:crypto';
import { pipeline, Transform, type Readable } from 'node:stream';
import type { Config } from '../config.js';
import { badInput, conflict, DomainError, ErrorCode, notFound } from '../errors.js';
import { appendEvent, EventType } from '../events/event-log.js';
import type { Caller } from '../governance/policy.js';
import { statement } from '../graph/cypher.js';
import type { Executor, Tx } from '../graph/executor.js';
import { hasRole, Role } from '../governance/roles.js';
import type { Logger } from '../logger.js';
import {
  ArtifactSeals,
  isPending,
  MAX_SEALED_FILES,
  STORE_SCHEME,
  type FileRecord,
  type Seal,
} from './artifact-seals.js';
import { ancestorsOf, manifestChecksum, type ArtifactEntry, type ArtifactStore } from './artifact-store.js';

const Q = {
  ownersOfPath: statement('artifacts/owners-of-path'),
  usage: statement('artifacts/usage'),
  chargeUsage: statement('artifacts/charge-usage'),
  fileRecord: statement('artifacts/file-record'),
  filesUnder: statement('artifacts/files-under'),
  beginPut: statement('artifacts/begin-put'),
  finishPut: statement('artifacts/finish-put'),
  abortPut: statement('artifacts/abort-put'),
  beginDelete: statement('artifacts/begin-delete'),
  finishDelete: statement('artifacts/finish-delete'),
  abortDelete: statement('artifacts/abort-delete'),
};

/** Upload records one DELETE may remove. */
export const MAX_DELETE_FILES = 10_000;
export type ArtifactsConfig = Config['artifacts'];

interface Usage {
  store: number;
  principal: number;
  /** The recorded file an upload would replace: its bytes and uploader. */
  replacing: number | null;
  replacingBy: string | null;
}

/**
 * The artifact store's rules, in one place for every transport (the MLflow
 * artifact proxy today, ingestion later), with ArtifactSeals
 * (./artifact-seals.ts), through which the registry seals what it registers
 * from GraphQL and MLflow alike:
 *
 * - **write-once**: a path under a registered version's source (a seal) is
 *   never overwritten, deleted or added to, by anyone, through any verb; the
 *   seal outlives the version (so the artefacts of every version that was ever
 *   in PRODUCTION stay, and nothing here deletes them);
 * - **writes by the owner**: a path belongs to the run, logged model or
 *   experiment whose artifact root holds it; only its creator or an ADMIN
 *   writes there, and a path nobody owns is the ADMIN's alone;
 * - **quota**: a per-file limit, a per-principal and a store-wide total, and a
 *   floor of free disk space, checked before the body is read (declared
 *   length) and while it streams, and held in the transaction that records it;
 * - **verified reads**: a sealed file is hashed before it is served and served
 *   only when it matches its seal; a file that appeared inside a sealed
 *   directory is refused. A mismatch is refused with CHECKSUM_MISMATCH and
 *   recorded as an ARTIFACT_CHECKSUM_MISMATCH event.
 *
 * Verification rather than content addressing: MLflow clients name artifacts
 * by path and list directories, so the store keeps their layout; recording a
 * checksum per sealed file and checking it on every read gives the guarantee
 * content addressing would (what is served is what was registered) without a
 * second naming scheme, and it also catches bytes changed on disk behind
 * Pedigree's back, which a content-addressed store would serve unchecked.
 */
export class ArtifactService {
  constructor(
    private readonly executor: Executor,
    private readonly store: ArtifactStore,
    private readonly seals: ArtifactSeals,
    private readonly config: ArtifactsConfig,
    private readonly log: Logger,
  ) {}

  private get reader(): Tx {
    return { run: (name, params) => this.executor.read(name, params) };
  }

  /** Where a version source's files are (see ArtifactSeals.locate): get-download-uri answers with it. */
  locate(source: string): Promise<{ uri: string; storePath: string | null }> {
    return this.seals.locate(source);
  }

  // ------------------------------------------------------------ reads

  async list(path: string): Promise<ArtifactEntry[]> {
    return this.store.list(path);
  }

  /**
   * A file to serve. A sealed file is hashed first and refused unless it
   * matches its seal; while it streams it is hashed again and its last chunk
   * held back until that matches too, so a file changed in between is cut
   * off, never completed. NOT_FOUND when no file is there.
   */
  async read(caller: Caller, path: string): Promise<{ size: number; stream: Readable }> {
    let { over } = await this.seals.around(this.reader, path);
    const legacy = over.filter((s) => s.legacy);
    if (legacy.length) {
      for (const s of legacy) await this.completeLegacySeal(caller, s);
      ({ over } = await this.seals.around(this.reader, path));
    }
    const own = over.find((s) => s.path === path && s.dir === false);
    const dirSeal = over.find((s) => s.dir === true && s.path !== path);
    const file = await this.store.open(path);
    if (!own) {
      if (!file) throw notFound(`no artifact file at "${path}"`);
      if (dirSeal) {
        await file.close();
        throw await this.mismatch(caller, path, {
          expected: null,
          actual: null,
          why: `"${path}" is not among the sealed artefacts of "${dirSeal.path}" (it was added to the store behind Pedigree's back)`,
        });
      }
      return { size: file.size, stream: file.stream() };
    }
    if (!file)
      throw await this.mismatch(caller, path, {
        expected: own.checksum,
        actual: null,
        why: `the sealed artefact "${path}" is missing from the store`,
      });
    let actual: string | null = null;
    try {
      actual = file.size === own.size ? `sha256:${await file.sha256()}` : null;
    } finally {
      if (actual !== own.checksum) await file.close();
    }
    if (actual !== own.checksum) {
      throw await this.mismatch(caller, path, {
        expected: own.checksum,
        actual,
        why: `the stored artefact "${path}" does not match its seal (${own.checksum}; found ${actual ?? `${file.size} bytes, sealed ${own.size}`})`,
      });
    }
    return { size: file.size, stream: this.verifiedStream(caller, path, file.stream(), own.checksum) };
  }

  private verifiedStream(caller: Caller, path: string, source: Readable, expected: string): Readable {
    const hash = createHash('sha256');
    let held: Buffer | null = null;
    const refuse = (actual: string) =>
      this.mismatch(caller, path, {
        expected,
        actual,
        why: `the stored artefact "${path}" changed while it was being served`,
      });
    const out = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        const previous = held;
        held = chunk;
        done(null, previous ?? undefined);
      },
      flush(done) {
        const actual = `sha256:${hash.digest('hex')}`;
        if (actual === expected) {
          if (held) this.push(held);
          return done();
        }
        refuse(actual).then(done, done);
      },
    });
    // pipeline, not pipe: a client that goes away destroys the file stream too (no open file left behind).
    pipeline(source, out, () => undefined);
    return out;
  }

  /** A CHECKSUM_MISMATCH for a served path, logged and appended to the audit log. */
  private async mismatch(
    caller: Caller,
    path: string,
    m: { expected: string | null; actual: string | null; why: string },
  ): Promise<DomainError> {
    this.log.error(
      { path, expected: m.expected, actual: m.actual, actor: caller.name },
      'artifact refused: it does not match its seal',
    );
    try {
      await this.executor.writeTx(
        (tx) =>
          appendEvent(tx, {
            type: EventType.ARTIFACT_CHECKSUM_MISMATCH,
            actor: caller.name,
            subjectId: path,
            after: { path, expected: m.expected, actual: m.actual, reason: m.why },
          }),
        'artifactChecksumMismatch',
      );
    } catch (err) {
      this.log.error({ err, path }, 'could not record an artifact checksum mismatch');
    }
    return new DomainError(ErrorCode.CHECKSUM_MISMATCH, `${m.why}; it is not served`, { path, served: true });
  }

  /**
   * A seal from before per-file seals (migration 083) holds only its version's
   * checksum: hash the tree once; equal, it gets its per-file seals; else
   * every read under it is refused.
   */
  private async completeLegacySeal(caller: Caller, seal: Seal): Promise<void> {
    const hashedAt = Date.now();
    const manifest = await this.store.manifest(seal.path, MAX_SEALED_FILES);
    const found = manifest ? manifestChecksum(manifest) : null;
    if (!manifest || found !== seal.checksum) {
      throw await this.mismatch(caller, seal.path, {
        expected: seal.checksum,
        actual: found,
        why: `the stored artefacts at "${seal.path}" do not match the checksum their version was registered with (${seal.checksum}; found ${found ?? 'nothing'})`,
      });
    }
    await this.executor.writeTx(async (tx) => {
      await this.seals.sealIn(
        tx,
        {
          source: `${STORE_SCHEME}/${seal.path}`,
          uri: `${STORE_SCHEME}/${seal.path}`,
          path: seal.path,
          manifest,
          checksum: found,
          hashedAt,
        },
        null,
      );
      await appendEvent(tx, {
        type: EventType.ARTIFACTS_SEALED,
        actor: caller.name,
        subjectId: seal.path,
        after: { path: seal.path, checksum: found, files: manifest.files.length },
      });
    }, 'completeLegacySeal');
  }

  // ------------------------------------------------------------ writes

  /**
   * PUT: stores `body` at `path`. Refused before a byte of the body is read
   * when the caller may not write there, the path is sealed, or the declared
   * length is over a limit; while it streams when it grows past one. The
   * bytes are staged outside the served tree and moved into place in one
   * rename once recorded, so a reader sees the old file or the new one, never
   * a part; a refusal leaves nothing behind.
   */
  async write(caller: Caller, path: string, body: Readable, declaredBytes: number | null): Promise<{ size: number }> {
    if (path === '') throw badInput('artifact path is required', { field: 'path' });
    await this.assertMayWrite(caller, path, 'write');
    await this.seals.assertUnsealed(this.reader, path, 'written');
    const [usage] = await this.executor.read<Usage>(Q.usage, { principal: caller.name, path });
    const room = await this.room(caller, usage!);
    if (declaredBytes !== null && declaredBytes > room.bytes) throw tooLarge(room.why(declaredBytes));
    const staged = await this.store.stage(body, room.bytes, () => tooLarge(room.why(null)));
    let placed = false;
    try {
      const free = await this.store.freeBytes();
      if (free !== null && this.config.minFreeBytes > 0 && free < this.config.minFreeBytes) {
        throw tooLarge(
          `the artifact store's volume is down to ${free} free bytes; it keeps at least ${this.config.minFreeBytes} free (PEDIGREE_ARTIFACT_MIN_FREE_BYTES)`,
        );
      }
      const token = randomUUID();
      const prev = await this.executor.writeTx((tx) => this.beginPut(tx, caller, path, staged, token), 'artifactPut');
      try {
        await this.store.commit(staged, path);
        placed = true;
      } catch (err) {
        await this.executor.writeTx(async (tx) => {
          await tx.run(Q.abortPut, { path, token });
          await tx.run(Q.chargeUsage, {
            deltas: usageDeltas(caller.name, staged.size, prev && { by: prev.uploadedBy!, size: prev.size! }).map(
              negate,
            ),
          });
        }, 'artifactPutAborted');
        throw err;
      }
      await this.executor.writeTx(async (tx) => {
        await tx.run(Q.finishPut, { path, token });
        await appendEvent(tx, {
          type: EventType.ARTIFACT_STORED,
          actor: caller.name,
          subjectId: path,
          before: prev ? { size: prev.size, sha256: prev.sha256, uploadedBy: prev.uploadedBy } : null,
          after: { path, size: staged.size, sha256: staged.sha256 },
        });
      }, 'artifactPutFinished');
      return { size: staged.size };
    } finally {
      if (!placed) await this.store.discard(staged);
    }
  }

  /** How many bytes one upload by the caller may take now, and the refusal to give when it takes more. */
  private async room(
    caller: Caller,
    usage: Usage,
  ): Promise<{ bytes: number; why: (declared: number | null) => string }> {
    const { maxFileBytes, principalQuotaBytes, storeQuotaBytes, minFreeBytes } = this.config;
    const free = minFreeBytes > 0 ? await this.store.freeBytes() : null;
    // Replacing a file gives its bytes back: to the store, and to the writer when they were the writer's.
    const back = usage.replacing ?? 0;
    const limits: [number, string][] = [
      [maxFileBytes, `an artifact file is limited to ${maxFileBytes} bytes (PEDIGREE_ARTIFACT_MAX_FILE_BYTES)`],
    ];
    if (principalQuotaBytes > 0) {
      limits.push([
        Math.max(0, principalQuotaBytes - usage.principal + (usage.replacingBy === caller.name ? back : 0)),
        `${caller.name} has used ${usage.principal} of its ${principalQuotaBytes}-byte artifact quota (PEDIGREE_ARTIFACT_QUOTA_BYTES)`,
      ]);
    }
    if (storeQuotaBytes > 0) {
      limits.push([
        Math.max(0, storeQuotaBytes - usage.store + back),
        `the artifact store holds ${usage.store} of its ${storeQuotaBytes}-byte quota (PEDIGREE_ARTIFACT_STORE_QUOTA_BYTES)`,
      ]);
    }
    if (free !== null)
      limits.push([
        Math.max(0, free - minFreeBytes),
        `the artifact store's volume has ${free} bytes free and keeps ${minFreeBytes} free (PEDIGREE_ARTIFACT_MIN_FREE_BYTES)`,
      ]);
    const [bytes, reason] = limits.reduce((a, b) => (b[0] < a[0] ? b : a));
    return {
      bytes,
      why: (declared) =>
        `${declared === null ? 'the upload grew past' : `the upload declares ${declared} bytes, over`} ${bytes} bytes: ${reason}`,
    };
  }

  private async beginPut(
    tx: Tx,
    caller: Caller,
    path: string,
    staged: { size: number; sha256: string },
    token: string,
  ): Promise<FileRecord | null> {
    await this.seals.lock(tx);
    await this.seals.assertUnsealed(tx, path, 'written');
    const [{ file: prev }] = (await tx.run<{ file: FileRecord | null }>(Q.fileRecord, { path })) as [
      { file: FileRecord | null },
    ];
    if (prev && isPending(prev))
      throw conflict(`another upload or delete of "${path}" is in progress; retry when it has finished`, {
        field: 'path',
      });
    const counted = prev && prev.size != null && prev.uploadedBy != null ? prev : null;
    const [after] = await tx.run<{ store: number; principals: { principal: string; bytes: number }[] }>(Q.chargeUsage, {
      deltas: usageDeltas(caller.name, staged.size, counted && { by: counted.uploadedBy!, size: counted.size! }),
    });
    const grew = staged.size - (counted?.uploadedBy === caller.name ? counted.size! : 0);
    const mine = after!.principals.find((p) => p.principal === caller.name)?.bytes ?? 0;
    const { principalQuotaBytes, storeQuotaBytes } = this.config;
    if (grew > 0 && principalQuotaBytes > 0 && mine > principalQuotaBytes) {
      throw tooLarge(
        `${caller.name}'s artifacts would take ${mine} bytes, over its ${principalQuotaBytes}-byte quota (PEDIGREE_ARTIFACT_QUOTA_BYTES)`,
      );
    }
    if (staged.size - (counted?.size ?? 0) > 0 && storeQuotaBytes > 0 && after!.store > storeQuotaBytes) {
      throw tooLarge(
        `the artifact store would hold ${after!.store} bytes, over its ${storeQuotaBytes}-byte quota (PEDIGREE_ARTIFACT_STORE_QUOTA_BYTES)`,
      );
    }
    await tx.run(Q.beginPut, {
      path,
      size: staged.size,
      sha256: staged.sha256,
      actor: caller.name,
      token,
      now: Date.now(),
    });
    return counted;
  }

  /**
   * DELETE: removes a file or a directory tree. Refused when the caller may
   * not write there or anything sealed lies at, above or below the path.
   */
  async remove(caller: Caller, path: string): Promise<void> {
    if (path === '') throw badInput('the store root cannot be deleted', { field: 'path' });
    await this.assertMayWrite(caller, path, 'delete');
    await this.seals.assertUnsealed(this.reader, path, 'deleted');
    if (!(await this.store.kind(path))) throw notFound(`no artifact at "${path}"`);
    const token = randomUUID();
    const below = `${path}/`;
    await this.executor.writeTx(async (tx) => {
      await this.seals.lock(tx);
      await this.seals.assertUnsealed(tx, path, 'deleted');
      const records = await tx.run<{ file: FileRecord }>(Q.filesUnder, { path, below, limit: MAX_DELETE_FILES + 1 });
      if (records.length > MAX_DELETE_FILES)
        throw badInput(
          `one DELETE removes at most ${MAX_DELETE_FILES} files; delete "${path}" a subdirectory at a time`,
          { field: 'path' },
        );
      const busy = records.find((r) => isPending(r.file));
      if (busy)
        throw conflict(`an upload or delete of "${busy.file.path}" is in progress; retry when it has finished`, {
          field: 'path',
        });
      await tx.run(Q.beginDelete, { path, below, token, now: Date.now() });
    }, 'artifactDelete');
    try {
      await this.store.delete(path);
    } catch (err) {
      await this.executor.writeTx((tx) => tx.run(Q.abortDelete, { path, token }), 'artifactDeleteAborted');
      throw err;
    }
    await this.executor.writeTx(async (tx) => {
      const gone = await tx.run<{ principal: string; bytes: number; files: number }>(Q.finishDelete, { path, token });
      if (gone.length)
        await tx.run(Q.chargeUsage, {
          deltas: gone.map((g) => ({ principal: g.principal, bytes: -g.bytes, files: -g.files })),
        });
      await appendEvent(tx, {
        type: EventType.ARTIFACT_DELETED,
        actor: caller.name,
        subjectId: path,
        after: { path, files: gone.reduce((n, g) => n + g.files, 0), bytes: gone.reduce((n, g) => n + g.bytes, 0) },
      });
    }, 'artifactDeleteFinished');
  }

  // ------------------------------------------------------------ rules

  /**
   * Writes go to the creator of the run, logged model or experiment whose
   * artifact root holds the path (the deepest one), or to an ADMIN; a path
   * that belongs to none is the ADMIN's alone.
   */
  private async assertMayWrite(caller: Caller, path: string, verb: 'write' | 'delete'): Promise<void> {
    if (hasRole(caller.role, Role.ADMIN)) return;
    const uris = [...ancestorsOf(path), path].map((p) => `${STORE_SCHEME}/${p}`);
    type Owner = { kind: string; id: string; uri: string; creator: string | null };
    const [row] = await this.executor.read<{ owners: Owner[] }>(Q.ownersOfPath, { uris });
    const owner = row!.owners.reduce<Owner | null>(
      (best, o) => (!best || o.uri.length > best.uri.length ? o : best),
      null,
    );
    if (!owner) {
      throw new DomainError(
        ErrorCode.FORBIDDEN,
        `${caller.name} may not ${verb} "${path}": it lies under no run, logged model or experiment, so only an ADMIN may`,
        { path },
      );
    }
    if (owner.creator !== caller.name) {
      throw new DomainError(
        ErrorCode.FORBIDDEN,
        `${caller.name} may not ${verb} "${path}": it belongs to ${owner.kind} ${owner.id}, whose artifacts only its creator (${owner.creator ?? 'not recorded'}) or an ADMIN may change`,
        { path },
      );
    }
  }
}

/** A refusal for size or quota: MLflow answers it with HTTP 413, which its client does not retry. */
function tooLarge(message: string): DomainError {
  return new DomainError(ErrorCode.LIMIT_EXCEEDED, message, { field: 'body', tooLarge: true });
}

interface UsageDelta {
  principal: string;
  bytes: number;
  files: number;
}

/** The usage changes of an upload: its bytes and a file to the writer; the replaced file's taken from its uploader. */
function usageDeltas(actor: string, bytes: number, replaced: { by: string; size: number } | null): UsageDelta[] {
  const deltas = new Map<string, UsageDelta>([[actor, { principal: actor, bytes, files: 1 }]]);
  if (replaced) {
    const d = deltas.get(replaced.by) ?? { principal: replaced.by, bytes: 0, files: 0 };
    d.bytes -= replaced.size;
    d.files -= 1;
    deltas.set(replaced.by, d);
  }
  return [...deltas.values()];
}

const negate = (d: UsageDelta): UsageDelta => ({ principal: d.principal, bytes: -d.bytes, files: -d.files });
