// Deletes one version with its tags, metrics, evidence and checklist completions, and the aliases
// that point at it. Runs and datasets stay: they belong to the provenance graph.
MATCH (v:ModelVersion {id: $versionId})
OPTIONAL MATCH (v)-[:HAS_TAG|HAS_METRIC|HAS_EVIDENCE]->(d)
OPTIONAL MATCH (v)<-[:CHECKLIST_ITEM_OF]-(c:ChecklistCompletion)
OPTIONAL MATCH (a:Alias)-[:POINTS_TO]->(v)
WITH v, collect(DISTINCT d) + collect(DISTINCT c) AS details, collect(DISTINCT a) AS aliases
FOREACH (n IN details + aliases | DETACH DELETE n)
DETACH DELETE v
RETURN size(aliases) AS aliases
