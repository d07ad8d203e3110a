import { createWriteStream } from 'node:fs';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract } from 'tar';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { verifyUnpacked } from './backup-format.js';
import { restoreBackup } from './restore.js';

export const OPS_CLI_USAGE = `Pedigree operations (docs/operations.md)

  npm run backup -- --out FILE [--url URL] [--token TOKEN]
      Asks the running server for an online backup (POST /admin/backup, ADMIN token:
      --token, else PEDIGREE_ADMIN_TOKEN) and writes it to FILE once it verifies.
      URL defaults to http://127.0.0.1:$PORT.

  npm run restore -- --from FILE [--data-dir DIR] [--force]
      Restores FILE into DIR (default PEDIGREE_DATA_DIR), which must be empty unless
      --force (then its store, artifacts and signing keys are replaced). No server
      may be using DIR. Checks the restored graph's digest against the backup's.

  npm run backup -- verify --from FILE
      Checks a backup file offline: every hash, and the graph digest.`;

type Say = (line: string) => void;

/** Runs one command of the operations CLI; returns the exit code. */
export async function runOpsCommand(argv: string[], config: Config, log: Logger, say: Say): Promise<number> {
  const [command, ...rest] = argv;
  const args = parseArgs(rest);
  switch (command) {
    case 'backup': {
      if (args.positional[0] === 'verify') {
        await verify(resolve(requireArg(args, 'from')), config, say, dirname(resolve(requireArg(args, 'from'))));
        return 0;
      }
      const out = resolve(requireArg(args, 'out'));
      const url = (args.flags.url ?? `http://127.0.0.1:${config.port}`).replace(/\/$/, '');
      const token = args.flags.token ?? config.security.adminToken;
      if (!token) throw new Error('backup needs an ADMIN token: --token TOKEN or PEDIGREE_ADMIN_TOKEN');
      await backup(url, token, out, config, say);
      return 0;
    }
    case 'restore': {
      const report = await restoreBackup({
        from: resolve(requireArg(args, 'from')),
        dataDir: resolve(args.flags['data-dir'] ?? config.dataDir),
        force: args.flags.force === 'true',
        heapMb: config.embedded.heapMb,
        pagecacheMb: config.embedded.pagecacheMb,
        log,
        say,
      });
      say(
        `restored: sequence ${report.sequence}, ${report.nodes} nodes, ${report.relationships} relationships, ${report.artifacts} artifact files, digest ${report.digest ?? '(no graph)'}`,
      );
      say(
        `time: verify ${report.ms.verify} ms, load ${report.ms.load} ms, schema ${report.ms.schema} ms, check ${report.ms.check} ms, total ${report.ms.total} ms`,
      );
      return 0;
    }
    default:
      say(OPS_CLI_USAGE);
      return command === undefined || command === '--help' ? 0 : 2;
  }
}

/** Downloads a backup to FILE.partial, verifies it, then renames it to FILE. */
async function backup(url: string, token: string, out: string, config: Config, say: Say): Promise<void> {
  say(`asking ${url}/admin/backup for a backup`);
  const res = await fetch(`${url}/admin/backup`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200 || !res.body)
    throw new Error(`the server refused the backup: HTTP ${res.status} ${await res.text()}`);
  const partial = `${out}.partial`;
  await pipeline(
    Readable.fromWeb(res.body as import('node:stream/web').ReadableStream),
    createWriteStream(partial, { mode: 0o600 }),
  );
  try {
    const sequence = await verify(partial, config, say, dirname(out));
    await rename(partial, out);
    say(`wrote ${out} (consistent at event sequence ${sequence})`);
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
}

/** Unpacks FILE into a scratch directory and checks it; returns the sequence. */
async function verify(file: string, config: Config, say: Say, scratchParent?: string): Promise<string> {
  const dir = await mkdtemp(join(scratchParent ?? config.dataDir, '.pedigree-verify-'));
  try {
    await extract({ file, cwd: dir, strict: true });
    const { manifest } = await verifyUnpacked(dir);
    const g = manifest.graph;
    say(
      `verified ${file}: sequence ${manifest.sequence}, ${g ? `${g.nodes} nodes, ${g.relationships} relationships, digest ${g.digest}` : `no graph (${manifest.graphOmitted})`}, ${manifest.files.artifacts} artifact files (${manifest.files.artifactBytes} bytes); writes paused ${manifest.timings.pauseMs} ms`,
    );
    return manifest.sequence;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

interface Args {
  positional: string[];
  flags: Record<string, string>;
}

function parseArgs(argv: string[]): Args {
  const out: Args = { positional: [], flags: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--force') out.flags.force = 'true';
    else if (a.startsWith('--')) {
      const v = argv[i + 1];
      if (v === undefined || v.startsWith('--')) throw new Error(`${a} needs a value`);
      out.flags[a.slice(2)] = v;
      i++;
    } else out.positional.push(a);
  }
  return out;
}

function requireArg(args: Args, name: string): string {
  const v = args.flags[name];
  if (!v) throw new Error(`--${name} is required\n\n${OPS_CLI_USAGE}`);
  return v;
}
