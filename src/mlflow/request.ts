import type { IncomingMessage } from 'node:http';
import type { Caller } from '../governance/policy.js';
import { MlflowError } from './errors.js';

export type Body = Record<string, unknown>;

export interface HandlerContext {
  req: IncomingMessage;
  /** JSON body for POST/PATCH/DELETE, query parameters for GET (repeated keys become arrays). */
  body: Body;
  /** Path parameters ({model_id}, {tag_key}). */
  params: Record<string, string>;
  actor: Caller;
}

export type Handler = (ctx: HandlerContext) => Promise<Record<string, unknown>>;

export function str(body: Body, field: string): string {
  const v = body[field];
  if (typeof v === 'number') return String(v);
  if (typeof v !== 'string' || v === '')
    throw new MlflowError('INVALID_PARAMETER_VALUE', `Missing value for required parameter '${field}'.`);
  return v;
}

export function optStr(body: Body, field: string): string | null {
  const v = body[field];
  if (v === undefined || v === null || v === '') return null;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v !== 'string')
    throw new MlflowError('INVALID_PARAMETER_VALUE', `Invalid value for parameter '${field}': expected a string`);
  return v;
}

export function int(body: Body, field: string): number | null {
  const v = body[field];
  if (v === undefined || v === null || v === '') return null;
  const n = Number(v);
  if (!Number.isSafeInteger(n))
    throw new MlflowError(
      'INVALID_PARAMETER_VALUE',
      `Invalid value ${JSON.stringify(v)} for parameter '${field}': expected an integer`,
    );
  return n;
}

export function num(body: Body, field: string): number {
  const v = body[field];
  if (v === 'NaN' || v === 'nan') return NaN;
  if (v === 'Infinity' || v === 'inf') return Infinity;
  if (v === '-Infinity' || v === '-inf') return -Infinity;
  const n = typeof v === 'number' ? v : Number(v);
  if (v === undefined || v === null || v === '' || Number.isNaN(n))
    throw new MlflowError('INVALID_PARAMETER_VALUE', `Missing value for required parameter '${field}'.`);
  return n;
}

export function bool(body: Body, field: string): boolean {
  const v = body[field];
  return v === true || v === 'true' || v === 'True' || v === '1';
}

export function list(body: Body, field: string): string[] | null {
  const v = body[field];
  if (v === undefined || v === null) return null;
  const arr = Array.isArray(v) ? v : [v];
  return arr.map((x) => String(x));
}

/** Query parameters as an object: a key given more than once becomes an array. */
export function queryBody(search: URLSearchParams): Body {
  const out: Body = {};
  for (const [k, v] of search) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...(prev as string[]), v] : [prev, v];
  }
  return out;
}
