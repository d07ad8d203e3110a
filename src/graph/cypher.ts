import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** cypher/ at the project root, from src/graph (tsx, vitest) or dist/src/graph (compiled). */
export const cypherDir =
  [resolve(here, '../../cypher'), resolve(here, '../../../cypher')].find((d) => existsSync(d)) ?? resolve('cypher');

/**
 * Every statement the code runs, registered by name when its module loads
 * (`statement('registry/create-model')` ↔ cypher/registry/create-model.cypher).
 * Start-up checks that each has a file; a test checks that each file has a user.
 */
const declared = new Set<string>();

/** A statement name, declared at module load so a missing file fails start-up, not a request. */
export type Statement = string & { readonly __statement: unique symbol };

export function statement(name: string): Statement {
  declared.add(name);
  return name as Statement;
}

export function declaredStatements(): ReadonlySet<string> {
  return declared;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const p = join(dir, entry);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.cypher') ? [p] : [];
  });
}

/** All statement files except migrations, by name. */
export function loadStatements(dir = cypherDir): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of walk(dir)) {
    const name = relative(dir, file)
      .split(sep)
      .join('/')
      .replace(/\.cypher$/, '');
    if (name.startsWith('migrations/')) continue;
    out.set(name, stripComments(readFileSync(file, 'utf8')));
  }
  return out;
}

/** Migration files in order: `NNN-what.cypher`, each split into its `;`-separated statements. */
export function loadMigrations(dir = join(cypherDir, 'migrations')): { id: string; statements: string[] }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /^\d{3}-[a-z0-9-]+\.cypher$/.test(f))
    .sort()
    .map((f) => ({
      id: f.replace(/\.cypher$/, ''),
      statements: stripComments(readFileSync(join(dir, f), 'utf8'))
        .split(';')
        .map((s) => s.trim())
        .filter(Boolean),
    }));
}

function stripComments(text: string): string {
  return text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('//'))
    .join('\n')
    .trim();
}
