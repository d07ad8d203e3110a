// The webhook OpenLineage emission delivers through (id 'openlineage-emission'), if any.
OPTIONAL MATCH (w:Webhook {id: $id})
RETURN w.url AS url
