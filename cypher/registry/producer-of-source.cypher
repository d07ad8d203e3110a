// The run that most recently reported (through OpenLineage) writing a dataset
// at one of these URIs (a version's source, with and without a trailing
// slash): the training run of a version registered without one. Seeks the
// DatasetVersion(uri) index; only finished runs count.
UNWIND $uris AS u
MATCH (dv:DatasetVersion {uri: u})-[:PRODUCED_BY]->(r:Run)
WHERE r.status = 'FINISHED'
RETURN r.id AS runId
ORDER BY dv.olProducedKey DESC, r.id DESC
LIMIT 1
