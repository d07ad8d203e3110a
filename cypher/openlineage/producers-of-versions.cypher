// The run that produced each dataset version (its OpenLineage COMPLETE), in key order.
UNWIND $keys AS key
OPTIONAL MATCH (:DatasetVersion {id: key})-[:PRODUCED_BY]->(r:Run)
RETURN key, r {.*} AS run
