// Sets a logged model's status, tags or params; returns what it was.
MATCH (m:MlflowLoggedModel {id: $id})
WITH m, m {.status, .tags, .params} AS before
SET m.status = coalesce($status, m.status), m.tags = coalesce($tags, m.tags),
  m.params = coalesce($params, m.params), m.lastUpdatedTime = $now
RETURN before, m {.*} AS model
