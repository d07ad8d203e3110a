// Did the alias ever point to this version (an ALIAS_SET or ROLLBACK event
// says so), and where does it point now?
OPTIONAL MATCH (e:Event {modelName: $modelName, alias: $alias})
WHERE e.type IN ['ALIAS_SET', 'ROLLBACK'] AND e.version = $version
WITH count(e) > 0 AS pointedBefore
OPTIONAL MATCH (:Alias {modelName: $modelName, name: $alias})-[:POINTS_TO]->(v:ModelVersion)
RETURN pointedBefore, v.version AS current
