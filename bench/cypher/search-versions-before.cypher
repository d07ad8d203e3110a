// The search statement as it was before bounded searches (main at 9372bf8): it counted every
// match and sorted every match, for every query. Kept only for bench/probes/search-before-after.ts,
// which runs it beside src/registry/version-search.ts on one graph.
// Searches model versions. The start of the match is chosen by the most
// selective filter given (tag, then metric, then model, else all versions; the
// UNWIND guards switch the other branches off); UNION deduplicates. $source /
// $sourcePrefix narrow by the version's source (MLflow's source_path = / LIKE 'x%'). The
// metric branch seeks the (key, value) index by the threshold's closed range. Ordering is by up to two numeric sort keys (direction
// folded into the sign, missing values last), then model name and version, and
// pages by keyset on that tuple ($cursor = [k1, k2, modelName, version]).
//
// Memory stays bounded however many versions match: the matches are walked
// twice, once to count them and once for the page, which keeps only the
// $limit best rows (a top-N sort). Collecting the matches instead (one pass)
// needs memory in proportion to them, and an unfiltered search over 122,700
// versions overran Neo4j's transaction memory limit that way
// (bench/probes/search-memory.ts). The two CALL blocks therefore repeat the
// same candidate and filter text; change them together.
CALL {
  CALL {
    UNWIND CASE WHEN $tagKey IS NOT NULL THEN [1] ELSE [] END AS _
    MATCH (:Tag {key: $tagKey, value: $tagValue})<-[:HAS_TAG]-(v:ModelVersion)
    RETURN v
    UNION
    UNWIND CASE WHEN $tagKey IS NULL AND $metricKey IS NOT NULL THEN [1] ELSE [] END AS _
    MATCH (x:Metric)<-[:HAS_METRIC]-(v:ModelVersion)
    WHERE x.key = $metricKey AND x.value >= $metricMin AND x.value <= $metricMax AND x.segment IS NULL
    RETURN v
    UNION
    UNWIND CASE WHEN $tagKey IS NULL AND $metricKey IS NULL AND $modelName IS NOT NULL THEN [1] ELSE [] END AS _
    MATCH (v:ModelVersion {modelName: $modelName}) WHERE v.version IS NOT NULL
    RETURN v
    UNION
    UNWIND CASE WHEN $tagKey IS NULL AND $metricKey IS NULL AND $modelName IS NULL THEN [1] ELSE [] END AS _
    MATCH (v:ModelVersion)
    RETURN v
  }
  WITH v
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
  RETURN count(v) AS total
}
CALL {
  CALL {
    UNWIND CASE WHEN $tagKey IS NOT NULL THEN [1] ELSE [] END AS _
    MATCH (:Tag {key: $tagKey, value: $tagValue})<-[:HAS_TAG]-(v:ModelVersion)
    RETURN v
    UNION
    UNWIND CASE WHEN $tagKey IS NULL AND $metricKey IS NOT NULL THEN [1] ELSE [] END AS _
    MATCH (x:Metric)<-[:HAS_METRIC]-(v:ModelVersion)
    WHERE x.key = $metricKey AND x.value >= $metricMin AND x.value <= $metricMax AND x.segment IS NULL
    RETURN v
    UNION
    UNWIND CASE WHEN $tagKey IS NULL AND $metricKey IS NULL AND $modelName IS NOT NULL THEN [1] ELSE [] END AS _
    MATCH (v:ModelVersion {modelName: $modelName}) WHERE v.version IS NOT NULL
    RETURN v
    UNION
    UNWIND CASE WHEN $tagKey IS NULL AND $metricKey IS NULL AND $modelName IS NULL THEN [1] ELSE [] END AS _
    MATCH (v:ModelVersion)
    RETURN v
  }
  WITH v
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
  WITH v, [o IN $orderBy | o.sign * CASE o.field
      WHEN 'VERSION' THEN toFloat(v.version)
      WHEN 'CREATED_AT' THEN toFloat(v.createdAt.epochMillis)
      ELSE COLLECT { MATCH (v)-[:HAS_METRIC]->(x:Metric {key: o.metricKey}) WHERE x.segment IS NULL RETURN x.value }[0]
    END] AS raw
  WITH v, [k IN raw | coalesce(k, 1.0e308)] + [1.0e308, 1.0e308] AS keys
  WITH v, keys[0] AS k1, keys[1] AS k2
  WITH v, k1, k2
  WHERE $cursor IS NULL
    OR k1 > $cursor[0]
    OR (k1 = $cursor[0] AND (k2 > $cursor[1]
      OR (k2 = $cursor[1] AND (v.modelName > $cursor[2]
        OR (v.modelName = $cursor[2] AND v.version > $cursor[3])))))
  WITH v, k1, k2 ORDER BY k1, k2, v.modelName, v.version LIMIT $limit
  RETURN collect({version: v {.*}, key: [k1, k2, v.modelName, v.version]}) AS page
}
RETURN total, page
