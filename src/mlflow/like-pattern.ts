/**
 * SQL `LIKE` / `ILIKE` as MLflow's search filters use them, matched in time
 * bounded by pattern × text, whatever the pattern.
 *
 * Semantics (those of MLflow's stores: SQLAlchemy's `like()` without an
 * `escape` on SQLite, and the file store's pattern helper):
 * - `%` matches any run of characters, the empty run included;
 * - `_` matches exactly one character;
 * - every other character matches itself; there is no escape character, so a
 *   backslash is an ordinary character and `%`/`_` are always wildcards;
 * - the whole text must match (the pattern is anchored at both ends);
 * - characters are Unicode code points (an emoji is one `_`), and ILIKE
 *   compares them after simple per-character case folding ({@link foldCase}).
 *
 * The matcher is the greedy two-pointer wildcard algorithm: it remembers only
 * the last `%` seen and, on a mismatch, retries the text one character later
 * from there. A `%` that has been passed never needs revisiting (whatever an
 * earlier `%` could absorb, the later one can too), so there is no backtracking
 * tree: each retry start is tried once, each try costs at most the length of
 * the `%`-free segment after it, and a try that cannot leave room for the rest
 * of the pattern is not started. A regular expression built from the pattern
 * (`%` → `.*`) backtracks through every way of splitting the text between the
 * `%`s instead: 16 of them against a 40-character name took seconds.
 */
export interface LikePattern {
  /** Whether `text` matches the whole pattern. */
  test(text: string): boolean;
}

/** A compiled pattern with a step counter, for tests that bound the work. */
export interface MeteredLikePattern extends LikePattern {
  /** Loop iterations of the last {@link LikePattern.test} call. */
  readonly lastSteps: number;
}

const ANY_RUN = -1;
const ANY_ONE = -2;

/**
 * Compiles `pattern`: code points, folded for ILIKE, with `%` and `_` as
 * markers and runs of `%` collapsed (`%%` means what `%` means).
 */
export function compileLike(pattern: string, caseInsensitive: boolean): MeteredLikePattern {
  const tokens: number[] = [];
  for (const ch of pattern) {
    if (ch === '%') {
      if (tokens.at(-1) !== ANY_RUN) tokens.push(ANY_RUN);
    } else if (ch === '_') tokens.push(ANY_ONE);
    else tokens.push(codePoint(ch, caseInsensitive));
  }
  // needed[i]: characters the tokens from i on consume at least (every token but `%`).
  const needed = new Array<number>(tokens.length + 1).fill(0);
  for (let i = tokens.length - 1; i >= 0; i--) needed[i] = needed[i + 1]! + (tokens[i] === ANY_RUN ? 0 : 1);

  let lastSteps = 0;
  return {
    get lastSteps() {
      return lastSteps;
    },
    test(text: string): boolean {
      const chars: number[] = [];
      for (const ch of text) chars.push(codePoint(ch, caseInsensitive));
      const n = chars.length;
      let steps = 0;
      let p = 0;
      let t = 0;
      // The last `%` passed and the text position its current try started at.
      let star = -1;
      let starText = 0;
      let matched: boolean | undefined;
      while (matched === undefined) {
        steps++;
        if (t === n) {
          // The text is used up: only trailing `%`s may remain.
          while (p < tokens.length && tokens[p] === ANY_RUN) p++;
          matched = p === tokens.length;
        } else if (p < tokens.length && tokens[p] === ANY_RUN) {
          star = p;
          starText = t;
          p++;
          if (n - t < needed[p]!) matched = false;
        } else if (p < tokens.length && (tokens[p] === ANY_ONE || tokens[p] === chars[t])) {
          p++;
          t++;
        } else if (star >= 0 && n - (starText + 1) >= needed[star + 1]!) {
          // Let the last `%` absorb one more character and try the rest again.
          starText++;
          t = starText;
          p = star + 1;
        } else {
          matched = false;
        }
      }
      lastSteps = steps;
      return matched;
    },
  };
}

/** The code point of `ch` (one code point), case-folded when asked. */
function codePoint(ch: string, fold: boolean): number {
  return (fold ? foldCase(ch) : ch).codePointAt(0)!;
}

const foldCache = new Map<string, string>();

/**
 * Simple case folding of one code point: lower case of its upper case, so
 * that `ς`, `σ` and `Σ` (or `ſ`, `s` and `S`) fold alike. A character whose
 * case mapping is longer than one code point (`ß` → `SS`, `İ` → `i̇`) keeps the
 * one-character mapping, or itself, so `_` still counts it as one character.
 */
export function foldCase(ch: string): string {
  const c = ch.codePointAt(0)!;
  if (c < 0x80) return c >= 0x41 && c <= 0x5a ? String.fromCharCode(c + 0x20) : ch;
  let folded = foldCache.get(ch);
  if (folded === undefined) {
    const single = (s: string) => [...s].length === 1;
    const upper = ch.toUpperCase();
    const viaUpper = single(upper) ? upper.toLowerCase() : '';
    folded = single(viaUpper) ? viaUpper : single(ch.toLowerCase()) ? ch.toLowerCase() : ch;
    if (foldCache.size < 4096) foldCache.set(ch, folded);
  }
  return folded;
}
