// The last good version behind an alias: the newest version it pointed to
// before its current one (from the alias events), with the current one.
MATCH (cur:Alias {modelName: $modelName, name: $alias})-[:POINTS_TO]->(now:ModelVersion)
WITH now, COLLECT {
  MATCH (e:Event)
  WHERE e.modelName = $modelName AND e.alias = $alias AND e.type IN $types AND e.version IS NOT NULL AND e.version <> now.version
  RETURN e.version ORDER BY e.sequence DESC LIMIT 1
}[0] AS previous
OPTIONAL MATCH (target:ModelVersion {modelName: $modelName, version: previous})
RETURN now {.*} AS current, target {.*} AS target
