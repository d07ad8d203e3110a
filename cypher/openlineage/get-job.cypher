// A job by its OpenLineage identity.
MATCH (j:Job {namespace: $namespace, name: $name})
RETURN j {.*} AS job
