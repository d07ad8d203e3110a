// fromSequence: the webhook receives events committed after it exists, not the backlog.
// The signing secret is kept sealed (sealedSecret) when PEDIGREE_SIGNING_SECRET
// is set, else in clear (secret); at most one of the two is non-null (an
// MLflow-dialect webhook may have no secret: its deliveries go unsigned, as
// MLflow's do). $format, $name, $status, $topics: null for a Standard Webhooks
// webhook; MLflow's dialect sets them (topics: MLflow's event names).
MATCH (c:Counter {name: 'events'})
CREATE (w:Webhook {
  fromSequence: c.value,
  id: $id,
  url: $url,
  eventTypes: $eventTypes,
  description: $description,
  secret: $secret,
  sealedSecret: $sealedSecret,
  format: $format,
  name: $name,
  status: $status,
  topics: $topics,
  createdAt: datetime.realtime(),
  updatedAt: datetime.realtime(),
  createdBy: $actor
})
RETURN w.id AS id, w.url AS url, w.eventTypes AS eventTypes, w.description AS description,
       w.createdAt AS createdAt, w.createdBy AS createdBy, w.format AS format, w.name AS name,
       w.status AS status, w.topics AS topics, w.updatedAt AS updatedAt
