// Records one archival checklist item as done for a version (again: the
// evidence is replaced), by a named principal.
MATCH (v:ModelVersion {id: $versionId})
MERGE (c:ChecklistCompletion {key: $versionId + ':' + $item})
ON CREATE SET c.item = $item
SET c.uri = $uri, c.summary = $summary, c.by = $actor, c.at = datetime.realtime()
MERGE (c)-[:CHECKLIST_ITEM_OF]->(v)
RETURN c.key AS key
