import { badInput } from '../errors.js';
import { compileLike, type LikePattern } from './like-pattern.js';

/**
 * MLflow's search syntax: a filter of clauses joined by AND
 * (`name LIKE 'fraud%' AND tags.team = 'risk'`), an order_by list
 * (`["name ASC", "last_updated_timestamp DESC"]`) and opaque page tokens.
 * Parsing is pure; each endpoint says which identifiers it knows and how to
 * read them from a record.
 */
export type Op = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN' | 'IS NULL' | 'IS NOT NULL';
export type Value = string | number | (string | number)[];

export interface Clause {
  /** e.g. "name", "tags", "params", "metrics", "attributes". */
  kind: string;
  /** The key after the dot for tags/params/metrics, the attribute name otherwise. */
  key: string;
  op: Op;
  value: Value;
}

type Token = { t: 'ident' | 'str' | 'num' | 'op' | 'lp' | 'rp' | 'comma'; v: string };

// Sticky (`y`): matched at a position without copying the rest of the filter for every token.
const OPERATOR = /(!=|<=|>=|=|<|>)/y;
const NUMBER = /-?\d+(\.\d+)?([eE][-+]?\d+)?/y;
const IDENTIFIER = /([A-Za-z_][A-Za-z0-9_]*)(\.(`[^`]*`|"[^"]*"|[A-Za-z0-9_.-]+))?/y;

function at(re: RegExp, s: string, i: number): RegExpExecArray | null {
  re.lastIndex = i;
  return re.exec(s);
}

function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "'" || c === '"') {
      let j = i + 1;
      let v = '';
      while (j < s.length && s[j] !== c) {
        if (s[j] === '\\' && j + 1 < s.length) j++;
        v += s[j];
        j++;
      }
      if (j >= s.length) throw badInput(`unterminated string in filter at ${i}`, { field: 'filter' });
      out.push({ t: 'str', v });
      i = j + 1;
      continue;
    }
    if (c === '(') {
      out.push({ t: 'lp', v: c });
      i++;
      continue;
    }
    if (c === ')') {
      out.push({ t: 'rp', v: c });
      i++;
      continue;
    }
    if (c === ',') {
      out.push({ t: 'comma', v: c });
      i++;
      continue;
    }
    const op = at(OPERATOR, s, i);
    if (op) {
      out.push({ t: 'op', v: op[1]! });
      i += op[1]!.length;
      continue;
    }
    const num = at(NUMBER, s, i);
    if (num && !/[A-Za-z_]/.test(s[i + num[0].length] ?? '')) {
      out.push({ t: 'num', v: num[0] });
      i += num[0].length;
      continue;
    }
    // Identifiers: name, tags.key, tags.`key with spaces`, attributes.status
    const id = at(IDENTIFIER, s, i);
    if (id) {
      out.push({ t: 'ident', v: id[0] });
      i += id[0].length;
      continue;
    }
    throw badInput(`cannot parse the filter at position ${i}: ${JSON.stringify(s.slice(i, i + 20))}`, {
      field: 'filter',
    });
  }
  return out;
}

export function parseFilter(filter: string | null | undefined): Clause[] {
  if (!filter || !filter.trim()) return [];
  if (filter.length > 4000) throw badInput('filter must be at most 4000 characters', { field: 'filter' });
  const toks = tokenize(filter);
  const clauses: Clause[] = [];
  let i = 0;
  const next = () => toks[i++];
  while (i < toks.length) {
    const ident = next();
    if (!ident || ident.t !== 'ident')
      throw badInput(`filter: expected an identifier, got ${JSON.stringify(ident?.v ?? 'end')}`, { field: 'filter' });
    let opTok = next();
    let op: Op;
    if (opTok?.t === 'op') op = opTok.v as Op;
    else if (opTok?.t === 'ident' && /^(like|ilike|in)$/i.test(opTok.v)) op = opTok.v.toUpperCase() as Op;
    else if (opTok?.t === 'ident' && /^not$/i.test(opTok.v) && /^in$/i.test(toks[i]?.v ?? '')) {
      i++;
      op = 'NOT IN';
    } else if (opTok?.t === 'ident' && /^is$/i.test(opTok.v)) {
      // `tags.x IS NULL` / `IS NOT NULL` (the MLflow UI's experiment list sends one) take no value.
      const not = /^not$/i.test(toks[i]?.v ?? '');
      if (not) i++;
      if (!/^null$/i.test(next()?.v ?? ''))
        throw badInput(`filter: ${ident.v} IS takes NULL or NOT NULL`, { field: 'filter' });
      op = not ? 'IS NOT NULL' : 'IS NULL';
    } else throw badInput(`filter: expected a comparison after ${ident.v}`, { field: 'filter' });
    let value: Value;
    if (op === 'IS NULL' || op === 'IS NOT NULL') value = '';
    else if (op === 'IN' || op === 'NOT IN') {
      if (next()?.t !== 'lp') throw badInput('filter: IN takes a parenthesised list', { field: 'filter' });
      const list: (string | number)[] = [];
      for (;;) {
        const v = next();
        if (!v || (v.t !== 'str' && v.t !== 'num'))
          throw badInput('filter: IN lists hold quoted strings or numbers', { field: 'filter' });
        list.push(v.t === 'num' ? Number(v.v) : v.v);
        const sep = next();
        if (sep?.t === 'rp') break;
        if (sep?.t !== 'comma') throw badInput('filter: IN list items are separated by commas', { field: 'filter' });
      }
      value = list;
    } else {
      const v = next();
      if (!v || (v.t !== 'str' && v.t !== 'num'))
        throw badInput(`filter: ${ident.v} ${op} needs a quoted string or a number`, { field: 'filter' });
      value = v.t === 'num' ? Number(v.v) : v.v;
    }
    clauses.push(splitIdent(ident.v, op, value));
    opTok = next();
    if (opTok === undefined) break;
    if (!(opTok.t === 'ident' && /^and$/i.test(opTok.v)))
      throw badInput('filter: clauses are joined by AND (OR is not supported)', { field: 'filter' });
  }
  return clauses;
}

function splitIdent(ident: string, op: Op, value: Value): Clause {
  const dot = ident.indexOf('.');
  if (dot < 0) return { kind: 'attributes', key: ident, op, value };
  let kind = ident.slice(0, dot).toLowerCase();
  let key = ident.slice(dot + 1);
  if (/^[`"].*[`"]$/.test(key)) key = key.slice(1, -1);
  if (kind === 'tag') kind = 'tags';
  if (kind === 'param' || kind === 'parameter' || kind === 'parameters') kind = 'params';
  if (kind === 'metric') kind = 'metrics';
  if (kind === 'attribute' || kind === 'attr' || kind === 'run') kind = 'attributes';
  return { kind, key, op, value };
}

/** Compiled LIKE / ILIKE patterns, once per clause rather than once per record. */
const likePatterns = new WeakMap<Clause, LikePattern>();

function likePattern(c: Clause): LikePattern {
  let compiled = likePatterns.get(c);
  if (!compiled) {
    compiled = compileLike(String(c.value), c.op === 'ILIKE');
    likePatterns.set(c, compiled);
  }
  return compiled;
}

/** Evaluates one clause against a value read from a record (undefined/null = absent: no match). */
export function matches(actual: string | number | null | undefined, c: Clause): boolean {
  if (actual === null || actual === undefined) return c.op === 'IS NULL';
  if (c.op === 'IS NULL' || c.op === 'IS NOT NULL') return c.op === 'IS NOT NULL';
  const v = c.value;
  switch (c.op) {
    case 'LIKE':
    case 'ILIKE':
      return likePattern(c).test(String(actual));
    case 'IN':
      return (v as (string | number)[]).some((x) => String(x) === String(actual));
    case 'NOT IN':
      return !(v as (string | number)[]).some((x) => String(x) === String(actual));
  }
  const numeric = typeof actual === 'number' || typeof v === 'number';
  const a = numeric ? Number(actual) : String(actual);
  const b = numeric ? Number(v) : String(v);
  switch (c.op) {
    case '=':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
  return false;
}

/**
 * Applies a parsed filter: `read(record, clause)` returns the record's value
 * for the clause's identifier, or throws INVALID_PARAMETER_VALUE for an
 * identifier the endpoint does not know.
 */
export function applyFilter<T>(
  records: T[],
  clauses: Clause[],
  read: (r: T, c: Clause) => string | number | null | undefined,
): T[] {
  if (clauses.length === 0) return records;
  return records.filter((r) => clauses.every((c) => matches(read(r, c), c)));
}

export interface OrderKey {
  kind: string;
  key: string;
  desc: boolean;
}

export function parseOrderBy(orderBy: string[] | string | null | undefined): OrderKey[] {
  const list = orderBy == null ? [] : Array.isArray(orderBy) ? orderBy : [orderBy];
  return list.map((o) => {
    // Trimmed first: `\s*(ASC|DESC)?\s*$` backtracks quadratically over a long run of blanks.
    const m =
      typeof o === 'string'
        ? /^([A-Za-z_][A-Za-z0-9_]*(?:\.(?:`[^`]*`|"[^"]*"|[A-Za-z0-9_.-]+))?)(?:\s+(ASC|DESC))?$/i.exec(o.trim())
        : null;
    if (!m)
      throw badInput(`order_by entries are "<field> [ASC|DESC]"; got ${JSON.stringify(o)}`, { field: 'order_by' });
    const c = splitIdent(m[1]!, '=', '');
    return { kind: c.kind, key: c.key, desc: (m[2] ?? 'ASC').toUpperCase() === 'DESC' };
  });
}

export function sortBy<T>(
  records: T[],
  keys: OrderKey[],
  read: (r: T, k: OrderKey) => string | number | null | undefined,
): T[] {
  if (keys.length === 0) return records;
  return [...records].sort((x, y) => {
    for (const k of keys) {
      const a = read(x, k);
      const b = read(y, k);
      if (a === b) continue;
      // Absent values sort last, as in MLflow.
      if (a == null) return 1;
      if (b == null) return -1;
      const cmp = a < b ? -1 : 1;
      return k.desc ? -cmp : cmp;
    }
    return 0;
  });
}

/** Offset page tokens: opaque base64 JSON, checked on the way back in. */
export function page<T>(
  records: T[],
  maxResults: number,
  token: string | null | undefined,
): { items: T[]; nextPageToken: string | null } {
  let offset = 0;
  if (token) {
    try {
      const o = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { offset?: unknown };
      if (typeof o.offset !== 'number' || !Number.isSafeInteger(o.offset) || o.offset < 0) throw new Error('bad');
      offset = o.offset;
    } catch {
      throw badInput('page_token is not a token returned by this search', { field: 'page_token' });
    }
  }
  const items = records.slice(offset, offset + maxResults);
  const more = offset + maxResults < records.length;
  return {
    items,
    nextPageToken: more ? Buffer.from(JSON.stringify({ offset: offset + maxResults })).toString('base64') : null,
  };
}
