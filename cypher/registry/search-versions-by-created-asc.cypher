// searchModelVersions ordered by creation time, oldest first (one orderBy
// entry, CREATED_AT ASC): a walk of the createdAt index over [$lo, $hi)
// (epoch ms) from the oldest up, so it stops at the $limit-th match.
//
// The page's first key is the millisecond (what clients see), then model name
// and version; the walk is in full-precision time (equal times ordered by
// model name and version as they come: a partial sort). So the service puts
// the page in key order, and when the page's last millisecond holds versions
// at more than one time (`open`), the walk may have taken the wrong ones of
// it: the service then has that millisecond ordered by search-versions.cypher
// (start CREATED). At most $budget versions are walked; `cut` says the walk
// may have stopped there before it passed the page's last time (or the
// range's end): the service then asks search-versions.cypher.
CALL {
  MATCH (v:ModelVersion)
  WHERE v.createdAt >= datetime({epochMillis: $lo}) AND v.createdAt < datetime({epochMillis: $hi})
  WITH v ORDER BY v.createdAt LIMIT $budget
  WITH v, toFloat(v.createdAt.epochMillis) AS k1, 1.0e308 AS k2
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
  WITH v, k1, k2 ORDER BY v.createdAt, v.modelName, v.version LIMIT $limit
  RETURN collect({version: v {.*}, key: [k1, k2, v.modelName, v.version]}) AS page, collect(v.createdAt) AS times
}
WITH page, CASE WHEN size(page) < $limit THEN null ELSE times[-1] END AS last
// How far the walk had to go: to the range's end when the page is short, else
// through the last time.
CALL (last) {
  MATCH (w:ModelVersion)
  WHERE w.createdAt >= datetime({epochMillis: $lo}) AND w.createdAt < coalesce(last + duration({nanoseconds: 1}), datetime({epochMillis: $hi}))
  WITH w LIMIT $budget + 1
  RETURN count(w) > $budget AS cut
}
// Versions in the last row's millisecond at another time than its own.
RETURN page, cut, last IS NOT NULL AND EXISTS {
  MATCH (w:ModelVersion)
  WHERE w.createdAt >= datetime({epochMillis: coalesce(last.epochMillis, 0)}) AND w.createdAt < datetime({epochMillis: coalesce(last.epochMillis, 0) + 1})
    AND w.createdAt <> last
} AS open
