import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileLike, foldCase } from '../../src/mlflow/like-pattern.js';
import { parseOrderBy } from '../../src/mlflow/search.js';
import { withoutSuggestions } from '../../src/server/errors.js';

/**
 * The definition of LIKE, transcribed directly (exponential, fine for short
 * strings): `%` matches the empty run or one more character, `_` one
 * character, anything else itself.
 */
function reference(pattern: string[], text: string[], eq: (a: string, b: string) => boolean): boolean {
  const go = (p: number, t: number): boolean => {
    if (p === pattern.length) return t === text.length;
    if (pattern[p] === '%') return go(p + 1, t) || (t < text.length && go(p, t + 1));
    if (t === text.length) return false;
    return (pattern[p] === '_' || eq(pattern[p]!, text[t]!)) && go(p + 1, t + 1);
  };
  return go(0, 0);
}

const exact = (a: string, b: string) => a === b;
const ignoringCase = (a: string, b: string) => foldCase(a) === foldCase(b);

// Small alphabets make matches likely; the wildcard-looking and Unicode
// characters check that nothing but % and _ is special and that _ is one code point.
const textChar = fc.constantFrom('a', 'b', 'A', 'B', '.', '*', '\\', '(', '$', 'ß', 'Σ', 'σ', 'ς', '😀', 'é');
const patternChar = fc.oneof(textChar, fc.constantFrom('%', '_'));
const text = fc.array(textChar, { maxLength: 9 });
const pattern = fc.array(patternChar, { maxLength: 8 });

describe('LIKE / ILIKE matcher', () => {
  it('agrees with the definition of LIKE on random patterns and texts (property)', () => {
    fc.assert(
      fc.property(pattern, text, (p, t) => compileLike(p.join(''), false).test(t.join('')) === reference(p, t, exact)),
      { numRuns: 5000 },
    );
  });

  it('agrees with the definition of ILIKE, with simple case folding (property)', () => {
    fc.assert(
      fc.property(
        pattern,
        text,
        (p, t) => compileLike(p.join(''), true).test(t.join('')) === reference(p, t, ignoringCase),
      ),
      { numRuns: 5000 },
    );
  });

  it('agrees with an anchored regular expression on ASCII (a second, independent reference)', () => {
    const ascii = fc.constantFrom('a', 'b', 'A', '.', '-');
    fc.assert(
      fc.property(
        fc.array(fc.oneof(ascii, fc.constantFrom('%', '_')), { maxLength: 8 }),
        fc.array(ascii, { maxLength: 9 }),
        fc.boolean(),
        (p, t, ci) => {
          const re = new RegExp(
            `^${p.map((c) => (c === '%' ? '.*' : c === '_' ? '.' : c === '.' ? '\\.' : c)).join('')}$`,
            ci ? 'isu' : 'su',
          );
          return compileLike(p.join(''), ci).test(t.join('')) === re.test(t.join(''));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('reads MLflow patterns as MLflow does: no escape character, anchored, case only for ILIKE', () => {
    const like = (p: string, t: string, ci = false) => compileLike(p, ci).test(t);
    expect(like('fraud%', 'fraud-detector')).toBe(true);
    expect(like('fraud%', 'Fraud-detector')).toBe(false);
    expect(like('fraud%', 'Fraud-detector', true)).toBe(true);
    expect(like('%detector', 'fraud-detector')).toBe(true);
    expect(like('f_aud', 'fraud')).toBe(true);
    expect(like('f_aud', 'fraaud')).toBe(false);
    expect(like('%', '')).toBe(true);
    expect(like('_', '')).toBe(false);
    expect(like('', '')).toBe(true);
    expect(like('', 'a')).toBe(false);
    // A backslash is a character like any other; % and _ stay wildcards after it.
    expect(like('a\\%', 'a\\xyz')).toBe(true);
    expect(like('a\\%', 'a%')).toBe(false);
    expect(like('a\\_', 'a\\b')).toBe(true);
    // Regex syntax means nothing.
    expect(like('a.c', 'abc')).toBe(false);
    expect(like('(a|b)*', '(a|b)*')).toBe(true);
    // One _ per code point, surrogate pairs included.
    expect(like('_', '😀')).toBe(true);
    expect(like('__', '😀')).toBe(false);
    expect(like('straße', 'STRASSE', true)).toBe(false);
    expect(like('ΣΟΦΟΣ', 'σοφος', true)).toBe(true);
    expect(like('ΣΟΦΟΣ', 'σοφος')).toBe(false);
  });

  it('bounds its work by pattern × text on adversarial patterns (step count, not time)', () => {
    const bound = (p: string, t: string) => 2 * ([...p].length + 1) * ([...t].length + 1);
    const check = (p: string, t: string, ci = false) => {
      const m = compileLike(p, ci);
      m.test(t);
      expect(m.lastSteps, `${JSON.stringify(p)} against ${JSON.stringify(t)}`).toBeLessThanOrEqual(bound(p, t));
      return m.lastSteps;
    };
    // The pattern of the report: 16 `%_` pairs and a character the name lacks.
    const report = `fraud${'%_'.repeat(16)}%!`;
    const name40 = `fraud${'x'.repeat(35)}`;
    const reportSteps = check(report, name40);
    expect(compileLike(report, false).test(name40)).toBe(false);
    expect(compileLike(report, false).test(`${name40}!`)).toBe(true);
    // Far below the bound in fact: each retry start is tried once.
    expect(reportSteps).toBeLessThan(500);
    // Stars everywhere, long segments that almost match, long texts.
    check(`${'%a'.repeat(200)}%b`, 'a'.repeat(2000));
    check(`%${'a'.repeat(300)}b%`, 'a'.repeat(3000));
    check(`%${'_'.repeat(50)}b`, 'a'.repeat(4000), true);
    check(`${'%'.repeat(1000)}x`, 'y'.repeat(1000));
    check(`a%${'a_'.repeat(100)}%a`, 'ab'.repeat(1500));
    // And on random patterns and texts.
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'b', '%', '_'), { maxLength: 40 }),
        fc.array(fc.constantFrom('a', 'b'), { maxLength: 200 }),
        (p, t) => {
          const m = compileLike(p.join(''), false);
          m.test(t.join(''));
          return m.lastSteps <= bound(p.join(''), t.join(''));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('other user-facing regular expressions stay linear', () => {
  // Each of these was a backtracking regex, quadratic over a long run of
  // blanks: with 200 000 of them the old code does not finish (no time is
  // measured; the test would hang). `recheck` reports the new ones as safe.
  it('order_by accepts surrounding blanks and refuses a long run of them without backtracking', () => {
    expect(parseOrderBy(['  name   DESC  '])).toEqual([{ kind: 'attributes', key: 'name', desc: true }]);
    expect(parseOrderBy(['tags.`a b` asc'])).toEqual([{ kind: 'tags', key: 'a b', desc: false }]);
    expect(() => parseOrderBy([`B\t${'\t'.repeat(200_000)}\``])).toThrow(/order_by/);
  });

  it('suggestion stripping keeps its meaning', () => {
    expect(withoutSuggestions('Unknown "x".  Did you mean "y" or "z"? More. Did you mean "w"?')).toBe(
      'Unknown "x". More.',
    );
    expect(withoutSuggestions('no question Did you mean "y"')).toBe('no question Did you mean "y"');
    expect(withoutSuggestions(`${' '.repeat(200_000)}x`)).toBe(`${' '.repeat(200_000)}x`);
  });
});
