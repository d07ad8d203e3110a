// The last move of an alias at or before an instant, and the version it left
// the alias on (none after a delete).
MATCH (e:Event)
WHERE e.modelName = $modelName AND e.alias = $alias AND e.type IN $types AND e.at <= datetime($at)
WITH e ORDER BY e.sequence DESC LIMIT 1
OPTIONAL MATCH (v:ModelVersion {modelName: $modelName, version: e.version})
RETURN e.type AS type, v {.*} AS version
