// Moves versions to a stage. The expected current stage guards against a
// change that happened since the gate was evaluated.
UNWIND $changes AS c
MATCH (v:ModelVersion {id: c.versionId})
WHERE v.stage = c.from
SET v.stage = $stage,
    v.updatedAt = datetime.realtime(),
    v.everProduction = v.everProduction OR $stage = 'PRODUCTION'
RETURN v {.*} AS version
