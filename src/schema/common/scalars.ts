import { DateTimeResolver, JSONResolver } from 'graphql-scalars';

/**
 * `DateTime`: RFC 3339 / ISO 8601 instants. Resolvers return ISO strings (the
 * graph edge maps Neo4j temporals to them); arguments arrive as JS Dates.
 */
export const DateTimeScalar = DateTimeResolver;

/** `JSON`: free-form values such as an event's before/after. */
export const JSONScalar = JSONResolver;
