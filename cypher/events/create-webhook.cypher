// fromSequence: the webhook receives events committed after it exists, not the backlog.
// The signing secret is kept sealed (sealedSecret) when PEDIGREE_SIGNING_SECRET
// is set, else in clear (secret); exactly one of the two is non-null.
MATCH (c:Counter {name: 'events'})
CREATE (w:Webhook {
  fromSequence: c.value,
  id: $id,
  url: $url,
  eventTypes: $eventTypes,
  description: $description,
  secret: $secret,
  sealedSecret: $sealedSecret,
  createdAt: datetime.realtime(),
  createdBy: $actor
})
RETURN w.id AS id, w.url AS url, w.eventTypes AS eventTypes, w.description AS description,
       w.createdAt AS createdAt, w.createdBy AS createdBy
