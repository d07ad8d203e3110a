// Creates a RUNNING run and its USED edges. Returns how many input dataset
// versions were found, so the service can refuse a missing one.
CREATE (r:Run {
  id: randomUUID(),
  name: $name,
  experiment: $experiment,
  codeRepo: $codeRepo,
  codeCommit: $codeCommit,
  environment: $environment,
  params: $params,
  seeds: $seeds,
  status: 'RUNNING',
  startedAt: datetime.realtime(),
  endedAt: null,
  createdBy: $actor
})
WITH r
CALL (r) {
  UNWIND $inputs AS input
  MATCH (dv:DatasetVersion {id: input.datasetVersionId})
  CREATE (r)-[:USED {role: input.role}]->(dv)
  RETURN count(dv) AS found
}
RETURN r {.*} AS run, found
