// Stores a job's merged facets and declared inputs and outputs (JobEvent).
MATCH (j:Job {namespace: $namespace, name: $name})
SET j += $props, j.olRev = j.olRev + 1
RETURN j.id AS id
