// Batch: for each {name, at}, the deployment and its last DEPLOYMENT_RECORDED
// event at or before `at` (null before its first record). One row per key.
UNWIND range(0, size($keys) - 1) AS i
WITH i, $keys[i] AS key
OPTIONAL MATCH (d:Deployment {name: key.name})
WITH i, d, CASE WHEN d IS NULL THEN null ELSE COLLECT {
  MATCH (e:Event {subjectId: d.id})
  WHERE e.type = $type AND e.at <= datetime(key.at)
  RETURN e ORDER BY e.sequence DESC LIMIT 1
}[0] END AS e
RETURN i, d {.*} AS deployment,
  CASE WHEN e IS NULL THEN null ELSE {after: e.after, at: e.at, actor: e.actor, sequence: toString(e.sequence)} END AS record
ORDER BY i
