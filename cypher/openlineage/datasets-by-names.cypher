// Datasets' facets (DatasetEvents) by name, in key order.
UNWIND $keys AS key
OPTIONAL MATCH (d:Dataset {name: key})
RETURN key, d.olFacets AS facets
