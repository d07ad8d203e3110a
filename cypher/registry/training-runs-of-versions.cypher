// For each version being registered ($items: {i, runId, uris}), its training
// run and what its fingerprint is computed from. With a runId, that run
// (`found` false when there is none). Without one, the finished run that most
// recently reported (through OpenLineage) writing a dataset at the version's
// source (`uris`: with and without a trailing slash), if any: a seek on the
// DatasetVersion(uri) index. One row per item, in order.
UNWIND $items AS x
OPTIONAL CALL (x) {
  UNWIND CASE WHEN x.runId IS NULL THEN x.uris ELSE [] END AS u
  MATCH (dv:DatasetVersion {uri: u})-[:PRODUCED_BY]->(p:Run)
  WHERE p.status = 'FINISHED'
  RETURN p.id AS producerId
  ORDER BY dv.olProducedKey DESC, p.id DESC
  LIMIT 1
}
WITH x, coalesce(x.runId, producerId) AS runId
OPTIONAL MATCH (r:Run {id: runId})
RETURN x.i AS i, runId, r IS NOT NULL AS found, r.codeCommit AS codeCommit, r.params AS params, r.seeds AS seeds,
  COLLECT { MATCH (r)-[:USED]->(d:DatasetVersion) RETURN d.hash } AS datasetHashes
ORDER BY i
