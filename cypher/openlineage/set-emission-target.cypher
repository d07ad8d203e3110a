// Creates the emission webhook, or points it at a new URL: from now on each
// registration (VERSION_CREATED) becomes an OpenLineage delivery, retried
// like any webhook's. Created from the current log position: no backlog.
MATCH (c:Counter {name: 'events'})
MERGE (w:Webhook {id: $id})
  ON CREATE SET w.fromSequence = c.value, w.createdAt = datetime.realtime(), w.createdBy = 'system',
                w.secret = $secret, w.sealedSecret = $sealedSecret
SET w.url = $url, w.eventTypes = ['VERSION_CREATED'], w.format = 'openlineage',
    w.description = 'OpenLineage emission (PEDIGREE_OPENLINEAGE_URL): one event per model registration'
RETURN w.id AS id
