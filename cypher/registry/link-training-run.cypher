// Links a version registered without a training run to the run that produced
// its artifact, with the fingerprint computed from that run.
MATCH (v:ModelVersion {id: $versionId})
MATCH (r:Run {id: $runId})
CREATE (v)-[:PRODUCED_BY]->(r)
SET v.fingerprint = $fingerprint, v.updatedAt = datetime.realtime()
RETURN v {.*} AS version
