// searchModelVersions ordered by one metric descending while filtering on that
// metric (the dashboard's search): a walk of the metric's (key, value) index
// over [$lo, $hi] from the highest value down, the page's first key. Ties of a value
// are ordered by model name and version as they come (a partial sort), so
// the walk stops at the $limit-th match. Metrics of runs and of segments share
// the index and are passed over. At most $budget versions are walked; `cut`
// says the walk may have stopped at $budget before it passed the page's last
// value (or the range's end): the service then asks search-versions.cypher.
// The ORDER BYs name m.key, which is one value here, so that the planner
// takes the order from the (key, value) index instead of sorting.
CALL {
  MATCH (m:Metric)<-[:HAS_METRIC]-(v:ModelVersion)
  WHERE m.key = $metricKey AND m.value >= $lo AND m.value <= $hi AND m.segment IS NULL
  WITH v, m ORDER BY m.key DESC, m.value DESC LIMIT $budget
  WITH v, m, -m.value AS k1, 1.0e308 AS k2
  // keyset: the same text in every search-versions*.cypher that pages
  WHERE $cursor IS NULL
    OR k1 > $cursor[0]
    OR (k1 = $cursor[0] AND (k2 > $cursor[1]
      OR (k2 = $cursor[1] AND (v.modelName > $cursor[2]
        OR (v.modelName = $cursor[2] AND v.version > $cursor[3])))))
  // :keyset
  WITH v, m, k1, k2
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
  WITH v, m, k1, k2 ORDER BY m.key DESC, m.value DESC, v.modelName, v.version LIMIT $limit
  RETURN collect({version: v {.*}, key: [k1, k2, v.modelName, v.version]}) AS page, collect(m.value) AS values
}
// How far the walk had to go: to the range's end when the page is short, else
// to the end of the last value's ties.
CALL (page, values) {
  WITH CASE WHEN size(page) < $limit THEN $lo ELSE values[-1] END AS upTo
  MATCH (w:Metric)<-[:HAS_METRIC]-(:ModelVersion)
  WHERE w.key = $metricKey AND w.value >= upTo AND w.value <= $hi AND w.segment IS NULL
  WITH w LIMIT $budget + 1
  RETURN count(w) > $budget AS cut
}
RETURN page, cut
