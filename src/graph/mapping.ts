import neo4j from 'neo4j-driver';

/**
 * Maps values coming out of the driver to plain JS at the graph edge, so the
 * domain never sees driver Integers, temporals, nodes or relationships.
 * Integers become numbers (an out-of-range one is an error: statements that
 * return 64-bit counters such as event sequences return `toString(...)`);
 * temporals become ISO 8601 strings in UTC with millisecond precision.
 */
export function toJs(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (neo4j.isInt(value)) {
    if (!neo4j.integer.inSafeRange(value)) {
      throw new Error(`integer ${value.toString()} is outside JS's safe range; return it with toString() in Cypher`);
    }
    return value.toNumber();
  }
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(toJs);
  if (neo4j.isDateTime(value) || neo4j.isLocalDateTime(value) || neo4j.isDate(value)) {
    return new Date(value.toString()).toISOString();
  }
  if (neo4j.isNode(value) || neo4j.isRelationship(value)) return toJs(value.properties);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = toJs(v);
    return out;
  }
  return value;
}

export type Params = Record<string, unknown>;

/**
 * Parameters into the driver: JS integers become Neo4j Integers (the driver
 * would otherwise send every number as a float, and 1.0 is not the key 1 in a
 * uniqueness constraint). Statements that store a float take `toFloat($x)`;
 * instants travel as ISO strings and are read with `datetime($x)`.
 */
export function toParams(value: unknown): unknown {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return neo4j.int(value);
  if (Array.isArray(value)) return value.map(toParams);
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toParams(v);
    return out;
  }
  return value;
}
