// A JobEvent's job: created on first sight, its write lock taken until commit, its stored facets read.
MERGE (j:Job {namespace: $namespace, name: $name})
  ON CREATE SET j.id = randomUUID(), j.createdAt = datetime.realtime(), j.createdBy = $actor, j.olRev = -1
WITH j, j.olRev = -1 AS created
SET j.olRev = CASE WHEN created THEN 0 ELSE coalesce(j.olRev, 0) END
RETURN j {.*} AS job, created
