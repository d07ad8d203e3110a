/**
 * The OpenLineage events the ingest bench and its probe send: pipelines of an
 * ETL run and a training run reading its output (see bench/openlineage.ts).
 */
import { randomUUID } from 'node:crypto';

const PRODUCER = 'https://example.com/bench-producer/1.0';
const SCHEMA = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent';
const facet = (fields: Record<string, unknown>) => ({
  _producer: PRODUCER,
  _schemaURL: 'https://openlineage.io/spec/facets/1-0-0/Facet.json',
  ...fields,
});

/** The four events of one pipeline (ETL then training), in order. */
export function pipeline(worker: number, i: number): Record<string, unknown>[] {
  const t0 = Date.UTC(2025, 0, 1) + (worker * 1_000_000 + i) * 60_000;
  const at = (m: number) => new Date(t0 + m * 1000).toISOString();
  const dag = randomUUID();
  const etl = randomUUID();
  const train = randomUUID();
  const parent = facet({ run: { runId: dag }, job: { namespace: 'bench-airflow', name: `dag${worker}` } });
  const code = {
    sourceCodeLocation: facet({ type: 'git', url: 'https://git.example.com/etl/blob/abc/clean.py', version: 'abc' }),
  };
  const raw = { namespace: 's3://bench-landing', name: `w${worker}/tx-${i}.csv`, facets: {} };
  const clean = {
    namespace: 's3://bench-warehouse',
    name: `clean_w${worker}`,
    facets: {
      version: facet({ datasetVersion: `v${i}` }),
      schema: facet({ fields: [{ name: 'amount', type: 'DOUBLE' }] }),
    },
  };
  const model = { namespace: 's3://bench-models', name: `w${worker}/m-${i}`, facets: {} };
  const ev = (eventType: string, m: number, runId: string, job: string, inputs: unknown[], outputs: unknown[]) => ({
    eventType,
    eventTime: at(m),
    producer: PRODUCER,
    schemaURL: SCHEMA,
    run: { runId, facets: { parent } },
    job: { namespace: 'bench-airflow', name: job, facets: code },
    inputs,
    outputs,
  });
  return [
    ev('START', 0, etl, `dag${worker}.clean`, [raw], []),
    ev('COMPLETE', 10, etl, `dag${worker}.clean`, [raw], [clean]),
    ev('START', 20, train, `dag${worker}.train`, [clean], []),
    ev('COMPLETE', 30, train, `dag${worker}.train`, [clean], [model]),
  ];
}
