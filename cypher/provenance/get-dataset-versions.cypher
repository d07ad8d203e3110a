// Dataset versions by id, in key order (DataLoader batch).
UNWIND $keys AS key
OPTIONAL MATCH (dv:DatasetVersion {id: key})
RETURN key, dv {.*} AS datasetVersion
