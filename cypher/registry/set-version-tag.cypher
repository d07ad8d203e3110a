// Inserts or updates one tag on a version; returns the value it replaced. The
// SET takes the version's write lock first, so the count of its tags is
// exact: a new key beyond $maxTags is not written (`full`).
MATCH (v:ModelVersion {id: $versionId})
SET v.updatedAt = datetime.realtime()
WITH v
OPTIONAL MATCH (v)-[:HAS_TAG]->(old:Tag {key: $key})
WITH v, old, old.value AS previous, old IS NULL AND COUNT { (v)-[:HAS_TAG]->(:Tag) } >= $maxTags AS full
FOREACH (_ IN CASE WHEN old IS NULL AND NOT full THEN [1] ELSE [] END | CREATE (v)-[:HAS_TAG]->(:Tag {key: $key, value: $value}))
FOREACH (_ IN CASE WHEN old IS NULL THEN [] ELSE [1] END | SET old.value = $value)
RETURN v {.*} AS version, previous, full
