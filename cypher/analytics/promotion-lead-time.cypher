// Promotion lead time: for each version first promoted to PRODUCTION in
// [$from, $to), the time from its first move into STAGING to that promotion.
// Versions that never passed through STAGING are left out. Stage events carry
// `after` as JSON text whose first key is "stage" (lifecycle.service writes
// it), so a prefix test reads the target stage without parsing.
MATCH (p:Event)
WHERE p.type = 'STAGE_CHANGED' AND p.at >= datetime($from) AND p.at < datetime($to)
  AND ($modelName IS NULL OR p.modelName = $modelName)
  AND p.after STARTS WITH '{"stage":"PRODUCTION"'
WITH p.modelName AS m, p.version AS v, min(p.sequence) AS prodSeq, min(p.atMs) AS prodMs
WHERE NOT EXISTS {
  MATCH (q:Event)
  WHERE q.modelName = m AND q.sequence < prodSeq AND q.version = v AND q.type = 'STAGE_CHANGED'
    AND q.after STARTS WITH '{"stage":"PRODUCTION"'
}
CALL (m, v, prodSeq) {
  MATCH (s:Event)
  WHERE s.modelName = m AND s.sequence < prodSeq AND s.version = v AND s.type = 'STAGE_CHANGED'
    AND s.after STARTS WITH '{"stage":"STAGING"'
  RETURN min(s.atMs) AS stagingMs
}
WITH prodMs - stagingMs AS leadMs
WHERE leadMs IS NOT NULL
RETURN count(leadMs) AS count,
  percentileCont(leadMs, 0.5) / 1000.0 AS p50,
  percentileCont(leadMs, 0.9) / 1000.0 AS p90,
  percentileCont(leadMs, 0.95) / 1000.0 AS p95,
  max(leadMs) / 1000.0 AS max
