// A DatasetEvent's dataset (by its Pedigree name, namespace + "/" + name):
// created on first sight, its write lock taken until commit, its stored facets read.
MERGE (d:Dataset {name: $name})
  ON CREATE SET d.id = randomUUID(), d.createdAt = datetime.realtime(), d.olRev = -1
WITH d, d.olRev = -1 AS created
SET d.olRev = CASE WHEN created THEN 0 ELSE coalesce(d.olRev, 0) END
RETURN d {.*} AS dataset, created
