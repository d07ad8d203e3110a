// Batch: the version each serving entry names at its instant `at`. A pinned
// entry names its version; one following an alias names the version of the
// alias's last move at or before `at` (none after a delete), read from the
// alias events so it cannot disagree with aliasHistory; "latest" is the highest
// version created by then. One row per entry, in order.
UNWIND range(0, size($entries) - 1) AS i
WITH i, $entries[i] AS s
WITH i, s,
  CASE
    WHEN s.alias IS NULL THEN s.version
    WHEN s.alias = 'latest' THEN COLLECT {
      MATCH (e:Event) WHERE e.modelName = s.modelName AND e.type = $createdType AND e.at <= datetime(s.at)
      RETURN e ORDER BY e.version DESC LIMIT 1
    }[0].version
    ELSE COLLECT {
      MATCH (e:Event) WHERE e.modelName = s.modelName AND e.alias = s.alias AND e.type IN $aliasTypes AND e.at <= datetime(s.at)
      RETURN e ORDER BY e.sequence DESC LIMIT 1
    }[0].version
  END AS number
OPTIONAL MATCH (v:ModelVersion {modelName: s.modelName, version: number})
RETURN i, v {.*} AS version
ORDER BY i
