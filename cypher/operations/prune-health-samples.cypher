// One batch of health samples older than $before (retention); the caller
// repeats while a full batch was removed.
MATCH (s:HealthSample)
WHERE s.at < datetime($before)
WITH s LIMIT $limit
DETACH DELETE s
RETURN count(*) AS removed
