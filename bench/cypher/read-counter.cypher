// Bench generator: where the global event log stands, so generated events continue it.
MATCH (c:Counter {name: 'events'})
RETURN c.value AS value, c.lastAtMs AS lastAtMs
