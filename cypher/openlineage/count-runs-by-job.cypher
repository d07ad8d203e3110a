// How many runs a job has (runs(job:)'s totalCount), counted on the index.
MATCH (r:Run)
WHERE r.jobNamespace = $namespace AND r.jobName = $name AND r.startedAt IS NOT NULL
RETURN count(r) AS total
