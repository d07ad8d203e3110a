// Deletes the model, its versions, aliases, tags, metrics, evidence and checklist completions. Runs,
// datasets and predictions stay: they belong to the provenance graph.
MATCH (m:RegisteredModel {name: $name})
OPTIONAL MATCH (v:ModelVersion)-[:VERSION_OF]->(m)
OPTIONAL MATCH (v)-[:HAS_TAG|HAS_METRIC|HAS_EVIDENCE]->(vd)
OPTIONAL MATCH (v)<-[:CHECKLIST_ITEM_OF]-(vc:ChecklistCompletion)
WITH m, collect(DISTINCT v) AS versions, collect(DISTINCT vd) + collect(DISTINCT vc) AS versionDetails
OPTIONAL MATCH (a:Alias)-[:ALIAS_OF]->(m)
OPTIONAL MATCH (m)-[:HAS_TAG]->(t:Tag)
WITH m, versions, versionDetails, collect(DISTINCT a) AS aliases, collect(DISTINCT t) AS tags
FOREACH (n IN versionDetails + aliases + tags + versions | DETACH DELETE n)
DETACH DELETE m
RETURN size(versions) AS versions
