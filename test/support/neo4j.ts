import neo4j, { type Driver } from 'neo4j-driver';
import { inject } from 'vitest';

/**
 * The run's Neo4j as environment for loadConfig or a child process:
 * NEO4J_URI and its credentials (the embedded Neo4j's per-start password).
 */
export function testNeo4jEnv(): { NEO4J_URI: string; NEO4J_USER: string; NEO4J_PASSWORD: string } {
  return { NEO4J_URI: inject('neo4jUri'), NEO4J_USER: inject('neo4jUser'), NEO4J_PASSWORD: inject('neo4jPassword') };
}

/** A driver on the run's Neo4j, for tests that read the graph directly. Close it. */
export function testDriver(): Driver {
  return neo4j.driver(inject('neo4jUri'), neo4j.auth.basic(inject('neo4jUser'), inject('neo4jPassword')));
}
