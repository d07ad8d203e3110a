import { chmodSync, mkdirSync, statSync } from 'node:fs';

/**
 * Creates `dir` (and missing parents) readable by this user only (0700), or
 * tightens it to 0700 when it exists with a looser mode: Pedigree's data
 * directories hold the graph store, artefacts and signing keys.
 *
 * @throws Error when `dir` is not a directory, belongs to another user, or is a
 *   shared sticky directory such as /tmp (a data directory must be its own).
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const s = statSync(dir);
  if (!s.isDirectory()) throw new Error(`${dir} must be a directory`);
  if ((s.mode & 0o077) === 0) return;
  if (s.mode & 0o1000)
    throw new Error(`${dir} is a shared sticky directory (like /tmp): give Pedigree a directory of its own`);
  if (process.getuid && s.uid !== process.getuid()) {
    throw new Error(
      `${dir} belongs to uid ${s.uid}, not to this user (${process.getuid()}): it cannot be made private`,
    );
  }
  chmodSync(dir, 0o700);
}
