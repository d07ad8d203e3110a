import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { DomainError } from '../../src/errors.js';
import { parseOpenLineageBatch, parseOpenLineageEvent, type RunEvent } from '../../src/provenance/openlineage/event.js';
import { EMPTY_FACETS, mergeFacets, visibleFacets } from '../../src/provenance/openlineage/facets.js';
import { datasetUri, splitUri } from '../../src/provenance/openlineage/naming.js';
import {
  applyRunEvent,
  NEW_RUN,
  stateFromProperties,
  stateToProperties,
  type RunState,
} from '../../src/provenance/openlineage/run-state.js';
import { facet, runEvent } from '../support/openlineage.js';

const refusal = (f: () => unknown): { code: string; message: string; field?: unknown } => {
  try {
    f();
  } catch (err) {
    if (err instanceof DomainError) return { code: err.code, message: err.message, field: err.details.field };
    throw err;
  }
  throw new Error('expected a refusal');
};

const RUN = '0190a7c4-5b2d-7d4e-9f00-0123456789ab';
const job = { namespace: 'etl', name: 'clean' };

describe('OpenLineage event validation', () => {
  it('accepts the three kinds of event and keeps runIds in lower case', () => {
    const run = parseOpenLineageEvent(runEvent({ runId: RUN.toUpperCase(), job }));
    expect(run).toMatchObject({
      kind: 'run',
      eventType: 'START',
      run: { runId: RUN },
      job: { namespace: 'etl', name: 'clean' },
    });
    const withoutType = runEvent({ runId: RUN, job });
    delete withoutType.eventType;
    expect(parseOpenLineageEvent(withoutType)).toMatchObject({ kind: 'run', eventType: 'OTHER' });
    const envelope = { eventTime: '2025-01-01T00:00:00.123456+02:00', producer: 'https://p', schemaURL: 'https://s' };
    expect(parseOpenLineageEvent({ ...envelope, job })).toMatchObject({
      kind: 'job',
      eventTimeMs: Date.parse('2024-12-31T22:00:00.123Z'),
    });
    expect(parseOpenLineageEvent({ ...envelope, dataset: { namespace: 's3://b', name: 'k' } })).toMatchObject({
      kind: 'dataset',
      dataset: { uri: 's3://b/k' },
    });
  });

  it('names the field that is wrong', () => {
    const base = () => runEvent({ runId: RUN, job, eventType: 'COMPLETE' }) as Record<string, any>;
    const cases: [string, (e: Record<string, any>) => void, string][] = [
      ['run.runId is required', (e) => delete e.run.runId, 'run.runId'],
      ['job is required in a RunEvent', (e) => delete e.job, 'job'],
      ['job.namespace must not be empty', (e) => (e.job.namespace = ' '), 'job.namespace'],
      ['job.name must not contain control characters', (e) => (e.job.name = 'a\u0000b'), 'job.name'],
      ['eventTime is required', (e) => delete e.eventTime, 'eventTime'],
      ['producer must be a URI (scheme:…), got "not a uri"', (e) => (e.producer = 'not a uri'), 'producer'],
      ['inputs must be an array, got a object', (e) => (e.inputs = {}), 'inputs'],
      ['inputs[0].name is required', (e) => (e.inputs = [{ namespace: 'x' }]), 'inputs[0].name'],
      [
        'run.facets.parent.run.runId must be a UUID, got "nope"',
        (e) => (e.run.facets = { parent: facet({ run: { runId: 'nope' }, job }) }),
        'run.facets.parent.run.runId',
      ],
      [
        'run.facets.x._schemaURL is required',
        (e) => (e.run.facets = { x: { _producer: 'https://p' } }),
        'run.facets.x._schemaURL',
      ],
      [
        'outputs[0].facets.columnLineage.fields.a.inputFields[0].field is required',
        (e) =>
          (e.outputs = [
            {
              namespace: 'n',
              name: 'o',
              facets: { columnLineage: facet({ fields: { a: { inputFields: [{ namespace: 'n', name: 'i' }] } } }) },
            },
          ]),
        'outputs[0].facets.columnLineage.fields.a.inputFields[0].field',
      ],
      ['run must be an object, got an array', (e) => (e.run = []), 'run'],
    ];
    for (const [message, mutate, field] of cases) {
      const e = base();
      mutate(e);
      expect(refusal(() => parseOpenLineageEvent(e))).toEqual({ code: 'BAD_USER_INPUT', message, field });
    }
    expect(refusal(() => parseOpenLineageEvent({ ...base(), eventType: 'DONE' })).message).toBe(
      'eventType must be one of START, RUNNING, COMPLETE, ABORT, FAIL, OTHER, got the string "DONE"',
    );
    expect(refusal(() => parseOpenLineageBatch([base(), { ...base(), run: {} }])).message).toBe(
      '[1].run.runId is required',
    );
    expect(refusal(() => parseOpenLineageBatch({})).message).toMatch(/^the batch must be a JSON array/);
    expect(
      refusal(() =>
        parseOpenLineageEvent({
          ...base(),
          outputs: Array.from({ length: 1001 }, () => ({ namespace: 'n', name: 'o' })),
        }),
      ),
    ).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      field: 'outputs',
    });
  });

  it('keeps the names of environment variables, never their values', () => {
    const e = parseOpenLineageEvent(
      runEvent({
        runId: RUN,
        job,
        runFacets: {
          'environment-variables': facet({
            environmentVariables: [
              { name: 'TOKEN', value: 's3cr3t' },
              { name: 'A', value: '1' },
            ],
          }),
        },
      }),
    ) as RunEvent;
    expect(e.run.facets['environment-variables']!.environmentVariables).toEqual([{ name: 'A' }, { name: 'TOKEN' }]);
    expect(JSON.stringify(e.run.facets)).not.toContain('s3cr3t');
  });
});

describe('dataset naming', () => {
  it('joins namespace and name with one slash, following the naming conventions', () => {
    expect(datasetUri('s3://warehouse', 'clean_tx')).toBe('s3://warehouse/clean_tx');
    expect(datasetUri('s3://warehouse/', '/clean_tx')).toBe('s3://warehouse/clean_tx');
    expect(datasetUri('postgres://db.example.com:5432', 'shop.public.orders')).toBe(
      'postgres://db.example.com:5432/shop.public.orders',
    );
    expect(datasetUri('bigquery', 'project.dataset.table')).toBe('bigquery/project.dataset.table');
    expect(datasetUri('hdfs://nn:8020', '/warehouse/tx')).toBe('hdfs://nn:8020/warehouse/tx');
    expect(datasetUri('file', '/data/tx.csv')).toBe('file:///data/tx.csv');
  });

  it('splits a URI with an authority back into the same namespace and name', () => {
    const segment = fc.stringMatching(/^[a-z0-9_.-]{1,12}$/);
    fc.assert(
      fc.property(
        fc.constantFrom('s3', 'gs', 'abfss', 'hdfs', 'https'),
        segment,
        fc.array(segment, { minLength: 1, maxLength: 4 }),
        (scheme, host, path) => {
          const uri = `${scheme}://${host}/${path.join('/')}`;
          const { namespace, name } = splitUri(uri);
          expect(namespace).toBe(`${scheme}://${host}`);
          expect(datasetUri(namespace, name)).toBe(uri);
        },
      ),
    );
    expect(splitUri('file:///data/x.csv')).toEqual({ namespace: 'file', name: '/data/x.csv' });
    expect(datasetUri('file', '/data/x.csv')).toBe('file:///data/x.csv');
    expect(splitUri('models:/fraud/3')).toEqual({ namespace: 'models', name: 'fraud/3' });
  });
});

describe('facet merge', () => {
  const arbFacets = fc.dictionary(
    fc.constantFrom('a', 'b', 'c', 'd'),
    fc.oneof(fc.record({ v: fc.integer({ min: 0, max: 3 }) }), fc.constant({ _deleted: true })),
    { maxKeys: 3 },
  );
  const arbUpdate = fc.record({ facets: arbFacets, at: fc.integer({ min: 0, max: 5 }) });

  it('is commutative and idempotent: any order, any repetition, the same facets', () => {
    fc.assert(
      fc.property(fc.array(arbUpdate, { maxLength: 8 }), fc.func(fc.integer()), (updates, key) => {
        const fold = (us: typeof updates) => us.reduce((s, u) => mergeFacets(s, u.facets, u.at), EMPTY_FACETS);
        const shuffled = [...updates, ...updates.slice(0, 2)]
          .map((u, i) => ({ u, k: key(i) }))
          .sort((a, b) => a.k - b.k)
          .map((x) => x.u);
        expect(fold(shuffled)).toEqual(fold(updates));
      }),
    );
  });

  it('lets the latest event win per key, and a tombstone remove a facet', () => {
    let s = mergeFacets(EMPTY_FACETS, { a: { v: 1 }, b: { v: 1 } }, 10);
    s = mergeFacets(s, { a: { v: 0 } }, 5);
    s = mergeFacets(s, { b: { _deleted: true } }, 11);
    expect(visibleFacets(s)).toEqual({ a: { v: 1 } });
  });
});

describe('run state', () => {
  const ev = (over: Partial<Parameters<typeof runEvent>[0]> & { eventType: string; eventTime: string }) =>
    parseOpenLineageEvent(runEvent({ runId: RUN, job, ...over })) as RunEvent;

  it('a run reaches the same state from its events in any order, repeated', () => {
    const events = [
      ev({
        eventType: 'START',
        eventTime: '2025-01-01T00:00:00Z',
        inputs: [{ namespace: 's3://b', name: 'raw' }],
        runFacets: { step: facet({ n: 0 }) },
      }),
      ev({
        eventType: 'RUNNING',
        eventTime: '2025-01-01T00:01:00Z',
        inputs: [{ namespace: 's3://b', name: 'extra', version: 'v3' }],
        runFacets: { step: facet({ n: 1 }) },
      }),
      ev({
        eventType: 'COMPLETE',
        eventTime: '2025-01-01T00:02:00Z',
        inputs: [{ namespace: 's3://b', name: 'raw' }],
        outputs: [{ namespace: 's3://b', name: 'clean', version: 'v1' }],
        runFacets: { step: facet({ n: 2 }) },
        job: { ...job, facets: { sourceCodeLocation: facet({ type: 'git', url: 'https://g/x', version: 'abc' }) } },
      }),
      ev({ eventType: 'OTHER', eventTime: '2025-01-01T00:03:00Z', runFacets: { later: facet({ x: 1 }) } }),
    ];
    const fold = (es: RunEvent[]) =>
      es.reduce<RunState>((s, e) => stateFromProperties(stateToProperties(applyRunEvent(s, e).state)), NEW_RUN);
    const expected = fold(events);
    expect(expected).toMatchObject({
      status: 'FINISHED',
      startMs: Date.parse('2025-01-01T00:00:00Z'),
      endMs: Date.parse('2025-01-01T00:02:00Z'),
      codeCommit: 'abc',
    });
    expect(expected.inputs.map((i) => [i.dataset, i.version])).toEqual([
      ['s3://b/extra', 'v3'],
      ['s3://b/raw', ''],
    ]);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 4 }), fc.func(fc.integer()), (extra, key) => {
        const all = [...events, ...extra.map((i) => events[i]!)]
          .map((e, i) => ({ e, k: key(i) }))
          .sort((a, b) => a.k - b.k)
          .map((x) => x.e);
        expect(fold(all)).toEqual(expected);
      }),
    );
  });

  it('outputs are made once, when a COMPLETE ends the run; its version is the version facet, else the run id', () => {
    const t = applyRunEvent(
      NEW_RUN,
      ev({
        eventType: 'COMPLETE',
        eventTime: '2025-01-01T00:02:00Z',
        outputs: [
          { namespace: 's3://b', name: 'a', version: 'v9' },
          { namespace: 's3://b', name: 'b' },
        ],
      }),
    );
    expect(t.outputs.map((o) => [o.dataset, o.version])).toEqual([
      ['s3://b/a', 'v9'],
      ['s3://b/b', RUN],
    ]);
    const again = applyRunEvent(
      t.state,
      ev({
        eventType: 'COMPLETE',
        eventTime: '2025-01-01T00:02:00Z',
        outputs: [
          { namespace: 's3://b', name: 'a', version: 'v9' },
          { namespace: 's3://b', name: 'b' },
        ],
      }),
    );
    expect(again).toMatchObject({ changed: false, outputs: [], becameTerminal: false });
    const failed = applyRunEvent(
      NEW_RUN,
      ev({ eventType: 'FAIL', eventTime: '2025-01-01T00:02:00Z', outputs: [{ namespace: 's3://b', name: 'a' }] }),
    );
    expect(failed).toMatchObject({ outputs: [], becameTerminal: true, state: { status: 'FAILED' } });
  });

  it('refuses what a run cannot take back: another end, another job, another code version, itself as parent', () => {
    const done = applyRunEvent(
      NEW_RUN,
      ev({
        eventType: 'COMPLETE',
        eventTime: '2025-01-01T00:02:00Z',
        job: { ...job, facets: { sourceCodeLocation: facet({ type: 'git', url: 'https://g', version: 'abc' }) } },
      }),
    ).state;
    expect(
      refusal(() => applyRunEvent(done, ev({ eventType: 'FAIL', eventTime: '2025-01-01T00:03:00Z' }))).message,
    ).toMatch(/already ended \(COMPLETE at 2025-01-01T00:02:00.000Z\)/);
    expect(
      refusal(() =>
        applyRunEvent(
          done,
          parseOpenLineageEvent(
            runEvent({ runId: RUN, job: { namespace: 'etl', name: 'other' }, eventType: 'OTHER' }),
          ) as RunEvent,
        ),
      ).message,
    ).toMatch(/belongs to job etl\/clean/);
    expect(
      refusal(() =>
        applyRunEvent(
          done,
          ev({
            eventType: 'OTHER',
            eventTime: '2025-01-01T00:04:00Z',
            job: { ...job, facets: { sourceCodeLocation: facet({ type: 'git', url: 'https://g', version: 'def' }) } },
          }),
        ),
      ).message,
    ).toMatch(/recorded code version abc; this event says def/);
    expect(
      refusal(() =>
        applyRunEvent(
          NEW_RUN,
          ev({
            eventType: 'START',
            eventTime: '2025-01-01T00:00:00Z',
            runFacets: { parent: facet({ run: { runId: RUN }, job }) },
          }),
        ),
      ).message,
    ).toMatch(/names itself as its parent/);
  });
});

describe('emission configuration', () => {
  it('takes a base URL (the spec endpoint is appended) or a full endpoint, and refuses anything but http(s)', () => {
    expect(loadConfig({ PEDIGREE_OPENLINEAGE_URL: 'http://marquez:5000' }).openLineage).toEqual({
      url: 'http://marquez:5000/api/v1/lineage',
      apiKey: null,
      namespace: 'pedigree',
    });
    expect(
      loadConfig({
        PEDIGREE_OPENLINEAGE_URL: 'https://lineage.example.com/openapi/openlineage/api/v1/lineage',
        PEDIGREE_OPENLINEAGE_API_KEY: 'k',
        PEDIGREE_OPENLINEAGE_NAMESPACE: 'registry',
      }).openLineage,
    ).toEqual({
      url: 'https://lineage.example.com/openapi/openlineage/api/v1/lineage',
      apiKey: 'k',
      namespace: 'registry',
    });
    expect(loadConfig({}).openLineage.url).toBeNull();
    expect(() => loadConfig({ PEDIGREE_OPENLINEAGE_URL: 'ftp://x' })).toThrow(
      /PEDIGREE_OPENLINEAGE_URL must be an http\(s\) URL/,
    );
  });
});
