// searchModelVersions ordered by version number ascending (one orderBy
// entry, VERSION ASC): a walk of the (version, modelName) index over
// [$lo, $hi] in the page's own order, so it stops at the $limit-th match. At
// most $budget versions are walked; `cut` says a short page may have stopped
// there before the range's end: the service then asks search-versions.cypher.
CALL {
  MATCH (v:ModelVersion)
  WHERE v.version >= $lo AND v.version <= $hi AND v.modelName IS NOT NULL
  WITH v ORDER BY v.version, v.modelName LIMIT $budget
  WITH v, toFloat(v.version) AS k1, 1.0e308 AS k2
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
  WITH v, k1, k2 ORDER BY v.version, v.modelName LIMIT $limit
  RETURN collect({version: v {.*}, key: [k1, k2, v.modelName, v.version]}) AS page
}
// A short page: did the walk reach the range's end?
CALL (page) {
  UNWIND CASE WHEN size(page) < $limit THEN [1] ELSE [] END AS _
  MATCH (w:ModelVersion)
  WHERE w.version >= $lo AND w.version <= $hi AND w.modelName IS NOT NULL
  WITH w LIMIT $budget + 1
  RETURN count(w) > $budget AS cut
}
RETURN page, cut
