// One level of the grouped lineage walk: each frontier node's neighbours one
// hop upstream (f.up: along "depends on" edges) or downstream (against them)
// through $relations, one row per (frontier node, relation, kind) with the
// neighbours' element ids and ids. The walk (ProvenanceService) keeps what it
// has seen and stops at its budget; rows, not records, keep 20,000 siblings cheap.
UNWIND $frontier AS f
MATCH (a) WHERE elementId(a) = f.eid
CALL (a, f) {
  MATCH (a)-[r:PRODUCED_BY|USED|DERIVED_FROM|FINE_TUNED_FROM|DISTILLED_FROM|ADAPTED_FROM|QUANTIZED_FROM|MERGED_FROM|MADE_BY|SERVED_BY]->(n)
  WHERE f.up AND type(r) IN $relations
  RETURN n, type(r) AS relation
  UNION ALL
  MATCH (a)<-[r:PRODUCED_BY|USED|DERIVED_FROM|FINE_TUNED_FROM|DISTILLED_FROM|ADAPTED_FROM|QUANTIZED_FROM|MERGED_FROM|MADE_BY|SERVED_BY]-(n)
  WHERE NOT f.up AND type(r) IN $relations
  RETURN n, type(r) AS relation
}
WITH f, relation, n, [l IN labels(n) WHERE l IN ['ModelVersion', 'Run', 'DatasetVersion', 'DataSource', 'ProviderModel', 'Prediction', 'Deployment']][0] AS kind
RETURN f.eid AS from, f.id AS fromId, f.up AS up, relation, kind, collect(elementId(n)) AS eids, collect(n.id) AS ids
