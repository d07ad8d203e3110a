import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cypherDir } from '../../src/graph/cypher.js';

/**
 * searchModelVersions runs one of several statements (the general one, the
 * capped count, a walk per ordering); Cypher has no way to share text between
 * files, so each carries its own copy of the filter, the keyset comparison
 * and (general and count) the candidates. A search must mean the same whichever
 * statement answers it: the copies are marked and must stay identical.
 */
const dir = join(cypherDir, 'registry');
const files = readdirSync(dir)
  .filter((f) => f.startsWith('search-versions'))
  .sort();
const text = (f: string) => readFileSync(join(dir, f), 'utf8');
const block = (f: string, name: string): string | null => {
  const t = text(f);
  const start = t.indexOf(`// ${name}:`);
  const end = t.indexOf(`// :${name}`);
  if (start < 0 || end < 0) return null;
  return t.slice(t.indexOf('\n', start) + 1, t.lastIndexOf('\n', end));
};
const walks = files.filter((f) => f.startsWith('search-versions-by-'));

describe('search statements (cypher/registry/search-versions*.cypher)', () => {
  it('are the general statement, the count, the estimate and the seven walks', () => {
    expect(files).toEqual([
      'search-versions-by-created-asc.cypher',
      'search-versions-by-created-desc.cypher',
      'search-versions-by-metric-asc.cypher',
      'search-versions-by-metric-desc.cypher',
      'search-versions-by-name.cypher',
      'search-versions-by-version-asc.cypher',
      'search-versions-by-version-desc.cypher',
      'search-versions-count.cypher',
      'search-versions-estimate.cypher',
      'search-versions.cypher',
    ]);
  });

  it('filter every one of them with the same text', () => {
    const filtering = files.filter((f) => f !== 'search-versions-estimate.cypher');
    const copies = filtering.map((f) => block(f, 'filter'));
    expect(copies.every((c) => c !== null && c.includes('$metricOp'))).toBe(true);
    expect(new Set(copies).size).toBe(1);
  });

  it('compare with the cursor the same way in the general statement and every walk', () => {
    const copies = ['search-versions.cypher', ...walks].map((f) => block(f, 'keyset'));
    expect(copies.every((c) => c !== null && c.includes('$cursor[3]'))).toBe(true);
    expect(new Set(copies).size).toBe(1);
  });

  it('start the general statement and the count from the same candidates', () => {
    const copies = ['search-versions.cypher', 'search-versions-count.cypher'].map((f) => block(f, 'candidates'));
    expect(copies.every((c) => c !== null && c.includes("$start = 'ALL'"))).toBe(true);
    expect(new Set(copies).size).toBe(1);
  });
});
