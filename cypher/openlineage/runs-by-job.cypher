// One page of a job's runs, newest first (startedAt, then id, descending),
// after the cursor ($afterMs, $afterId): a seek on (jobNamespace, jobName, startedAt).
MATCH (r:Run)
WHERE r.jobNamespace = $namespace AND r.jobName = $name
  AND r.startedAt <= CASE WHEN $afterMs IS NULL THEN datetime('9999-12-31T00:00:00Z') ELSE datetime({epochMillis: $afterMs}) END
WITH r
WHERE $afterMs IS NULL OR r.startedAt < datetime({epochMillis: $afterMs}) OR r.id < $afterId
WITH r ORDER BY r.startedAt DESC, r.id DESC LIMIT $limit
RETURN r {.*} AS run, r.startedAt.epochMillis AS startedAtMs
