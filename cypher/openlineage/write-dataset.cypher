// Stores a dataset's merged facets (DatasetEvent).
MATCH (d:Dataset {name: $name})
SET d += $props, d.olRev = d.olRev + 1
RETURN d.id AS id
