// Moves versions to a stage. The expected current stage guards against a
// change that happened since the gate was evaluated. Leaving PRODUCTION is
// timed (leftProductionAt): the version is kept for the retention period after.
UNWIND $changes AS c
MATCH (v:ModelVersion {id: c.versionId})
WHERE v.stage = c.from
SET v.leftProductionAt = CASE WHEN c.from = 'PRODUCTION' AND $stage <> 'PRODUCTION' THEN datetime.realtime() ELSE v.leftProductionAt END,
    v.stage = $stage,
    v.updatedAt = datetime.realtime(),
    v.everProduction = v.everProduction OR $stage = 'PRODUCTION'
RETURN v {.*} AS version
