// A version's description (source and checksum never change). Returns the one it replaced.
MATCH (v:ModelVersion {id: $versionId})
WITH v, v.description AS before
SET v.description = $description, v.updatedAt = datetime.realtime()
RETURN before, v {.*} AS version
