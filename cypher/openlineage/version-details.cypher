// What OpenLineage recorded on each dataset version (facets, schema, owners,
// quality metrics, column lineage) and where each input dataset it derives
// from was resolved to, in key order.
UNWIND $keys AS key
OPTIONAL MATCH (dv:DatasetVersion {id: key})
RETURN key,
  CASE WHEN dv IS NULL THEN null ELSE dv {.olFacets, .olSchema, .dataSourceName, .dataSourceUri, .olOwners, .olQualityMetrics, .olColumnLineage} END AS details,
  COLLECT { MATCH (dv)-[e:DERIVED_FROM]->(t) WHERE e.olDataset IS NOT NULL
            RETURN {dataset: e.olDataset, id: t.id, kind: CASE WHEN t:DataSource THEN 'DataSource' ELSE 'DatasetVersion' END} } AS resolved
