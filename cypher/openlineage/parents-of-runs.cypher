// The parent run of each run (OpenLineage's parent facet: a DAG run above its tasks), in key order.
UNWIND $keys AS key
OPTIONAL MATCH (:Run {id: key})-[:CHILD_OF]->(p:Run)
RETURN key, p {.*} AS run
