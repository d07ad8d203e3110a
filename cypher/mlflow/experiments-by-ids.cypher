// Experiments by id, in key order (null where absent).
UNWIND $keys AS key
OPTIONAL MATCH (e:MlflowExperiment {id: key})
RETURN key, e {.*} AS experiment
