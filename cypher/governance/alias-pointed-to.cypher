// Did the alias ever point to this version node (an ALIAS_SET or ROLLBACK
// event about it says so, whatever the model was called then), and where does
// it point now?
OPTIONAL MATCH (e:Event {subjectId: $versionId})
WHERE e.type IN ['ALIAS_SET', 'ROLLBACK'] AND e.alias = $alias
WITH count(e) > 0 AS pointedBefore
OPTIONAL MATCH (:RegisteredModel {id: $modelId})<-[:ALIAS_OF]-(:Alias {name: $alias})-[:POINTS_TO]->(v:ModelVersion)
RETURN pointedBefore, v.version AS current
