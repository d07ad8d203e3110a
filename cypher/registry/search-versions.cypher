// Searches model versions, any ordering: the plan for orderings no index
// gives (two sort keys, a metric other than the filtered one, ...), for
// filters that match few versions, and the fallback of the ordered walks
// (search-versions-by-*.cypher). The candidates come from the filter $start
// names (the service picks the one with the fewest, from
// search-versions-estimate.cypher; ALL reads every version), each version
// once (so UNION ALL: no set of seen rows); the whole filter then applies.
// $createdLo/$createdHi (epoch ms, inclusive/exclusive) bound the CREATED
// start, which may be narrower than the filter's createdAfter/createdBefore
// (the walks complete a millisecond's versions through it).
//
// Ordering: up to two numeric sort keys (direction folded into the sign,
// missing values last), then model name and version; keyset paging on that
// tuple ($cursor = [k1, k2, modelName, version]). Neo4j sorts all the
// filtered candidates, then keeps $limit: time and memory follow the
// candidates, which is why the service sends a search here only when they are
// few (or no walk can answer it).
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
  WITH v, [o IN $orderBy | o.sign * CASE o.field
      WHEN 'VERSION' THEN toFloat(v.version)
      WHEN 'CREATED_AT' THEN toFloat(v.createdAt.epochMillis)
      ELSE COLLECT { MATCH (v)-[:HAS_METRIC]->(x:Metric {key: o.metricKey}) WHERE x.segment IS NULL RETURN x.value }[0]
    END] AS raw
  WITH v, [k IN raw | coalesce(k, 1.0e308)] + [1.0e308, 1.0e308] AS keys
  WITH v, keys[0] AS k1, keys[1] AS k2
  // keyset: the same text in every search-versions*.cypher that pages
  WHERE $cursor IS NULL
    OR k1 > $cursor[0]
    OR (k1 = $cursor[0] AND (k2 > $cursor[1]
      OR (k2 = $cursor[1] AND (v.modelName > $cursor[2]
        OR (v.modelName = $cursor[2] AND v.version > $cursor[3])))))
  // :keyset
  WITH v, k1, k2 ORDER BY k1, k2, v.modelName, v.version LIMIT $limit
  RETURN collect({version: v {.*}, key: [k1, k2, v.modelName, v.version]}) AS page
}
RETURN page
