// Takes the write lock of each version a batch of tag changes touches ($ids),
// then reads its tags under it (at most $maxTags + 1 of them), so the batch
// knows each change's previous value and whether a new key still fits.
UNWIND $ids AS id
MATCH (v:ModelVersion {id: id})
SET v.updatedAt = datetime.realtime()
RETURN v.id AS id, COLLECT { MATCH (v)-[:HAS_TAG]->(t:Tag) RETURN [t.key, t.value] AS kv LIMIT $maxTags + 1 } AS tags
