import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../src/events/event-record.js';
import { AliasView, type ViewAnswer } from '../../src/registry/view/alias-view.js';
import { decodeModel, decodeVersion, encodeModel, encodeVersion } from '../../src/registry/view/record-codec.js';
import { STAGES, type ModelRecord, type Stage, type VersionRecord } from '../../src/registry/types.js';

// ------------------------------------------------------------ a reference registry that writes the events the services
// write

interface RefModel {
  id: string;
  counter: number;
  aliases: Map<string, number>;
  versions: Map<number, { stage: Stage; tag: string }>;
  description: string;
}

const NAMES = ['m-a', 'm-b', 'm-c', 'm/d'];
/** The record cache's size in these tests: more than any history here holds, except where a test sets its own. */
const LIMIT = 10_000;
const ALIASES = ['production', 'champion', 'canary-x'];

class Reference {
  models = new Map<string, RefModel>();
  events: EventRecord[] = [];
  private ids = 0;

  private emit(e: Partial<EventRecord> & { type: string; modelName: string }): void {
    this.events.push({
      sequence: String(this.events.length + 1),
      at: '2026-01-01T00:00:00.000Z',
      actor: 't',
      version: null,
      alias: null,
      subjectId: null,
      before: null,
      after: null,
      ...e,
    });
  }

  run(op: Op): void {
    const [kind, a, b, c] = op;
    const name = NAMES[a % NAMES.length]!;
    const m = this.models.get(name);
    switch (kind) {
      case 'createModel':
        if (m) return;
        this.models.set(name, {
          id: `model-${++this.ids}`,
          counter: 0,
          aliases: new Map(),
          versions: new Map(),
          description: '',
        });
        return this.emit({ type: 'MODEL_CREATED', modelName: name, subjectId: this.models.get(name)!.id });
      case 'createVersion': {
        if (!m) return;
        const n = ++m.counter;
        m.versions.set(n, { stage: 'DEVELOPMENT', tag: 't0' });
        return this.emit({
          type: 'VERSION_CREATED',
          modelName: name,
          version: n,
          subjectId: `${m.id}-v${n}`,
          after: { version: n, stage: 'DEVELOPMENT' },
        });
      }
      case 'stage': {
        const n = m && pick([...m.versions.keys()], b);
        if (!m || n === undefined) return;
        const v = m.versions.get(n)!;
        const stage = STAGES[c % STAGES.length]!;
        const before = v.stage;
        v.stage = stage;
        return this.emit({
          type: c % 7 === 0 ? 'STAGE_ROLLBACK' : 'STAGE_CHANGED',
          modelName: name,
          version: n,
          before: { stage: before },
          after: { stage },
        });
      }
      case 'setAlias': {
        const n = m && pick([...m.versions.keys()], b);
        if (!m || n === undefined) return;
        const alias = ALIASES[c % ALIASES.length]!;
        m.aliases.set(alias, n);
        return this.emit({
          type: c % 5 === 0 ? 'ROLLBACK' : 'ALIAS_SET',
          modelName: name,
          alias,
          version: n,
          after: { version: n },
        });
      }
      case 'deleteAlias': {
        const alias = ALIASES[b % ALIASES.length]!;
        if (!m || !m.aliases.has(alias)) return;
        m.aliases.delete(alias);
        return this.emit({ type: 'ALIAS_DELETED', modelName: name, alias });
      }
      case 'deleteVersion': {
        const n = m && pick([...m.versions.keys()], b);
        if (!m || n === undefined) return;
        for (const [alias, target] of [...m.aliases]) {
          if (target !== n) continue;
          m.aliases.delete(alias);
          this.emit({ type: 'ALIAS_DELETED', modelName: name, alias, before: { version: n } });
        }
        m.versions.delete(n);
        return this.emit({ type: 'VERSION_DELETED', modelName: name, version: n });
      }
      case 'tag': {
        const n = m && pick([...m.versions.keys()], b);
        if (!m || n === undefined) return;
        m.versions.get(n)!.tag = `t${c}`;
        return this.emit({ type: 'VERSION_TAG_SET', modelName: name, version: n });
      }
      case 'describe':
        if (!m) return;
        m.description = `d${b}`;
        return this.emit({ type: 'MODEL_UPDATED', modelName: name, subjectId: m.id });
      case 'rename': {
        const to = NAMES[b % NAMES.length]!;
        if (!m || this.models.has(to)) return;
        this.models.delete(name);
        this.models.set(to, m);
        return this.emit({
          type: 'MODEL_RENAMED',
          modelName: to,
          subjectId: m.id,
          before: { name },
          after: { name: to },
        });
      }
      case 'deleteModel':
        if (!m) return;
        this.models.delete(name);
        return this.emit({ type: 'MODEL_DELETED', modelName: name, subjectId: m.id });
    }
  }

  modelRecord(name: string): ModelRecord | null {
    const m = this.models.get(name);
    if (!m) return null;
    return {
      id: m.id,
      name,
      description: m.description,
      owner: null,
      owners: [],
      protectedAliases: ['production'],
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-02T00:00:00.000Z',
      gates: null,
      archivalChecklist: null,
    };
  }

  versionRecord(name: string, n: number): VersionRecord | null {
    const m = this.models.get(name);
    const v = m?.versions.get(n);
    if (!m || !v) return null;
    return {
      id: `${m.id}-v${n}`,
      modelName: name,
      version: n,
      semver: `1.${n}.0`,
      stage: v.stage,
      source: `s3://bucket/${m.id}/${n}`,
      checksum: null,
      fingerprint: null,
      framework: 'torch',
      description: null,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
      createdBy: 't',
      everProduction: false,
      leftProductionAt: null,
    };
  }

  tagOf(name: string, n: number): string | null {
    return this.models.get(name)?.versions.get(n)?.tag ?? null;
  }

  /** The registry's answers: what the view must give. */
  expectedByAlias(name: string, alias: string): number | null | 'no-model' {
    const m = this.models.get(name);
    if (!m) return 'no-model';
    if (alias === 'latest') return m.versions.size ? Math.max(...m.versions.keys()) : null;
    return m.aliases.get(alias) ?? null;
  }

  expectedByStage(name: string, stage: Stage): number | null | 'no-model' {
    const m = this.models.get(name);
    if (!m) return 'no-model';
    const ns = [...m.versions].filter(([, v]) => v.stage === stage).map(([n]) => n);
    return ns.length ? Math.max(...ns) : null;
  }
}

type Op = [string, number, number, number];
const pick = <T>(xs: T[], i: number): T | undefined => (xs.length ? xs[i % xs.length] : undefined);

const op: fc.Arbitrary<Op> = fc.tuple(
  fc.constantFrom(
    'createModel',
    'createModel',
    'createVersion',
    'createVersion',
    'createVersion',
    'stage',
    'stage',
    'setAlias',
    'setAlias',
    'setAlias',
    'deleteAlias',
    'deleteVersion',
    'tag',
    'describe',
    'rename',
    'deleteModel',
  ),
  fc.nat(20),
  fc.nat(20),
  fc.nat(20),
);

/** Changes to the records of two models that someone reads (the cases a read in flight can miss). */
const changeOp: fc.Arbitrary<Op> = fc.tuple(
  fc.constantFrom('stage', 'tag', 'describe', 'setAlias', 'createVersion', 'deleteAlias'),
  fc.nat(1),
  fc.nat(20),
  fc.nat(20),
);
const SETUP: Op[] = [
  ['createModel', 0, 0, 0],
  ['createModel', 1, 0, 0],
  ['createVersion', 0, 0, 0],
  ['createVersion', 0, 0, 0],
  ['createVersion', 1, 0, 0],
  ['setAlias', 0, 0, 0],
  ['setAlias', 1, 0, 1],
];

/** What the runtime's refresh reads: what the view asks for, from the graph as it is now; installed later. */
function read(view: AliasView, ref: Reference): () => void {
  const needs = view.needs();
  const models = needs.models.map((name) => ref.modelRecord(name));
  const versions = needs.versions.map((k) => ({
    v: ref.versionRecord(k.modelName, k.version),
    tags: [{ key: 'k', value: ref.tagOf(k.modelName, k.version)! }],
  }));
  return () => {
    for (const m of models) if (m) view.installModel(m, needs.mark);
    for (const { v, tags } of versions) if (v) view.installVersion(v, { runId: null, tags }, needs.mark);
  };
}

/** A refresh with no event in between: read and install at once. */
function refresh(view: AliasView, ref: Reference): void {
  read(view, ref)();
}

/**
 * Looks everything up, as the registry does: every hit must agree with the
 * reference, and a miss that names records to read asks for them. With
 * `strict`, every found version must be a hit (the records were asked for
 * and read already).
 */
function lookAll(view: AliasView, ref: Reference, strict: boolean): void {
  const miss = (got: ViewAnswer) => {
    if (!got.hit && got.fetch) view.want(got.fetch.modelName, got.fetch.version);
  };
  for (const name of [...NAMES, 'nobody']) {
    for (const alias of [...ALIASES, 'latest']) {
      const got = view.byAlias(name, alias);
      const want = ref.expectedByAlias(name, alias);
      // A found version is answered; "none" (no model, no such alias) is asked of Neo4j.
      if (strict || got.hit) expect(got.hit, `${name}@${alias}`).toBe(want !== 'no-model' && want !== null);
      if (!want || want === 'no-model')
        expect(got.hit ? true : !!got.fetch, `${name}@${alias} names no fetch`).toBe(false);
      miss(got);
      if (!got.hit) continue;
      {
        expect(got.model?.name).toBe(name);
        expect(got.model?.id).toBe(ref.models.get(name)!.id);
        expect(got.model?.description).toBe(ref.models.get(name)!.description);
        expect(got.version?.version ?? null, `${name}@${alias}`).toBe(want);
        if (got.version) {
          expect(got.version).toMatchObject({ ...ref.versionRecord(name, got.version.version), model: got.model });
          expect(got.version.held?.tags).toEqual([{ key: 'k', value: ref.tagOf(name, got.version.version) }]);
          expect(got.version.held?.aliases).toEqual(
            [...ref.models.get(name)!.aliases]
              .filter(([, n]) => n === got.version!.version)
              .map(([a]) => a)
              .sort(),
          );
        }
      }
    }
    for (const stage of STAGES) {
      const got = view.byStage(name, stage);
      const want = ref.expectedByStage(name, stage);
      if (strict || got.hit) expect(got.hit, `${name}/${stage}`).toBe(want !== 'no-model' && want !== null);
      miss(got);
      if (!got.hit) continue;
      expect(got.version?.version).toBe(want);
    }
    const m = ref.models.get(name);
    for (let n = 1; n <= (m?.counter ?? 0) + 1; n++) {
      const got = view.byNumber(name, n);
      if (strict) expect(got.hit, `${name}/${n}`).toBe(!!m?.versions.has(n));
      miss(got);
      if (!got.hit) continue; // none, or not read yet: Neo4j answers it
      expect(m?.versions.has(n)).toBe(true);
      expect(got.version?.version).toBe(n);
      if (got.version) expect(got.version.stage).toBe(m!.versions.get(n)!.stage);
    }
  }
}

/** Every hit agrees; once the records the lookups missed are read, every found version is a hit. */
function expectAgrees(view: AliasView, ref: Reference): void {
  lookAll(view, ref, false);
  refresh(view, ref);
  lookAll(view, ref, true);
}

describe('alias view codec', () => {
  it('round-trips version and model records exactly, whatever their text', () => {
    const text = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.uuid(),
      fc.constant('2026-12-06T10:11:12.345Z'),
      fc.constant('sha256:' + 'ab'.repeat(32)),
      fc.constant('SHA256:' + 'AB'.repeat(32)),
    );
    const opt = fc.option(text, { nil: null });
    fc.assert(
      fc.property(
        fc.uuid(),
        text,
        opt,
        opt,
        opt,
        fc.constantFrom(...STAGES),
        fc.boolean(),
        fc.array(fc.record({ key: text, value: text }), { maxLength: 5 }),
        opt,
        (id, source, checksum, description, runId, stage, everProduction, tags, gates) => {
          const v: VersionRecord = {
            id,
            modelName: 'ignored',
            version: 7,
            semver: '1.2.3',
            stage,
            source,
            checksum,
            fingerprint: 'sha256:' + 'cd'.repeat(32),
            framework: null,
            description,
            createdAt: new Date(1_700_000_000_123).toISOString(),
            updatedAt: '2026-12-06T10:11:12.345Z',
            createdBy: 'ci-bot',
            everProduction,
            leftProductionAt: null,
          };
          const { record, extras } = decodeVersion(encodeVersion(v, { runId, tags }));
          const { modelName: _m, version: _v, ...rest } = v;
          expect(record).toEqual(rest);
          expect(extras).toEqual({ runId, tags });
          const model: ModelRecord = {
            id,
            name: 'n',
            description,
            owner: checksum,
            owners: tags.map((t) => t.key),
            protectedAliases: ['production'],
            createdAt: v.createdAt,
            updatedAt: v.updatedAt,
            gates,
            archivalChecklist: description === null ? null : [description],
          };
          expect(decodeModel(encodeModel(model), 'n')).toEqual(model);
        },
      ),
    );
  });

  it('keeps a record small: ids, digests and instants in binary', () => {
    const v: VersionRecord = {
      id: '0b5d8a3e-1f2c-4d5e-8f90-123456789abc',
      modelName: 'fraud',
      version: 12,
      semver: '1.12.0',
      stage: 'PRODUCTION',
      source: 's3://models/fraud/12',
      checksum: 'sha256:' + 'ab'.repeat(32),
      fingerprint: 'sha256:' + 'cd'.repeat(32),
      framework: 'xgboost',
      description: null,
      createdAt: '2026-12-06T10:11:12.345Z',
      updatedAt: '2026-12-06T10:11:12.345Z',
      createdBy: 'ci',
      everProduction: true,
    };
    const encoded = encodeVersion(v, {
      runId: '1b5d8a3e-1f2c-4d5e-8f90-123456789abc',
      tags: [{ key: 'team', value: 'risk' }],
    });
    // 16 + 32 + 32 + 16 binary, 2 × 6 for the instants, the texts and one tag byte each.
    expect(encoded.length).toBeLessThan(180);
    expect(/^[\u0000-\u00ff]*$/.test(encoded)).toBe(true);
  });
});

describe('alias view: pointers and records from the event log', () => {
  it('agrees with the registry after any history of creates, moves, stage changes, rollbacks, renames and deletes, applied in any batches', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), fc.array(fc.nat(6), { maxLength: 60 }), (ops, cuts) => {
        const ref = new Reference();
        const view = new AliasView(LIMIT);
        let applied = 0;
        let c = 0;
        for (const o of ops) {
          ref.run(o);
          // Apply what the log has in batches of random size, refreshing after each; now and
          // then someone reads everything (hits must agree; the misses make models read).
          const cut = cuts[c++ % Math.max(cuts.length, 1)] ?? 0;
          if (cut === 0 || cut === 1) {
            for (; applied < ref.events.length; applied++) view.apply(ref.events[applied]!);
            refresh(view, ref);
          }
          if (cut === 1) lookAll(view, ref, false);
        }
        for (; applied < ref.events.length; applied++) view.apply(ref.events[applied]!);
        refresh(view, ref);
        expectAgrees(view, ref);
      }),
      { numRuns: 300 },
    );
  });

  it('built from a snapshot taken after sequence C, then fed every event after C (some already in the snapshot), it agrees', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 100 }), fc.nat(), fc.nat(), (ops, cRaw, kRaw) => {
        const ref = new Reference();
        const snapshots: { events: number; load: (view: AliasView) => void }[] = [];
        const snap = () => {
          const copy = [...ref.models].map(([name, m]) => ({
            model: ref.modelRecord(name)!,
            aliases: [...m.aliases],
            versions: [...m.versions].map(([n, v]) => [n, v.stage] as [number, string]),
          }));
          snapshots.push({
            events: ref.events.length,
            load: (view) => copy.forEach((x) => view.load(x.model, x.aliases, x.versions)),
          });
        };
        snap();
        for (const o of ops) {
          ref.run(o);
          snap();
        }
        // The snapshot reflects the log up to some point k ≥ C: C is read first, the graph after.
        const k = kRaw % snapshots.length;
        const c = cRaw % (snapshots[k]!.events + 1);
        const view = new AliasView(LIMIT);
        snapshots[k]!.load(view);
        // The build reads pointers only (no record until a lookup asks), then applies every event after C.
        expect(view.needs()).toMatchObject({ models: [], versions: [] });
        for (const e of ref.events.slice(c)) view.apply(e);
        refresh(view, ref);
        expectAgrees(view, ref);
      }),
      { numRuns: 300 },
    );
  });

  it('installs nothing an event overtook: a record read before an event, installed after it, is never served', () => {
    fc.assert(
      fc.property(fc.array(changeOp, { maxLength: 80 }), fc.array(fc.nat(4), { maxLength: 60 }), (ops, cuts) => {
        const ref = new Reference();
        const view = new AliasView(LIMIT);
        // Two models with versions, both read (so events on them read their records again).
        for (const o of SETUP) ref.run(o);
        for (const e of ref.events) view.apply(e);
        expectAgrees(view, ref);
        let applied = ref.events.length;
        let c = 0;
        // Reads in flight: taken from the graph as it was, installed after later events were applied.
        let inFlight: (() => void)[] = [];
        for (const o of ops) {
          ref.run(o);
          const cut = cuts[c++ % Math.max(cuts.length, 1)] ?? 0;
          for (; applied < ref.events.length; applied++) view.apply(ref.events[applied]!);
          if (cut === 0) inFlight.push(read(view, ref));
          if (cut === 1) {
            inFlight.forEach((install) => install());
            inFlight = [];
          }
          if (cut === 1 || cut === 2) lookAll(view, ref, false);
        }
        inFlight.forEach((install) => install());
        lookAll(view, ref, false);
        expectAgrees(view, ref);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps at most its limit of version records, and still agrees', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
        const ref = new Reference();
        const view = new AliasView(2);
        for (const o of ops) {
          ref.run(o);
          for (const e of ref.events.splice(0)) view.apply(e);
          refresh(view, ref);
          lookAll(view, ref, false);
          expect(view.stats().cachedVersions).toBeLessThanOrEqual(2);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('reads no record of a model nobody looked up; once looked up, keeps its records current through events', () => {
    const ref = new Reference();
    const view = new AliasView(LIMIT);
    for (const o of [
      ['createModel', 0, 0, 0],
      ['createVersion', 0, 0, 0],
      ['setAlias', 0, 0, 0],
    ] as Op[])
      ref.run(o);
    for (const e of ref.events) view.apply(e);
    expect(view.pending).toBe(false);
    expect(view.needs()).toMatchObject({ models: [], versions: [] });
    // The first lookup misses and names what to read.
    const first = view.byAlias('m-a', 'production');
    expect(first).toEqual({ hit: false, fetch: { modelName: 'm-a', version: 1 } });
    expect(view.want('m-a', 1)).toBe(true);
    refresh(view, ref);
    expect(view.byAlias('m-a', 'production')).toMatchObject({
      hit: true,
      version: { version: 1, stage: 'DEVELOPMENT' },
    });
    expect(view.stats()).toMatchObject({ hotModels: 1, cachedVersions: 1 });
    // An event drops what it may have changed; the refresh after it reads it again, unasked.
    ref.run(['stage', 0, 0, 1]);
    view.apply(ref.events.at(-1)!);
    expect(view.byAlias('m-a', 'production').hit).toBe(false);
    refresh(view, ref);
    expect(view.byAlias('m-a', 'production')).toMatchObject({ hit: true, version: { version: 1, stage: 'STAGING' } });
  });

  it('reads a version looked up by number that nothing names when asked, and forgets it when an event touches it', () => {
    const ref = new Reference();
    const view = new AliasView(LIMIT);
    for (const o of [
      ['createModel', 0, 0, 0],
      ['createVersion', 0, 0, 0],
      ['createVersion', 0, 0, 0],
    ] as Op[])
      ref.run(o);
    for (const e of ref.events) view.apply(e);
    refresh(view, ref);
    // Version 1 is named by nothing (latest is 2, and 2 is the newest DEVELOPMENT version).
    expect(view.byNumber('m-a', 1)).toEqual({ hit: false, fetch: { modelName: 'm-a', version: 1 } });
    expect(view.byNumber('m-a', 3)).toEqual({ hit: false }); // no such version: Neo4j answers it
    expect(view.want('m-a', 1)).toBe(true);
    expect(view.want('m-a', 3)).toBe(false);
    refresh(view, ref);
    expect(view.byNumber('m-a', 1)).toMatchObject({ hit: true, version: { version: 1 } });
    ref.run(['tag', 0, 0, 5]);
    view.apply(ref.events.at(-1)!);
    expect(view.byNumber('m-a', 1).hit).toBe(false);
    refresh(view, ref);
    // The model is read (someone looked it up): what its pointers name comes back; version 1 waits for a lookup.
    expect(view.byNumber('m-a', 2).hit).toBe(true);
    expect(view.byNumber('m-a', 1).hit).toBe(false);
  });
});
