// A deployment's own properties, read with a write lock inside recordDeployment
// (SET) so two records of one deployment queue and each sees the last flag.
MERGE (d:Deployment {name: $name})
  ON CREATE SET d.id = randomUUID(), d.createdAt = datetime.realtime(), d.isNew = true
SET d.lock = coalesce(d.lock, 0) + 1
WITH d, coalesce(d.isNew, false) AS created
REMOVE d.isNew
RETURN d {.*} AS deployment, created
