// Builds dist/ (tsc) and web/dist (vite) only when their sources changed since
// the last build, so `npm start` is a start and not a build. Runs at install
// (npm's `prepare`) and before `npm start`/`npm test`; a no-op takes a few ms.
// The fingerprint is every source file's path, size and mtime, kept in
// dist/.build-stamp.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (!existsSync(join(root, 'src'))) {
  // npm ci in a Dockerfile's dependency layer, before the sources are copied.
  console.log('build-if-stale: no src/ yet; nothing to build');
  process.exit(0);
}
const inputs = [
  'src',
  'scripts',
  'web/src',
  'web/public',
  'web/index.html',
  'web/vite.config.ts',
  'web/tsconfig.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'package-lock.json',
];
const outputs = ['dist/src/main.js', 'web/dist/index.html'];

const h = createHash('sha256');
const visit = (rel) => {
  const abs = join(root, rel);
  if (!existsSync(abs)) return;
  const s = statSync(abs);
  if (s.isDirectory()) {
    for (const e of readdirSync(abs).sort()) visit(`${rel}/${e}`);
  } else h.update(`${rel}\t${s.size}\t${s.mtimeMs}\n`);
};
inputs.forEach(visit);
const fingerprint = h.digest('hex');
const stampFile = join(root, 'dist', '.build-stamp');
const stamp = existsSync(stampFile) ? readFileSync(stampFile, 'utf8').trim() : '';
if (stamp === fingerprint && outputs.every((o) => existsSync(join(root, o)))) process.exit(0);

console.log('build-if-stale: sources changed since the last build; building (tsc, then the dashboard)');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
// A production build whatever NODE_ENV the caller runs under (a test runner's
// NODE_ENV=test would otherwise give the dashboard React's slower development bundle).
execFileSync(npm, ['run', 'build'], { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
mkdirSync(dirname(stampFile), { recursive: true });
writeFileSync(stampFile, `${fingerprint}\n`);
