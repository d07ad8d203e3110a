// searchModelVersions ordered by version number descending (one orderBy
// entry, VERSION DESC): a walk of the (version, modelName) index over
// [$lo, $hi] from the highest number down; the versions of one number are
// ordered by model name as they come (a partial sort), so the walk stops at
// the $limit-th match and the end of its number. At most $budget versions are
// walked; `cut` says the walk may have stopped there before it passed the
// page's last number (or the range's end): the service then asks
// search-versions.cypher.
CALL {
  MATCH (v:ModelVersion)
  WHERE v.version >= $lo AND v.version <= $hi AND v.modelName IS NOT NULL
  WITH v ORDER BY v.version DESC, v.modelName DESC LIMIT $budget
  WITH v, -toFloat(v.version) AS k1, 1.0e308 AS k2
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
  WITH v, k1, k2 ORDER BY v.version DESC, v.modelName, v.version LIMIT $limit
  RETURN collect({version: v {.*}, key: [k1, k2, v.modelName, v.version]}) AS page, collect(v.version) AS numbers
}
// How far the walk had to go: to the range's end when the page is short, else
// through the last number.
CALL (page, numbers) {
  WITH CASE WHEN size(page) < $limit THEN $lo ELSE numbers[-1] END AS upTo
  MATCH (w:ModelVersion)
  WHERE w.version >= upTo AND w.version <= $hi AND w.modelName IS NOT NULL
  WITH w LIMIT $budget + 1
  RETURN count(w) > $budget AS cut
}
RETURN page, cut
