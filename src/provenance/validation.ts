import { badInput } from '../errors.js';

/** `value` when it is a non-empty string; BAD_USER_INPUT naming `field` otherwise. */
export function requireText(value: string | null | undefined, field: string): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw badInput(`${field} must be a non-empty string`, { field });
  return value;
}

/** `xs` without repeats, first occurrences in order. */
export function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}
