// The nodes a grouped lineage shows ($eids, from the walk): what their labels
// are made of, and the edges among them through $relations (expanded from the
// dependent side, whose "depends on" edges are few).
UNWIND $eids AS eid
MATCH (a) WHERE elementId(a) = eid
RETURN a {.id, .modelName, .version, .name, .datasetName, .uri, .provider, .providerVersion, .jobNamespace, .jobName} AS props,
       COLLECT {
         MATCH (a)-[r:PRODUCED_BY|USED|DERIVED_FROM|FINE_TUNED_FROM|DISTILLED_FROM|ADAPTED_FROM|QUANTIZED_FROM|MERGED_FROM|MADE_BY|SERVED_BY]->(b)
         WHERE type(r) IN $relations AND elementId(b) IN $eids
         RETURN {from: a.id, to: b.id, relation: type(r)}
       } AS edges
