// One upstream hop of a lineage walk (LineageService.lineage): the nodes
// one edge of $relations away from the $frontier nodes (element ids):
// what they depend on, not in $visited; at most $limit, in no particular order. LIMIT
// stops the expansion, so a walk ends at its node budget instead of reading
// every neighbour (20,000 predictions of one version) first.
UNWIND $frontier AS eid
MATCH (a) WHERE elementId(a) = eid
MATCH (a)-[r:PRODUCED_BY|USED|DERIVED_FROM|FINE_TUNED_FROM|DISTILLED_FROM|ADAPTED_FROM|QUANTIZED_FROM|MERGED_FROM|MADE_BY|SERVED_BY]->(b)
WHERE type(r) IN $relations
WITH DISTINCT b
WHERE NOT elementId(b) IN $visited
RETURN elementId(b) AS eid, b {.id, .modelName, .version, .name, .datasetName, .uri, .provider, .providerVersion, .jobNamespace, .jobName} AS props,
       [l IN labels(b) WHERE l IN ['ModelVersion', 'Run', 'DatasetVersion', 'DataSource', 'ProviderModel', 'Prediction', 'Deployment']][0] AS kind
LIMIT $limit
