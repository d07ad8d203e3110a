// Opens one OpenLineage run event's transaction: creates the run on first
// sight and takes its write lock (and its job's) until commit, so events of
// one run apply one after another on every replica; then reads all the
// service decides on: the run's stored state, its current parent, the parent
// the event names, output versions that already exist, and model versions
// whose source is one of the outputs.
MERGE (r:Run {id: $runId})
  ON CREATE SET r.olRev = -1
WITH r, r.olRev = -1 AS created
SET r.olRev = CASE WHEN created THEN 0 ELSE coalesce(r.olRev, 0) END
WITH r, created
MERGE (j:Job {namespace: $jobNamespace, name: $jobName})
  ON CREATE SET j.id = randomUUID(), j.createdAt = datetime.realtime(), j.createdBy = $actor, j.olRev = 0
SET j.olRev = coalesce(j.olRev, 0)
WITH r, created, j
OPTIONAL MATCH (r)-[:CHILD_OF]->(cp:Run)
OPTIONAL MATCH (p:Run {id: $parentRunId})
CALL (r) {
  UNWIND $outputs AS o
  MATCH (dv:DatasetVersion {datasetName: o.dataset, version: o.version})
  OPTIONAL MATCH (dv)-[:PRODUCED_BY]->(pr:Run)
  RETURN collect({dataset: o.dataset, version: o.version, id: dv.id, producer: pr.id}) AS existingOutputs
}
CALL () {
  UNWIND $outputUris AS u
  MATCH (v:ModelVersion {source: u})
  OPTIONAL MATCH (v)-[:PRODUCED_BY]->(tr:Run)
  RETURN collect({id: v.id, modelName: v.modelName, version: v.version, source: v.source, runId: tr.id}) AS models
}
RETURN r {.*} AS run, created,
       j {.olFacets, .olFacetStamps} AS job,
       cp.id AS currentParent,
       CASE WHEN p IS NULL THEN null ELSE p {.id, .origin, .jobNamespace, .jobName} END AS parent,
       existingOutputs, models
