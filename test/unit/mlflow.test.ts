import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ancestorsOf,
  artifactPath,
  LocalArtifactStore,
  manifestChecksum,
  manifestDigest,
} from '../../src/artifacts/artifact-store.js';
import { DomainError } from '../../src/errors.js';
import { toMlflowError } from '../../src/mlflow/errors.js';
import { applyFilter, page, parseFilter, parseOrderBy, sortBy } from '../../src/mlflow/search.js';

const refused = (raw: string, opts?: { decoded?: boolean }) => {
  try {
    artifactPath(raw, opts);
  } catch (e) {
    return e instanceof DomainError && e.code === 'BAD_USER_INPUT';
  }
  return false;
};

describe('artifactPath: paths are confined to the store', () => {
  it.each([
    ['dot-dot segment', '1/../../etc/passwd'],
    ['leading dot-dot', '../x'],
    ['dot segment', '1/./x'],
    ['encoded dots', '1/%2e%2e/%2e%2e/etc/passwd'],
    ['upper-case encoded dots', '1/%2E%2E/x'],
    ['encoded slash', '1%2f..%2fx'],
    ['double-encoded dots', '1/%252e%252e/x'],
    ['double-encoded slash', '1/..%252fx'],
    ['backslash', '1\\..\\x'],
    ['encoded backslash', '1/..%5cx'],
    ['absolute path', '/etc/passwd'],
    ['drive letter', 'C:/Windows'],
    ['NUL', 'a/b%00.txt'],
    ['raw NUL', 'a/b\u0000.txt'],
    ['control character', 'a/b\n.txt'],
    ['empty segment', 'a//b'],
    ['empty', ''],
  ])('refuses %s', (_why, raw) => {
    expect(refused(raw)).toBe(true);
  });

  it('refuses the same tricks in already-decoded paths (the ?path= of a listing)', () => {
    for (const raw of ['../x', '1/../../x', '/etc', 'a\\b', 'a/%2e%2e/b', 'a\u0000b'])
      expect(refused(raw, { decoded: true })).toBe(true);
  });

  it('accepts ordinary MLflow paths, decoding spaces once', () => {
    expect(artifactPath('1/abc/artifacts/model/MLmodel')).toBe('1/abc/artifacts/model/MLmodel');
    expect(artifactPath('1/models/m-1/artifacts/my%20file.txt')).toBe('1/models/m-1/artifacts/my file.txt');
    expect(artifactPath('1/x/', {})).toBe('1/x');
  });

  it('never yields a path that leaves the root (property)', () => {
    const seg = fc.constantFrom('a', '..', '.', '%2e%2e', '%252e', '\\', '%5c', '', 'b c', '%00', '/', 'x%2fy', 'C:');
    fc.assert(
      fc.property(fc.array(seg, { minLength: 1, maxLength: 6 }), (parts) => {
        const raw = parts.join('/');
        let out: string;
        try {
          out = artifactPath(raw);
        } catch {
          return true;
        }
        return (
          !out.split('/').some((s) => s === '..' || s === '.' || s === '') &&
          !out.includes('\\') &&
          !out.startsWith('/')
        );
      }),
    );
  });
});

describe('LocalArtifactStore', () => {
  const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
  const tooLarge = () => new Error('limited');
  const put = async (store: LocalArtifactStore, path: string, bytes: Buffer | string) =>
    store.commit(await store.stage(Readable.from([Buffer.from(bytes)]), 1024, tooLarge), path);
  const read = async (store: LocalArtifactStore, path: string) => {
    const f = await store.open(path);
    if (!f) return null;
    const chunks: Buffer[] = [];
    for await (const c of f.stream()) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString();
  };

  it('stores, lists, reads and hashes: a file by its bytes, a directory by its sorted manifest', async () => {
    const root = mkdtempSync(join(tmpdir(), 'pedigree-store-'));
    try {
      const store = new LocalArtifactStore(join(root, 'artifacts'));
      await put(store, '1/run/artifacts/model/MLmodel', 'flavors: {}\n');
      await put(store, '1/run/artifacts/model/data/w.bin', Buffer.from([1, 2, 3]));
      expect(await store.list('1/run/artifacts/model')).toEqual([
        { path: 'MLmodel', isDir: false, size: 12 },
        { path: 'data', isDir: true, size: null },
      ]);
      const file = await store.manifest('1/run/artifacts/model/MLmodel', 10);
      expect(file).toEqual({ dir: false, files: [{ path: '', sha256: sha('flavors: {}\n'), size: 12 }] });
      expect(manifestChecksum(file!)).toBe(`sha256:${sha('flavors: {}\n')}`);
      const dir = await store.manifest('1/run/artifacts/model', 10);
      expect(dir!.files.map((f) => f.path)).toEqual(['MLmodel', 'data/w.bin']);
      expect(manifestChecksum(dir!)).toBe(
        manifestDigest([
          { path: 'data/w.bin', sha256: sha(Buffer.from([1, 2, 3])) },
          { path: 'MLmodel', sha256: sha('flavors: {}\n') },
        ]),
      );
      await expect(store.manifest('1/run/artifacts/model', 1)).rejects.toThrow(/at most 1 files/);
      expect(await store.manifest('1/nothing', 10)).toBeNull();
      expect(await store.open('1/run/artifacts/model')).toBeNull();
      const opened = (await store.open('1/run/artifacts/model/MLmodel'))!;
      expect(await opened.sha256()).toBe(sha('flavors: {}\n'));
      await opened.close();
      expect(await read(store, '1/run/artifacts/model/MLmodel')).toBe('flavors: {}\n');
      expect(await store.list('')).toEqual([{ path: '1', isDir: true, size: null }]);
      await store.delete('1/run/artifacts/model/data');
      expect(await store.kind('1/run/artifacts/model/data')).toBeNull();
      await expect(store.delete('1/run/artifacts/model/data')).rejects.toThrow(/no artifact/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('stages uploads outside the served tree: a staged or refused upload is never listed, hashed or served', async () => {
    const root = mkdtempSync(join(tmpdir(), 'pedigree-store-'));
    try {
      const store = new LocalArtifactStore(join(root, 'artifacts'));
      expect(() => new LocalArtifactStore(join(root, 'artifacts'), join(root, 'artifacts', 'staging'))).toThrow(
        /outside the served tree/,
      );
      await put(store, 'a/keep.txt', 'k');
      const staged = await store.stage(Readable.from([Buffer.from('half')]), 1024, tooLarge);
      expect(staged).toMatchObject({ size: 4, sha256: sha('half') });
      expect(await store.list('a')).toEqual([{ path: 'keep.txt', isDir: false, size: 1 }]);
      expect((await store.manifest('a', 10))!.files.map((f) => f.path)).toEqual(['keep.txt']);
      await store.discard(staged);
      await expect(store.stage(Readable.from([Buffer.alloc(2048)]), 1024, tooLarge)).rejects.toThrow(/limited/);
      expect(readdirSync(store.staging)).toEqual([]);
      // No file name is special: one that looks like a temporary upload is an ordinary file.
      await put(store, 'a/model.upload-123-abc', 'u');
      expect((await store.list('a')).map((e) => e.path)).toEqual(['keep.txt', 'model.upload-123-abc']);
      expect((await store.manifest('a', 10))!.files.map((f) => f.path)).toEqual(['keep.txt', 'model.upload-123-abc']);
      expect(await read(store, 'a/model.upload-123-abc')).toBe('u');
      // A symlink planted in the store is not a stored file.
      symlinkSync(join(root, 'artifacts', 'a', 'keep.txt'), join(root, 'artifacts', 'a', 'link'));
      expect(await store.open('a/link')).toBeNull();
      expect((await store.list('a')).map((e) => e.path)).not.toContain('link');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("names a path's ancestors, shortest first", () => {
    expect(ancestorsOf('a/b/c')).toEqual(['a', 'a/b']);
    expect(ancestorsOf('a')).toEqual([]);
    expect(ancestorsOf('')).toEqual([]);
  });

  it('refuses a traversal even when called directly', async () => {
    const root = mkdtempSync(join(tmpdir(), 'pedigree-store-'));
    mkdirSync(join(root, 'a'));
    writeFileSync(join(root, 'a', 'f'), 'x');
    try {
      const store = new LocalArtifactStore(join(root, 'a'), join(root, 'staging'));
      await expect(store.open('../a/f')).rejects.toThrow(/segments/);
      await expect(store.list('..')).rejects.toThrow(/segments/);
      const staged = await store.stage(Readable.from([Buffer.from('x')]), 10, tooLarge);
      await expect(store.commit(staged, '../b')).rejects.toThrow(/segments/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('MLflow search syntax', () => {
  const rows = [
    { name: 'fraud-a', v: 1, tags: { team: 'risk' } as Record<string, string> },
    { name: 'fraud-b', v: 2, tags: { team: 'growth' } as Record<string, string> },
    { name: 'Churn', v: 3, tags: {} as Record<string, string> },
  ];
  const read = (r: (typeof rows)[number], c: { kind: string; key: string }) =>
    c.kind === 'tags' ? r.tags[c.key] : c.key === 'name' ? r.name : r.v;

  it('parses clauses joined by AND, with LIKE, ILIKE, IN, comparisons and quoted tag keys', () => {
    expect(parseFilter('name LIKE \'fraud%\' AND tags.`team` = "risk"')).toEqual([
      { kind: 'attributes', key: 'name', op: 'LIKE', value: 'fraud%' },
      { kind: 'tags', key: 'team', op: '=', value: 'risk' },
    ]);
    expect(applyFilter(rows, parseFilter("name ILIKE 'CHURN'"), read).map((r) => r.name)).toEqual(['Churn']);
    expect(applyFilter(rows, parseFilter("name IN ('fraud-a', 'Churn')"), read).map((r) => r.name)).toEqual([
      'fraud-a',
      'Churn',
    ]);
    expect(applyFilter(rows, parseFilter('version_number >= 2'), read).map((r) => r.v)).toEqual([2, 3]);
    expect(applyFilter(rows, parseFilter("tags.team != 'risk'"), read).map((r) => r.name)).toEqual(['fraud-b']);
  });

  it('IS NULL and IS NOT NULL test whether a record has the value (the MLflow UI filters experiments so)', () => {
    expect(parseFilter('tags.`mlflow.experiment.isGateway` IS NULL AND name is not null')).toEqual([
      { kind: 'tags', key: 'mlflow.experiment.isGateway', op: 'IS NULL', value: '' },
      { kind: 'attributes', key: 'name', op: 'IS NOT NULL', value: '' },
    ]);
    expect(applyFilter(rows, parseFilter('tags.team IS NULL'), read).map((r) => r.name)).toEqual(['Churn']);
    expect(applyFilter(rows, parseFilter('tags.team IS NOT NULL'), read).map((r) => r.name)).toEqual([
      'fraud-a',
      'fraud-b',
    ]);
  });

  it('refuses what it cannot read: OR, unterminated strings, missing values', () => {
    for (const f of ["name = 'a' OR name = 'b'", "name = 'a", 'name =', '= 1', 'tags.team IS 1', 'name IS NOT'])
      expect(() => parseFilter(f)).toThrow(DomainError);
  });

  it('orders by several keys and pages with opaque offset tokens', () => {
    const sorted = sortBy(rows, parseOrderBy(['name DESC']), read);
    expect(sorted.map((r) => r.name)).toEqual(['fraud-b', 'fraud-a', 'Churn']);
    const p1 = page(sorted, 2, null);
    expect(p1.items).toHaveLength(2);
    const p2 = page(sorted, 2, p1.nextPageToken);
    expect(p2).toEqual({ items: [sorted[2]], nextPageToken: null });
    expect(() => page(sorted, 2, 'garbage')).toThrow(/page_token/);
    expect(() => parseOrderBy(['name sideways'])).toThrow(/order_by/);
  });
});

describe('MLflow error mapping', () => {
  it('maps Pedigree codes to MLflow error codes and statuses', () => {
    const m = (code: string, msg = 'x', details = {}) => toMlflowError(new DomainError(code as never, msg, details));
    expect(m('NOT_FOUND')).toMatchObject({ errorCode: 'RESOURCE_DOES_NOT_EXIST', status: 404 });
    expect(m('BAD_USER_INPUT')).toMatchObject({ errorCode: 'INVALID_PARAMETER_VALUE', status: 400 });
    expect(m('CONFLICT', 'a registered model named "x" already exists')).toMatchObject({
      errorCode: 'RESOURCE_ALREADY_EXISTS',
      status: 400,
    });
    expect(m('CONFLICT', 'is in PRODUCTION')).toMatchObject({ errorCode: 'INVALID_STATE', status: 400 });
    expect(m('UNAUTHENTICATED')).toMatchObject({ errorCode: 'UNAUTHENTICATED', status: 401 });
    expect(m('FORBIDDEN')).toMatchObject({ errorCode: 'PERMISSION_DENIED', status: 403 });
    expect(m('GATE_FAILED', 'x', { kind: 'alias' })).toMatchObject({ errorCode: 'PERMISSION_DENIED', status: 403 });
    expect(m('GATE_FAILED')).toMatchObject({ errorCode: 'INVALID_STATE', status: 400 });
    // A checksum refused at registration is a bad parameter; stored bytes refused on a read are data loss (409: not
    // retried).
    expect(m('CHECKSUM_MISMATCH')).toMatchObject({ errorCode: 'INVALID_PARAMETER_VALUE', status: 400 });
    expect(m('CHECKSUM_MISMATCH', 'x', { served: true })).toMatchObject({ errorCode: 'DATA_LOSS', status: 409 });
    // An artifact over a size limit or quota is 413, which MLflow's client does not retry (it retries 429).
    expect(m('LIMIT_EXCEEDED', 'x', { tooLarge: true })).toMatchObject({
      errorCode: 'RESOURCE_EXHAUSTED',
      status: 413,
    });
    expect(m('LIMIT_EXCEEDED')).toMatchObject({ errorCode: 'RESOURCE_EXHAUSTED', status: 429 });
    expect(toMlflowError(new Error('boom'))).toBeNull();
  });
});
