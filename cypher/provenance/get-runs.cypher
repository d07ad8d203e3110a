// Runs by id, in key order (DataLoader batch).
UNWIND $keys AS key
OPTIONAL MATCH (r:Run {id: key})
RETURN key, r {.*} AS run
