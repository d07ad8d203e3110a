// A page of a deployment's DEPLOYMENT_RECORDED events, oldest first: the
// record in force at sequence $after (none on the first page) and at most
// $limit records after it. The caller adds the moves of the aliases those
// records follow, each narrowed to its record's interval.
MATCH (d:Deployment {name: $name})
WITH d, toInteger($after) AS after
RETURN d {.*} AS deployment,
  COLLECT {
    MATCH (e:Event {subjectId: d.id}) WHERE e.type = $type AND after IS NOT NULL AND e.sequence <= after
    RETURN {after: e.after, at: e.at, actor: e.actor, sequence: toString(e.sequence)} ORDER BY e.sequence DESC
    LIMIT 1
  } AS inForce,
  COLLECT {
    MATCH (e:Event {subjectId: d.id}) WHERE e.type = $type AND (after IS NULL OR e.sequence > after)
    RETURN {after: e.after, at: e.at, actor: e.actor, sequence: toString(e.sequence)} ORDER BY e.sequence
    LIMIT $limit
  } AS records
