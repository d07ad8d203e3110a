// What a version's fingerprint is computed from: the run's code commit, the
// hashes of the dataset versions it used, its params and seeds.
MATCH (r:Run {id: $runId})
RETURN r.codeCommit AS codeCommit, r.params AS params, r.seeds AS seeds,
  COLLECT { MATCH (r)-[:USED]->(d:DatasetVersion) RETURN d.hash } AS datasetHashes
