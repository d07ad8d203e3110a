// Input dataset versions of runs with their role, at most $maxInputs each (the
// cap writes keep), in key order (DataLoader batch).
UNWIND $keys AS key
OPTIONAL MATCH (:Run {id: key})-[u:USED]->(dv:DatasetVersion)
WITH key, u, dv ORDER BY u.role, dv.datasetName, dv.version
RETURN key, collect(CASE WHEN dv IS NULL THEN null ELSE {role: u.role, datasetVersion: dv {.*}} END)[0..$maxInputs] AS inputs
