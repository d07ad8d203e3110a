// Every DEPLOYMENT_RECORDED event of a deployment, oldest first, and the alias
// moves of the aliases those records follow (the caller narrows them to each
// record's interval).
MATCH (d:Deployment {name: $name})
WITH d, COLLECT {
  MATCH (e:Event {subjectId: d.id}) WHERE e.type = $type
  RETURN {after: e.after, at: e.at, actor: e.actor, sequence: toString(e.sequence)} ORDER BY e.sequence
} AS records
RETURN d {.*} AS deployment, records
