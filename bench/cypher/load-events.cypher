// Bench generator: the Event (outbox) nodes for one batch of generated
// records, shaped exactly as cypher/events/append-events.cypher writes them.
// Sequences and atMs are assigned by the generator, strictly increasing.
UNWIND $rows AS r
CREATE (:Event {
  sequence: r.sequence,
  type: r.type,
  atMs: r.atMs,
  at: datetime({epochMillis: r.atMs}),
  actor: r.actor,
  modelName: r.modelName,
  version: r.version,
  alias: r.alias,
  subjectId: r.subjectId,
  before: r.before,
  after: r.after
})
