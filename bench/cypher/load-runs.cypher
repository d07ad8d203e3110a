// Bench generator: finished runs and the dataset versions they used (shape of
// provenance/create-run and finish-run).
UNWIND $rows AS r
CREATE (run:Run {
  id: r.id,
  name: r.name,
  experiment: r.experiment,
  codeRepo: r.codeRepo,
  codeCommit: r.codeCommit,
  environment: r.environment,
  params: r.params,
  seeds: r.seeds,
  status: 'FINISHED',
  startedAt: datetime({epochMillis: r.atMs}),
  endedAt: datetime({epochMillis: r.atMs + 1}),
  createdBy: r.actor
})
WITH run, r
CALL (run, r) {
  UNWIND r.inputs AS input
  MATCH (dv:DatasetVersion {id: input.id})
  CREATE (run)-[:USED {role: input.role}]->(dv)
}
