// The job of each run (null for runs not recorded through OpenLineage), in key order.
UNWIND $keys AS key
OPTIONAL MATCH (:Run {id: key})-[:RUN_OF]->(j:Job)
RETURN key, j {.*} AS job
