import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { jvmEnvironment } from '../../src/graph/embedded.js';
import { ensurePrivateDir } from '../../src/private-dir.js';

const mode = (p: string) => statSync(p).mode & 0o7777;

describe('ensurePrivateDir', () => {
  const made: string[] = [];
  const scratch = () => {
    const d = mkdtempSync(join(tmpdir(), 'pedigree-private-'));
    made.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('creates missing directories, parents included, as 0700', () => {
    const dir = join(scratch(), 'a', 'b');
    ensurePrivateDir(dir);
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(dir, '..'))).toBe(0o700);
  });

  it('tightens an existing looser directory to 0700 and leaves a tighter one alone', () => {
    const loose = join(scratch(), 'loose');
    mkdirSync(loose);
    chmodSync(loose, 0o755);
    ensurePrivateDir(loose);
    expect(mode(loose)).toBe(0o700);
    const tight = join(scratch(), 'tight');
    mkdirSync(tight);
    chmodSync(tight, 0o500);
    ensurePrivateDir(tight);
    expect(mode(tight)).toBe(0o500);
  });

  it('refuses a shared sticky directory (like /tmp) and a file, changing nothing', () => {
    const shared = join(scratch(), 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o1777);
    expect(() => ensurePrivateDir(shared)).toThrow(/sticky/);
    expect(mode(shared)).toBe(0o1777);
    const file = join(scratch(), 'file');
    writeFileSync(file, '');
    expect(() => ensurePrivateDir(file)).toThrow();
  });
});

describe('jvmEnvironment', () => {
  it('drops every variable that names a credential and keeps the rest', () => {
    const env = jvmEnvironment({
      PATH: '/usr/bin',
      HOME: '/home/x',
      JAVA_HOME: '/opt/java',
      NEO4J_PASSWORD: 'p',
      PEDIGREE_ADMIN_TOKEN: 't',
      PEDIGREE_SIGNING_SECRET: 's',
      AWS_SECRET_ACCESS_KEY: 'k',
      GITHUB_TOKEN: 'g',
    });
    expect(env).toEqual({ PATH: '/usr/bin', HOME: '/home/x', JAVA_HOME: '/opt/java' });
  });
});
