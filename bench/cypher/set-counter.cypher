// Bench generator: leaves the global event counter at the last generated
// sequence, so the app's next appendEvent continues the log without a gap.
MATCH (c:Counter {name: 'events'})
SET c.value = $value, c.lastAtMs = $lastAtMs
RETURN c.value AS value
