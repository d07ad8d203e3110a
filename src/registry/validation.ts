import { badInput } from '../errors.js';

/**
 * Input rules of the registry, each stated once. Every write path calls these
 * before touching the graph; messages state the rule, then what broke.
 */

const MODEL_NAME = /^[A-Za-z0-9_\-./]{1,256}$/;

export function assertModelName(name: string, field = 'name'): void {
  if (typeof name !== 'string' || !MODEL_NAME.test(name)) {
    throw badInput(
      `${field} must be 1–256 characters of letters, digits, "_", "-", "." and "/"; got ${JSON.stringify(String(name).slice(0, 80))}${String(name).length > 80 ? '…' : ''}`,
      { field },
    );
  }
}

/** `latest` always resolves to the highest version; it cannot be set or deleted. */
export const LATEST = 'latest';
const ALIAS_NAME = /^[A-Za-z0-9_\-.]{1,128}$/;

export function assertAliasName(alias: string, field = 'alias'): void {
  if (typeof alias !== 'string' || !ALIAS_NAME.test(alias)) {
    throw badInput(
      `${field} must be 1–128 characters of letters, digits, "_", "-" and "."; got ${JSON.stringify(String(alias).slice(0, 80))}`,
      { field },
    );
  }
  if (/^\d+$/.test(alias))
    throw badInput(`${field} must not be purely numeric (it would read as a version number); got "${alias}"`, {
      field,
    });
  if (/^v\d+$/i.test(alias))
    throw badInput(`${field} must not look like a version ("v<number>"); got "${alias}"`, { field });
  if (alias.toLowerCase() === LATEST)
    throw badInput(`${field} "latest" is reserved: it always resolves to the highest version`, { field });
}

export function assertVersionNumber(version: number, field = 'version'): void {
  if (!Number.isSafeInteger(version) || version < 1)
    throw badInput(`${field} must be a positive integer; got ${version}`, { field });
}

const CHECKSUM = /^sha256:[0-9a-f]{64}$/;

export function assertChecksum(checksum: string, field = 'checksum'): void {
  if (typeof checksum !== 'string' || !CHECKSUM.test(checksum)) {
    throw badInput(
      `${field} must be "sha256:" followed by 64 lowercase hex digits; got ${JSON.stringify(String(checksum).slice(0, 80))}`,
      { field },
    );
  }
}

/** mlflow-artifacts: is Pedigree's own artifact store as MLflow clients name it (mlflow-artifacts:/path). */
export const SOURCE_SCHEMES = [
  's3',
  'gs',
  'abfss',
  'wasbs',
  'https',
  'hf',
  'models',
  'runs',
  'mlflow-artifacts',
] as const;

/**
 * Validates an artifact URI and returns it unchanged. One canonical check for
 * every write path: allowed schemes only (`file` when the server allows it),
 * and no path traversal in any spelling — `..` segments, backslashes,
 * fragments, percent-encoded or double-encoded dots and slashes, control
 * characters.
 */
export function validateSource(uri: string, opts: { allowFile: boolean }, field = 'source'): string {
  const fail = (why: string) =>
    badInput(`${field} ${why}; got ${JSON.stringify(String(uri).slice(0, 120))}`, { field });
  if (typeof uri !== 'string' || uri.length === 0) throw fail('is required');
  if (uri.length > 2048) throw fail('must be at most 2048 characters');
  if (/[\u0000-\u001f\u007f\s]/.test(uri)) throw fail('must not contain whitespace or control characters');
  if (uri.includes('\\')) throw fail('must not contain backslashes');
  if (uri.includes('#')) throw fail('must not contain a fragment ("#")');
  const m = /^([a-z][a-z0-9+.-]*):(.*)$/i.exec(uri);
  if (!m) throw fail('must be an absolute URI with a scheme');
  const scheme = m[1]!.toLowerCase();
  const allowed: readonly string[] = opts.allowFile ? [...SOURCE_SCHEMES, 'file'] : SOURCE_SCHEMES;
  if (!allowed.includes(scheme)) {
    throw fail(
      `must use one of the schemes ${allowed.join(', ')}${scheme === 'file' ? ' (file: is disabled on this server)' : ''}`,
    );
  }
  // Decode repeatedly (up to 3 times) so %2e%2e, %252e%252e and friends are seen as what they mean.
  let decoded = m[2]!;
  for (let i = 0; i < 3; i++) {
    let next: string;
    try {
      next = decodeURIComponent(decoded);
    } catch {
      throw fail('has malformed percent-encoding');
    }
    if (next === decoded) break;
    decoded = next;
  }
  if (/%[0-9a-f]{2}/i.test(decoded) && /%(2e|2f|5c|25)/i.test(decoded))
    throw fail('must not be encoded more than twice');
  if (decoded.includes('\\')) throw fail('must not contain encoded backslashes');
  if (/[\u0000-\u001f\u007f]/.test(decoded)) throw fail('must not contain encoded control characters');
  const path = decoded.split('?')[0]!;
  if (path.split('/').some((seg) => seg === '..' || seg === '.'))
    throw fail('must not contain "." or ".." path segments');
  if (
    scheme !== 'file' &&
    !/^\/\/[^/]+/.test(m[2]!) &&
    !['models', 'runs', 'hf', 'mlflow-artifacts'].includes(scheme)
  ) {
    throw fail(`must name a host or bucket (${scheme}://bucket/path)`);
  }
  return uri;
}

/** Teachers (DISTILLED_FROM parents, versions and provider models) of one version: at registration and after. */
export const MAX_TEACHERS = 50;
/** Tags of one model or one version (a new key past it is refused, on every transport). */
export const MAX_TAGS = 100;
/** Aliases of one model (a new alias past it is refused). */
export const MAX_ALIASES = 100;
/**
 * Metrics (key and segment) of one version, all given at registration. Sized
 * so a page of 100 versions with their metrics stays within the default query
 * cost (the cost analysis counts this many per version).
 */
export const MAX_VERSION_METRICS = 200;
/** STAGING gate thresholds of one model. */
export const MAX_GATES = 50;
/** Protected aliases of one model. */
export const MAX_PROTECTED_ALIASES = 50;

export const TAG_KEY_MAX = 250;
export const TAG_VALUE_MAX = 5000;

export function assertTag(key: string, value: string | null): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > TAG_KEY_MAX) {
    throw badInput(`tag keys must be 1–${TAG_KEY_MAX} characters; got ${key?.length ?? 0}`, { field: 'key' });
  }
  if (value !== null && (typeof value !== 'string' || value.length > TAG_VALUE_MAX)) {
    throw badInput(`tag values must be at most ${TAG_VALUE_MAX} characters; got ${value.length}`, { field: 'value' });
  }
}

export function assertTags(tags: { key: string; value: string }[] | null | undefined): void {
  if (!tags) return;
  if (tags.length > MAX_TAGS)
    throw badInput(`at most ${MAX_TAGS} tags; got ${tags.length}`, { field: 'tags', limit: MAX_TAGS });
  const seen = new Set<string>();
  for (const t of tags) {
    assertTag(t.key, t.value);
    if (seen.has(t.key)) throw badInput(`tag key "${t.key}" is given twice`, { field: 'tags' });
    seen.add(t.key);
  }
}

export function assertMetrics(
  metrics: { key: string; value: number; segment?: string | null }[] | null | undefined,
): void {
  if (!metrics) return;
  if (metrics.length > MAX_VERSION_METRICS)
    throw badInput(`at most ${MAX_VERSION_METRICS} metrics; got ${metrics.length}`, {
      field: 'metrics',
      limit: MAX_VERSION_METRICS,
    });
  const seen = new Set<string>();
  for (const m of metrics) {
    if (typeof m.key !== 'string' || m.key.length === 0 || m.key.length > 250) {
      throw badInput('metric keys must be 1–250 characters', { field: 'metrics' });
    }
    if (m.segment != null && (m.segment.length === 0 || m.segment.length > 250)) {
      throw badInput('metric segments must be 1–250 characters when given', { field: 'metrics' });
    }
    if (!Number.isFinite(m.value)) throw badInput(`metric "${m.key}" must be a finite number`, { field: 'metrics' });
    const id = `${m.key}\u0000${m.segment ?? ''}`;
    if (seen.has(id))
      throw badInput(`metric "${m.key}"${m.segment ? ` for segment "${m.segment}"` : ''} is given twice`, {
        field: 'metrics',
      });
    seen.add(id);
  }
}

export function assertText(value: string | null | undefined, field: string, max: number): void {
  if (value != null && value.length > max)
    throw badInput(`${field} must be at most ${max} characters; got ${value.length}`, { field });
}

/**
 * ML semver: MAJOR = architecture change, MINOR = retrained on new data or
 * hyperparameters, PATCH = configuration, threshold or dependency change. The
 * first version is 1.0.0 whatever the bump (applied in
 * cypher/registry/create-versions.cypher, under the model's lock).
 */
export type Bump = 'MAJOR' | 'MINOR' | 'PATCH';
