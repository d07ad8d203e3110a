// Appends a transaction's events, in order, in one step: the sequence point.
// Taking the write lock on the counter (SET) serialises appends until commit,
// so sequence order is commit order and a transaction's events are one
// contiguous range: a tailer reading "sequence > last" can never skip an
// event that commits later, and the log has no gap (a rolled-back range was
// never taken). `at` is strictly increasing with the sequence (at least 1 ms
// apart), so "what was true at instant T" has exactly one answer.
// Run it as the LAST statement of a transaction, to hold the lock briefly.
MATCH (c:Counter {name: 'events'})
SET c.value = c.value + size($events)
WITH c, c.value - size($events) AS base, datetime.realtime().epochMillis AS now
WITH c, base, CASE WHEN now > c.lastAtMs THEN now ELSE c.lastAtMs + 1 END AS firstMs
SET c.lastAtMs = firstMs + size($events) - 1
WITH base, firstMs
UNWIND range(0, size($events) - 1) AS i
WITH base + 1 + i AS sequence, firstMs + i AS atMs, $events[i] AS e
CREATE (ev:Event {
  sequence: sequence,
  type: e.type,
  atMs: atMs,
  at: datetime({epochMillis: atMs}),
  actor: e.actor,
  modelName: e.modelName,
  version: e.version,
  alias: e.alias,
  subjectId: e.subjectId,
  before: e.before,
  after: e.after
})
RETURN toString(ev.sequence) AS sequence, ev.at AS at
ORDER BY ev.sequence
