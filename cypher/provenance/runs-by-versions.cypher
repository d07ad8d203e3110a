// The run that produced each model version (PRODUCED_BY), by version id, in key order (DataLoader batch).
UNWIND $keys AS key
OPTIONAL MATCH (:ModelVersion {id: key})-[:PRODUCED_BY]->(r:Run)
RETURN key, r {.*} AS run
