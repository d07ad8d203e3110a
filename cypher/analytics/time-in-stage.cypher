// Time spent in each stage, for stays that ended in [$from, $to): every stage
// event (change or rollback) closes a stay in its `before` stage that began at
// the version's previous stage event, or at its creation if it had none.
// Stays still open (the current stage) are not counted.
// One (type, at) index seek per stage event type.
UNWIND ['STAGE_CHANGED', 'STAGE_ROLLBACK'] AS stageType
MATCH (e:Event)
WHERE e.type = stageType AND e.at >= datetime($from) AND e.at < datetime($to)
  AND ($modelName IS NULL OR e.modelName = $modelName)
CALL (e) {
  OPTIONAL MATCH (prev:Event)
  WHERE prev.modelName = e.modelName AND prev.sequence < e.sequence AND prev.version = e.version
    AND prev.type IN ['STAGE_CHANGED', 'STAGE_ROLLBACK']
  RETURN max(prev.atMs) AS prevMs
}
OPTIONAL MATCH (mv:ModelVersion {modelName: e.modelName, version: e.version})
WITH split(split(e.before, '"stage":"')[1], '"')[0] AS stage,
  e.atMs - coalesce(prevMs, mv.createdAt.epochMillis) AS stayMs
WHERE stage IS NOT NULL AND stayMs IS NOT NULL
RETURN stage, count(*) AS count,
  percentileCont(stayMs, 0.5) / 1000.0 AS p50,
  percentileCont(stayMs, 0.9) / 1000.0 AS p90,
  percentileCont(stayMs, 0.95) / 1000.0 AS p95,
  max(stayMs) / 1000.0 AS max
ORDER BY stage
