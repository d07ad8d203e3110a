// From a prediction back to the raw data in ONE statement: the model version
// that made it and the run that trained it; its base models, teachers and
// other model ancestors transitively (each with the relation that reached it
// on a shortest path, and the run that trained it); then the dataset
// versions used by the runs of the version AND of its model ancestors, with
// everything they derive from, and the raw sources at the end of those
// chains (or read directly by a run: OpenLineage inputs nobody produced).
// A model inherits what its ancestors learned, so their training
// data is upstream of the prediction too (the inverse of datasetImpact).
// Each dataset version / source appears once, attributed to the nearest
// model whose run reaches it (modelDepth 0 = the version itself), then at its
// shortest derivation distance from that run (depth 1 = used directly).
// Rows carry ids, not copies, of the versions and runs they point to
// (usedById, runId): GraphQL loads those only when a client selects them,
// and decoding full copies per row was most of the request's CPU.
MATCH (p:Prediction {id: $id})-[:MADE_BY]->(v:ModelVersion)
OPTIONAL MATCH (p)-[:SERVED_BY]->(dep:Deployment)
OPTIONAL MATCH (v)-[:PRODUCED_BY]->(run:Run)
CALL (v) {
  OPTIONAL MATCH path = (v)-[:FINE_TUNED_FROM|DISTILLED_FROM|ADAPTED_FROM|QUANTIZED_FROM|MERGED_FROM*1..20]->(a)
  WITH a, path ORDER BY length(path), [r IN relationships(path) | type(r)]
  WITH a, head(collect(path)) AS shortest
  WHERE a IS NOT NULL
  WITH a, length(shortest) AS d, type(last(relationships(shortest))) AS relation, startNode(last(relationships(shortest))) AS child
  WITH a, d, relation, child ORDER BY d, coalesce(a.modelName, a.name), coalesce(a.version, 0), a.id
  RETURN collect({
    ancestor: a {.id, .modelName, .version, .name, .provider, .providerVersion},
    kind: CASE WHEN a:ModelVersion THEN 'ModelVersion' ELSE 'ProviderModel' END,
    relation: relation,
    depth: d,
    childId: child.id,
    runId: head([(a)-[:PRODUCED_BY]->(ar:Run) | ar.id])
  }) AS ancestors,
  collect(CASE WHEN a:ModelVersion THEN {m: a, md: d} END) AS trainedAncestors
}
WITH p, v, dep, run, ancestors, [{m: v, md: 0}] + trainedAncestors AS trained
CALL (trained) {
  UNWIND trained AS t
  CALL (t) {
    WITH t.m AS m
    MATCH path = (m)-[:PRODUCED_BY]->(:Run)-[:USED]->(:DatasetVersion)-[:DERIVED_FROM*0..19]->(dv:DatasetVersion)
    RETURN dv, min(length(path)) - 1 AS d
  }
  WITH dv, t, d ORDER BY t.md, d, t.m.modelName, t.m.version
  WITH dv, head(collect({md: t.md, d: d, m: t.m})) AS best
  WITH dv, best ORDER BY best.md, best.d, dv.datasetName, dv.version, dv.id
  RETURN collect(dv {.*, depth: best.d, modelDepth: best.md, usedById: best.m.id}) AS datasets
}
CALL (trained) {
  UNWIND trained AS t
  CALL (t) {
    WITH t.m AS m
    CALL (m) {
      MATCH path = (m)-[:PRODUCED_BY]->(:Run)-[:USED]->(:DatasetVersion)-[:DERIVED_FROM*1..20]->(s:DataSource)
      RETURN s, min(length(path)) - 1 AS pd
      UNION ALL
      // a run that read a raw source directly (an OpenLineage input nobody produced)
      MATCH (m)-[:PRODUCED_BY]->(:Run)-[:USED]->(s:DataSource)
      RETURN DISTINCT s, 1 AS pd
    }
    RETURN s, min(pd) AS d
  }
  WITH s, t, d ORDER BY t.md, d, t.m.modelName, t.m.version
  WITH s, head(collect({md: t.md, d: d, m: t.m})) AS best
  WITH s, best ORDER BY best.md, best.d, s.uri
  RETURN collect(s {.*, depth: best.d, modelDepth: best.md, usedById: best.m.id}) AS sources
}
// Each list keeps its nearest $maxItems; `truncated` says one had more. The
// prompt versions the version uses (USES_PROMPT) are part of what made the prediction.
RETURN p {.*} AS prediction, v {.*} AS modelVersion, dep {.*} AS deployment, run {.*} AS run,
       datasets[0..$maxItems] AS datasets, sources[0..$maxItems] AS sources, ancestors[0..$maxItems] AS ancestors,
       size(datasets) > $maxItems OR size(sources) > $maxItems OR size(ancestors) > $maxItems AS truncated,
       COLLECT { MATCH (v)-[:USES_PROMPT]->(pv:ModelVersion) RETURN pv {.*} ORDER BY pv.modelName, pv.version LIMIT $maxItems } AS promptVersions
