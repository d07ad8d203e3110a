// totalCount of searchModelVersions, counted only when a query selects it,
// and only up to $cap matches: the walk stops there (the service asks for
// its cap + 1 to know whether the cap was reached). Candidates and filter as
// in search-versions.cypher.
CALL {
  // candidates: the same text in search-versions.cypher and search-versions-count.cypher
  CALL {
    UNWIND CASE WHEN $start = 'TAG' THEN [1] ELSE [] END AS _
    MATCH (:Tag {key: $tagKey, value: $tagValue})<-[:HAS_TAG]-(v:ModelVersion)
    RETURN v
    UNION ALL
    UNWIND CASE WHEN $start = 'METRIC' THEN [1] ELSE [] END AS _
    MATCH (x:Metric)<-[:HAS_METRIC]-(v:ModelVersion)
    WHERE x.key = $metricKey AND x.value >= $metricMin AND x.value <= $metricMax AND x.segment IS NULL
    RETURN v
    UNION ALL
    UNWIND CASE WHEN $start = 'MODEL' THEN [1] ELSE [] END AS _
    MATCH (v:ModelVersion {modelName: $modelName}) WHERE v.version IS NOT NULL
    RETURN v
    UNION ALL
    UNWIND CASE WHEN $start = 'STAGE' THEN [1] ELSE [] END AS _
    MATCH (v:ModelVersion {stage: $stage})
    RETURN v
    UNION ALL
    UNWIND CASE WHEN $start = 'CREATED' THEN [1] ELSE [] END AS _
    MATCH (v:ModelVersion)
    WHERE v.createdAt >= datetime({epochMillis: $createdLo}) AND v.createdAt < datetime({epochMillis: $createdHi})
    RETURN v
    UNION ALL
    UNWIND CASE WHEN $start = 'SOURCE' THEN [1] ELSE [] END AS _
    MATCH (v:ModelVersion) WHERE v.source STARTS WITH $sourceStart
    RETURN v
    UNION ALL
    UNWIND CASE WHEN $start = 'ALL' THEN [1] ELSE [] END AS _
    MATCH (v:ModelVersion)
    RETURN v
  }
  // :candidates
  WITH v
  // filter: the same text in every search-versions*.cypher (test/unit/search-statements.test.ts)
  WHERE ($modelName IS NULL OR v.modelName = $modelName)
    AND ($stage IS NULL OR v.stage = $stage)
    AND ($createdAfter IS NULL OR v.createdAt > datetime($createdAfter))
    AND ($createdBefore IS NULL OR v.createdAt < datetime($createdBefore))
    AND ($source IS NULL OR v.source = $source)
    AND ($sourcePrefix IS NULL OR v.source STARTS WITH $sourcePrefix)
    AND ($tagKey IS NULL OR EXISTS { (v)-[:HAS_TAG]->(:Tag {key: $tagKey, value: $tagValue}) })
    AND ($metricKey IS NULL OR EXISTS {
      MATCH (v)-[:HAS_METRIC]->(x:Metric {key: $metricKey})
      WHERE x.segment IS NULL AND CASE $metricOp
        WHEN 'GT' THEN x.value > $metricValue
        WHEN 'GTE' THEN x.value >= $metricValue
        WHEN 'LT' THEN x.value < $metricValue
        WHEN 'LTE' THEN x.value <= $metricValue
        ELSE x.value = $metricValue END
    })
  // :filter
  WITH v LIMIT $cap
  RETURN count(v) AS total
}
RETURN total
