// The model versions a run produced, by model name and version (the
// candidates of model-versions/search with run_id = ...; bounded by $limit).
MATCH (:Run {id: $runId})<-[:PRODUCED_BY]-(v:ModelVersion)
RETURN v {.*} AS version
ORDER BY v.modelName, v.version
LIMIT $limit
