import { randomUUID } from 'node:crypto';
import { gqlOk, TEST_ADMIN_TOKEN, uniq } from './graphql.js';

/**
 * Pedigree's own OpenLineage fixtures (written for these tests from the
 * specification's field list) and a client for the ingestion endpoint.
 */

export const PRODUCER = 'https://example.com/pedigree-tests/v1';
export const SCHEMA_URL = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent';

/** A facet with the base fields every facet carries. */
export function facet(fields: Record<string, unknown>, name = 'Facet'): Record<string, unknown> {
  return { _producer: PRODUCER, _schemaURL: `https://openlineage.io/spec/facets/1-0-0/${name}.json`, ...fields };
}

export interface DatasetSpec {
  namespace: string;
  name: string;
  version?: string;
  facets?: Record<string, unknown>;
}

export function dataset(d: DatasetSpec): Record<string, unknown> {
  const facets: Record<string, unknown> = { ...(d.facets ?? {}) };
  if (d.version !== undefined) facets.version = facet({ datasetVersion: d.version }, 'DatasetVersionDatasetFacet');
  return { namespace: d.namespace, name: d.name, facets };
}

export interface RunEventSpec {
  eventType?: string;
  eventTime?: string;
  runId: string;
  job: { namespace: string; name: string; facets?: Record<string, unknown> };
  runFacets?: Record<string, unknown>;
  inputs?: DatasetSpec[];
  outputs?: DatasetSpec[];
}

export function runEvent(s: RunEventSpec): Record<string, unknown> {
  return {
    eventType: s.eventType ?? 'START',
    eventTime: s.eventTime ?? new Date().toISOString(),
    producer: PRODUCER,
    schemaURL: SCHEMA_URL,
    run: { runId: s.runId, facets: s.runFacets ?? {} },
    job: { namespace: s.job.namespace, name: s.job.name, facets: s.job.facets ?? {} },
    inputs: (s.inputs ?? []).map(dataset),
    outputs: (s.outputs ?? []).map(dataset),
  };
}

export const newRunId = () => randomUUID();

export interface LineageResponse {
  status: number;
  body: any;
}

/** POSTs to /api/v1/lineage (or /batch) as the holder of `token` (the test admin by default; null: no token). */
export async function postLineage(
  baseUrl: string,
  body: unknown,
  opts: { token?: string | null; batch?: boolean; raw?: string; headers?: Record<string, string> } = {},
): Promise<LineageResponse> {
  const token = opts.token === undefined ? TEST_ADMIN_TOKEN : opts.token;
  const res = await fetch(`${baseUrl}/api/v1/lineage${opts.batch ? '/batch' : ''}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(opts.headers ?? {}),
    },
    body: opts.raw ?? JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed };
}

/** The server's base URL (without /graphql). */
export const baseOf = (graphqlUrl: string) => graphqlUrl.replace(/\/graphql$/, '');

export async function createToken(url: string, role: string, name = uniq(role.toLowerCase())): Promise<string> {
  const d = await gqlOk(
    url,
    'mutation($name: String!, $role: Role!) { createApiToken(name: $name, role: $role) { token } }',
    { name, role },
  );
  return d.createApiToken.token as string;
}
