import { createHash } from 'node:crypto';

/**
 * What identifies a training run for reproducibility. `params` is the run's
 * key→value map, either as the object or as the JSON text stored on the `Run`
 * node; values are compared as strings.
 */
export interface FingerprintInput {
  codeCommit: string | null | undefined;
  /** Content hashes of the run's USED dataset versions, in any order (duplicates ignored). */
  datasetHashes: ReadonlyArray<string | null | undefined>;
  params: Readonly<Record<string, unknown>> | string | null | undefined;
  /** Seeds in the order the run declared them (order is part of the identity). */
  seeds: ReadonlyArray<number> | null | undefined;
}

const FORMAT = 'pedigree-fingerprint/v1';

/**
 * The canonical serialisation hashed by {@link computeFingerprint}: a JSON
 * array `[format, codeCommit, sortedUniqueHashes, keySortedParamPairs, seeds]`.
 * Exported so tests and tools can show exactly what was hashed.
 */
export function canonicalFingerprintText(input: FingerprintInput): string {
  const hashes = [...new Set(input.datasetHashes.filter((h): h is string => typeof h === 'string'))].sort(
    compareCodeUnits,
  );
  const params = parseParams(input.params);
  const pairs = Object.keys(params)
    .sort(compareCodeUnits)
    .map((key) => [key, String(params[key])]);
  const seeds = (input.seeds ?? []).map((seed) => {
    if (!Number.isSafeInteger(seed)) {
      throw new TypeError(`computeFingerprint: seeds must be safe integers, got ${String(seed)}`);
    }
    return seed;
  });
  return JSON.stringify([FORMAT, input.codeCommit ?? null, hashes, pairs, seeds]);
}

/**
 * `"sha256:" + hex(sha256(canonical serialisation))` over the code commit, the
 * sorted dataset hashes, the key-sorted params and the seeds. Two model
 * versions with the same fingerprint are reproductions of one another.
 */
export function computeFingerprint(input: FingerprintInput): string {
  return `sha256:${createHash('sha256').update(canonicalFingerprintText(input), 'utf8').digest('hex')}`;
}

function parseParams(params: FingerprintInput['params']): Readonly<Record<string, unknown>> {
  if (params === null || params === undefined || params === '') return {};
  if (typeof params === 'string') {
    const parsed: unknown = JSON.parse(params);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new TypeError('computeFingerprint: params JSON must be an object of key → value');
    }
    return parsed as Record<string, unknown>;
  }
  return params;
}

// Locale-independent ordering: the fingerprint must not depend on the machine.
function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
