UNWIND $keys AS key
OPTIONAL MATCH (m:MlflowLoggedModel {id: key})
RETURN key, m {.*} AS model
