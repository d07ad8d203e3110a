// Appends one event in the caller's transaction. Taking the write lock on the
// counter (SET) serialises appends until commit, so sequence order is commit
// order: a tailer reading "sequence > last" can never skip an event that
// commits later. `at` is strictly increasing with the sequence (at least 1 ms
// apart), so "what was true at instant T" has exactly one answer.
// Run it as the LAST statement of a transaction, to hold the lock briefly.
MATCH (c:Counter {name: 'events'})
SET c.value = c.value + 1
WITH c, datetime.realtime().epochMillis AS now
WITH c, CASE WHEN now > c.lastAtMs THEN now ELSE c.lastAtMs + 1 END AS atMs
SET c.lastAtMs = atMs
CREATE (e:Event {
  sequence: c.value,
  type: $type,
  atMs: atMs,
  at: datetime({epochMillis: atMs}),
  actor: $actor,
  modelName: $modelName,
  version: $version,
  alias: $alias,
  subjectId: $subjectId,
  before: $before,
  after: $after
})
RETURN toString(e.sequence) AS sequence, e.at AS at
