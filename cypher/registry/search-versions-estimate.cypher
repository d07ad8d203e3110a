// How many versions each filter that can start a search could match, each
// read from its own index and counted only up to $cap (null: not filtered):
// the service starts a search from the smallest, and walks an ordering's
// index instead when even that one is large. Upper bounds: a tag's or
// metric's count includes models' tags, runs' metrics and segments, and
// ignores the rest of the filter. `versions` is Neo4j's count of them all.
CALL {
  MATCH (v:ModelVersion)
  RETURN count(v) AS versions
}
RETURN versions,
  CASE WHEN $tagKey IS NULL THEN null ELSE COUNT {
    MATCH (t:Tag {key: $tagKey, value: $tagValue})
    WITH t LIMIT $cap
    RETURN t
  } END AS tag,
  CASE WHEN $metricKey IS NULL THEN null ELSE COUNT {
    MATCH (x:Metric)
    WHERE x.key = $metricKey AND x.value >= $metricMin AND x.value <= $metricMax
    WITH x LIMIT $cap
    RETURN x
  } END AS metric,
  CASE WHEN $modelName IS NULL THEN null ELSE COUNT {
    MATCH (v:ModelVersion {modelName: $modelName})
    WHERE v.version IS NOT NULL
    WITH v LIMIT $cap
    RETURN v
  } END AS model,
  CASE WHEN $stage IS NULL THEN null ELSE COUNT {
    MATCH (v:ModelVersion {stage: $stage})
    WITH v LIMIT $cap
    RETURN v
  } END AS stage,
  CASE WHEN $createdAfter IS NULL AND $createdBefore IS NULL THEN null ELSE COUNT {
    MATCH (v:ModelVersion)
    WHERE v.createdAt >= datetime({epochMillis: $createdLo}) AND v.createdAt < datetime({epochMillis: $createdHi})
    WITH v LIMIT $cap
    RETURN v
  } END AS created,
  CASE WHEN $sourceStart IS NULL THEN null ELSE COUNT {
    MATCH (v:ModelVersion)
    WHERE v.source STARTS WITH $sourceStart
    WITH v LIMIT $cap
    RETURN v
  } END AS source
