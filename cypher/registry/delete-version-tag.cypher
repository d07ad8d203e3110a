// Removes one tag from a version; no row when the version has no such tag.
MATCH (v:ModelVersion {id: $versionId})-[:HAS_TAG]->(t:Tag {key: $key})
SET v.updatedAt = datetime.realtime()
WITH v, t, t.value AS previous
DETACH DELETE t
RETURN v {.*} AS version, previous
