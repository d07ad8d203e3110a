// Writes each tag of a batch to its final value ($tags: one per distinct
// (version, key), the versions locked by registry/lock-version-tags in this
// transaction); returns each version as it now is.
UNWIND $tags AS x
MATCH (v:ModelVersion {id: x.versionId})
OPTIONAL MATCH (v)-[:HAS_TAG]->(old:Tag {key: x.key})
FOREACH (_ IN CASE WHEN old IS NULL THEN [1] ELSE [] END | CREATE (v)-[:HAS_TAG]->(:Tag {key: x.key, value: x.value}))
FOREACH (_ IN CASE WHEN old IS NULL THEN [] ELSE [1] END | SET old.value = x.value)
RETURN DISTINCT v.id AS id, v {.*} AS version
