// The provenance subgraph around any node, in ONE statement: nodes within
// $depth hops upstream (following "depends on" edges), downstream (against
// them) or both, restricted to $relations, each at its shortest distance;
// then the edges among the kept nodes. `min(length(p))` over a DISTINCT end
// node lets the planner use the pruning breadth-first expand, so shared
// ancestry is visited once rather than once per path. The hop bound in the
// pattern is the API's maximum (20); $depth trims below it. At most
// $budget + 1 nodes are kept so the caller can report truncation.
CALL () {
  MATCH (n:ModelVersion {id: $id}) RETURN n
  UNION MATCH (n:Run {id: $id}) RETURN n
  UNION MATCH (n:DatasetVersion {id: $id}) RETURN n
  UNION MATCH (n:DataSource {id: $id}) RETURN n
  UNION MATCH (n:ProviderModel {id: $id}) RETURN n
  UNION MATCH (n:Prediction {id: $id}) RETURN n
  UNION MATCH (n:Deployment {id: $id}) RETURN n
}
WITH n AS root LIMIT 1
CALL (root) {
  CALL (root) {
    MATCH p = (root)-[rels:PRODUCED_BY|USED|DERIVED_FROM|FINE_TUNED_FROM|DISTILLED_FROM|ADAPTED_FROM|QUANTIZED_FROM|MERGED_FROM|MADE_BY|SERVED_BY*1..20]->(n)
    WHERE $upstream AND all(r IN rels WHERE type(r) IN $relations)
    RETURN n, min(length(p)) AS d
    UNION ALL
    MATCH p = (root)<-[rels:PRODUCED_BY|USED|DERIVED_FROM|FINE_TUNED_FROM|DISTILLED_FROM|ADAPTED_FROM|QUANTIZED_FROM|MERGED_FROM|MADE_BY|SERVED_BY*1..20]-(n)
    WHERE $downstream AND all(r IN rels WHERE type(r) IN $relations)
    RETURN n, min(length(p)) AS d
  }
  WITH n, min(d) AS d
  WHERE d <= $depth AND n <> root
  WITH n, d,
       [l IN labels(n) WHERE l IN ['ModelVersion', 'Run', 'DatasetVersion', 'DataSource', 'ProviderModel', 'Prediction', 'Deployment']][0] AS kind
  ORDER BY d, kind, n.id
  // an aggregate without grouping keys: one row even when nothing is reachable
  RETURN collect({node: n, d: d, kind: kind}) AS found
}
WITH root, found[0..$budget] AS kept, size(found) > $budget AS truncated
WITH root, truncated, kept, [root] + [k IN kept | k.node] AS members
CALL (members) {
  UNWIND members AS a
  MATCH (a)-[r:PRODUCED_BY|USED|DERIVED_FROM|FINE_TUNED_FROM|DISTILLED_FROM|ADAPTED_FROM|QUANTIZED_FROM|MERGED_FROM|MADE_BY|SERVED_BY]->(b)
  WHERE type(r) IN $relations AND b IN members
  RETURN collect({from: a.id, to: b.id, relation: type(r)}) AS edges
}
RETURN properties(root) AS root,
       [l IN labels(root) WHERE l IN ['ModelVersion', 'Run', 'DatasetVersion', 'DataSource', 'ProviderModel', 'Prediction', 'Deployment']][0] AS rootKind,
       [k IN kept | {props: properties(k.node), kind: k.kind, depth: k.d}] AS nodes,
       edges, truncated
