import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../src/events/event-record.js';
import { AliasView } from '../../src/registry/view/alias-view.js';
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

/** What the runtime does after a batch: fetch what the view asks for, from the graph as it is now. */
function refresh(view: AliasView, ref: Reference): void {
  const needs = view.needs();
  for (const name of needs.models) {
    const m = ref.modelRecord(name);
    if (m) view.installModel(m);
  }
  for (const k of needs.versions) {
    const v = ref.versionRecord(k.modelName, k.version);
    if (v) view.installVersion(v, { runId: null, tags: [{ key: 'k', value: ref.tagOf(k.modelName, k.version)! }] });
  }
}

function expectAgrees(view: AliasView, ref: Reference): void {
  for (const name of [...NAMES, 'nobody']) {
    for (const alias of [...ALIASES, 'latest']) {
      const got = view.byAlias(name, alias);
      const want = ref.expectedByAlias(name, alias);
      // A found version is answered; "none" (no model, no such alias) is asked of Neo4j.
      expect(got.hit, `${name}@${alias}`).toBe(want !== 'no-model' && want !== null);
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
      expect(got.hit, `${name}/${stage}`).toBe(want !== 'no-model' && want !== null);
      if (!got.hit) continue;
      expect(got.version?.version).toBe(want);
    }
    const m = ref.models.get(name);
    for (let n = 1; n <= (m?.counter ?? 0) + 1; n++) {
      const got = view.byNumber(name, n);
      if (!got.hit) continue; // a version no pointer names, or none: read from Neo4j
      expect(m?.versions.has(n)).toBe(true);
      expect(got.version?.version).toBe(n);
      if (got.version) expect(got.version.stage).toBe(m!.versions.get(n)!.stage);
    }
  }
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
        const view = new AliasView();
        let applied = 0;
        let c = 0;
        for (const o of ops) {
          ref.run(o);
          // Apply what the log has in batches of random size, refreshing after each.
          if ((cuts[c++ % Math.max(cuts.length, 1)] ?? 0) === 0) {
            for (; applied < ref.events.length; applied++) view.apply(ref.events[applied]!);
            refresh(view, ref);
          }
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
        const view = new AliasView();
        snapshots[k]!.load(view);
        // The build reads the named versions' records after the pages, from the graph as it is then
        // (here: as late as can be, the final state), then applies every event after C.
        refresh(view, ref);
        for (const e of ref.events.slice(c)) view.apply(e);
        refresh(view, ref);
        expectAgrees(view, ref);
      }),
      { numRuns: 300 },
    );
  });

  it('serves no record an applied event may have changed until the refresh installs it', () => {
    const ref = new Reference();
    const view = new AliasView();
    for (const o of [
      ['createModel', 0, 0, 0],
      ['createVersion', 0, 0, 0],
      ['setAlias', 0, 0, 0],
    ] as Op[])
      ref.run(o);
    for (const e of ref.events) view.apply(e);
    refresh(view, ref);
    expect(view.byAlias('m-a', 'production')).toMatchObject({
      hit: true,
      version: { version: 1, stage: 'DEVELOPMENT' },
    });
    ref.run(['stage', 0, 0, 1]);
    view.apply(ref.events.at(-1)!);
    expect(view.byAlias('m-a', 'production').hit).toBe(false);
    refresh(view, ref);
    expect(view.byAlias('m-a', 'production')).toMatchObject({ hit: true, version: { version: 1, stage: 'STAGING' } });
  });

  it('holds a version looked up by number only when asked, and forgets it when an event touches it', () => {
    const ref = new Reference();
    const view = new AliasView();
    for (const o of [
      ['createModel', 0, 0, 0],
      ['createVersion', 0, 0, 0],
      ['createVersion', 0, 0, 0],
    ] as Op[])
      ref.run(o);
    for (const e of ref.events) view.apply(e);
    refresh(view, ref);
    // Version 1 is named by nothing (latest is 2, and 2 is the newest DEVELOPMENT version).
    expect(view.byNumber('m-a', 1).hit).toBe(false);
    expect(view.byNumber('m-a', 3).hit).toBe(false); // no such version: Neo4j answers it
    expect(view.want('m-a', 1)).toBe(true);
    refresh(view, ref);
    expect(view.byNumber('m-a', 1)).toMatchObject({ hit: true, version: { version: 1 } });
    ref.run(['tag', 0, 0, 5]);
    view.apply(ref.events.at(-1)!);
    expect(view.byNumber('m-a', 1).hit).toBe(false);
    expect(view.stats().cachedVersions).toBe(0);
  });
});
