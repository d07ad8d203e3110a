import fc from 'fast-check';
import neo4j from 'neo4j-driver';
import { describe, expect, it } from 'vitest';
import {
  decodeValue,
  encodeValue,
  type Encoded,
  type NodeRecord,
  type RelationshipRecord,
} from '../../src/graph/snapshot.js';
import { GraphDigest } from '../../src/backup/digest.js';
import { isSchemaStatement } from '../../src/backup/restore.js';
import { loadMigrations } from '../../src/graph/cypher.js';

/** Every kind of value a Neo4j property can hold, as the driver hands it over. */
const propertyValue = fc.oneof(
  fc.string(),
  fc.boolean(),
  fc.double(),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((b) => neo4j.int(b.toString())),
  fc.array(fc.double({ noNaN: true }), { maxLength: 4 }),
  fc.array(
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((b) => neo4j.int(b.toString())),
    { maxLength: 4 },
  ),
  fc.array(fc.string(), { maxLength: 4 }),
  fc.uint8Array({ maxLength: 16 }).map((b) => new Int8Array(b.buffer)),
  fc
    .record({
      y: fc.integer({ min: 1, max: 9999 }),
      mo: fc.integer({ min: 1, max: 12 }),
      d: fc.integer({ min: 1, max: 28 }),
      h: fc.integer({ min: 0, max: 23 }),
      mi: fc.integer({ min: 0, max: 59 }),
      s: fc.integer({ min: 0, max: 59 }),
      ns: fc.integer({ min: 0, max: 999_999_999 }),
      off: fc.integer({ min: -64800, max: 64800 }),
    })
    .chain((t) =>
      fc.constantFrom(
        new neo4j.types.DateTime(t.y, t.mo, t.d, t.h, t.mi, t.s, t.ns, t.off),
        new neo4j.types.DateTime(t.y, t.mo, t.d, t.h, t.mi, t.s, t.ns, undefined, 'Europe/Paris'),
        new neo4j.types.LocalDateTime(t.y, t.mo, t.d, t.h, t.mi, t.s, t.ns),
        new neo4j.types.Date(t.y, t.mo, t.d),
        new neo4j.types.Time(t.h, t.mi, t.s, t.ns, t.off),
        new neo4j.types.LocalTime(t.h, t.mi, t.s, t.ns),
        new neo4j.types.Duration(t.mo, t.d, t.s, t.ns),
        new neo4j.types.Point(4326, t.off / 1000, t.mi),
        new neo4j.types.Point(9157, t.s, t.mi, t.h),
      ),
    ),
);

describe('backup value encoding', () => {
  it('decodes exactly what it encoded, through JSON, for every property type', () => {
    fc.assert(
      fc.property(propertyValue, (v) => {
        const e = encodeValue(v);
        const back = decodeValue(JSON.parse(JSON.stringify(e)) as Encoded);
        // Equal after a second encoding: same type, same components (Integer vs float, zone vs offset kept).
        expect(encodeValue(back)).toEqual(e);
        if (typeof v === 'number')
          expect(Object.is(back, v) || (Number.isNaN(v) && Number.isNaN(back as number))).toBe(true);
      }),
    );
  });

  it('keeps an integer and the float of the same value apart', () => {
    expect(encodeValue(neo4j.int(1))).toEqual({ i: '1' });
    expect(encodeValue(1)).toBe(1);
    expect(neo4j.isInt(decodeValue({ i: '9223372036854775807' }))).toBe(true);
    expect(decodeValue({ i: '9223372036854775807' })!.toString()).toBe('9223372036854775807');
    expect(typeof decodeValue(1)).toBe('number');
  });

  it('refuses what it cannot have written', () => {
    expect(() => decodeValue({ x: 1 } as Encoded)).toThrow(/unknown encoded property tag "x"/);
    expect(() => decodeValue({ i: '1', f: '2' } as Encoded)).toThrow(/not an encoded property value/);
    expect(() => encodeValue(new Map())).toThrow(/cannot be backed up/);
  });
});

const node = (id: string, labels: string[], props: Record<string, Encoded>): NodeRecord => ({ id, labels, props });
const rel = (
  id: string,
  type: string,
  a: string,
  b: string,
  props: Record<string, Encoded> = {},
): RelationshipRecord => ({ id, type, a, b, props });

describe('graph digest', () => {
  const graph = fc
    .array(
      fc.record({
        labels: fc.uniqueArray(fc.constantFrom('A', 'B', 'C'), { maxLength: 2 }),
        x: fc.integer({ min: 0, max: 3 }),
      }),
      { minLength: 1, maxLength: 8 },
    )
    .chain((ns) =>
      fc.tuple(
        fc.constant(ns),
        fc.array(
          fc.record({
            a: fc.nat(ns.length - 1),
            b: fc.nat(ns.length - 1),
            t: fc.constantFrom('R', 'S'),
            w: fc.integer({ min: 0, max: 2 }),
          }),
          { maxLength: 10 },
        ),
      ),
    );

  const digestOf = (ns: NodeRecord[], rs: RelationshipRecord[]) => {
    const d = new GraphDigest();
    ns.forEach((n) => d.addNode(n));
    rs.forEach((r) => d.addRelationship(r));
    return d.digest();
  };

  it('does not depend on element ids, record order or property order (a restore renumbers everything)', () => {
    fc.assert(
      fc.property(graph, fc.integer(), ([ns, rs], seed) => {
        const nodes = ns.map((n, i) => node(`n${i}`, n.labels, { x: { i: String(n.x) }, name: `node-${n.x}` }));
        const rels = rs.map((r, i) => rel(`r${i}`, r.t, `n${r.a}`, `n${r.b}`, { w: r.w }));
        // The same graph with new ids, shuffled, properties and labels in another order.
        const rename = (id: string) => `4:other-db:${id}`;
        const shuffled = <T>(xs: T[]) =>
          xs
            .map((x, i) => [(i * 7919 + seed) % 104729, x] as const)
            .sort(([p], [q]) => p - q)
            .map(([, x]) => x);
        const nodes2 = shuffled(nodes).map((n) =>
          node(rename(n.id), [...n.labels].reverse(), { name: n.props.name!, x: n.props.x! }),
        );
        const rels2 = shuffled(rels).map((r) => rel(rename(r.id), r.type, rename(r.a), rename(r.b), r.props));
        expect(digestOf(nodes2, rels2)).toBe(digestOf(nodes, rels));
      }),
    );
  });

  it('changes with any property, label, type or end', () => {
    const base = [node('1', ['A'], { x: 1 }), node('2', ['B'], { x: 2 })];
    const d = digestOf(base, [rel('r', 'R', '1', '2')]);
    expect(digestOf([node('1', ['A'], { x: 1.5 }), base[1]!], [rel('r', 'R', '1', '2')])).not.toBe(d);
    expect(digestOf([node('1', ['A'], { x: { i: '1' } }), base[1]!], [rel('r', 'R', '1', '2')])).not.toBe(d);
    expect(digestOf([node('1', ['C'], { x: 1 }), base[1]!], [rel('r', 'R', '1', '2')])).not.toBe(d);
    expect(digestOf(base, [rel('r', 'S', '1', '2')])).not.toBe(d);
    expect(digestOf(base, [rel('r', 'R', '2', '1')])).not.toBe(d);
    expect(digestOf(base, [rel('r', 'R', '1', '2', { w: 1 })])).not.toBe(d);
    expect(digestOf(base, [])).not.toBe(d);
  });

  it('refuses a relationship whose end is not among the nodes, and nodes after relationships', () => {
    const d = new GraphDigest();
    d.addNode(node('1', [], {}));
    expect(() => d.addRelationship(rel('r', 'R', '1', '9'))).toThrow(/has an end that is not among the nodes: 9/);
    expect(() => d.addNode(node('2', [], {}))).toThrow(/before the first relationship/);
  });
});

describe('restore: schema statements of migrations', () => {
  it('picks exactly the constraint and index statements (their data statements are in the backup)', () => {
    const all = loadMigrations().flatMap((m) => m.statements);
    const schema = all.filter(isSchemaStatement);
    expect(schema.length).toBeGreaterThan(10);
    for (const s of schema)
      expect(s).toMatch(/^CREATE (CONSTRAINT|INDEX|RANGE INDEX|TEXT INDEX|FULLTEXT INDEX|POINT INDEX)/);
    for (const s of all.filter((x) => !isSchemaStatement(x)))
      expect(s).not.toMatch(/^\s*(CREATE|DROP)\s+(\w+\s+)?(CONSTRAINT|INDEX)\b/i);
  });
});
