// searchModelVersions ordered by model name and version (no orderBy): a walk
// of the (modelName, version) index from $from to $to in that order, which is
// the page's order, so it stops at the $limit-th match. It walks at most
// $budget versions: `cut` says it stopped there before it had the page or
// the range's end, and the service then asks search-versions.cypher.
CALL {
  MATCH (v:ModelVersion)
  WHERE v.modelName >= $from AND v.modelName <= $to AND v.version IS NOT NULL
  WITH v ORDER BY v.modelName, v.version LIMIT $budget
  WITH v, 1.0e308 AS k1, 1.0e308 AS k2
  // keyset: the same text in every search-versions*.cypher that pages
  WHERE $cursor IS NULL
    OR k1 > $cursor[0]
    OR (k1 = $cursor[0] AND (k2 > $cursor[1]
      OR (k2 = $cursor[1] AND (v.modelName > $cursor[2]
        OR (v.modelName = $cursor[2] AND v.version > $cursor[3])))))
  // :keyset
  WITH v, k1, k2
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
  WITH v, k1, k2 ORDER BY v.modelName, v.version LIMIT $limit
  RETURN collect({version: v {.*}, key: [k1, k2, v.modelName, v.version]}) AS page
}
// Fewer than $limit matches: the walk ended at the range's end or at $budget.
CALL (page) {
  UNWIND CASE WHEN size(page) < $limit THEN [1] ELSE [] END AS _
  MATCH (w:ModelVersion)
  WHERE w.modelName >= $from AND w.modelName <= $to AND w.version IS NOT NULL
  WITH w LIMIT $budget + 1
  RETURN count(w) > $budget AS cut
}
RETURN page, cut
