// From a prediction back to the raw data in ONE statement: the model version
// that made it, the run that trained that version, the run's dataset versions
// and everything they derive from (each at its shortest distance from the
// run), the raw sources at the end of those chains, and the version's base
// models and teachers transitively (each with the relation that reached it
// on a shortest path).
MATCH (p:Prediction {id: $id})-[:MADE_BY]->(v:ModelVersion)
OPTIONAL MATCH (p)-[:SERVED_BY]->(dep:Deployment)
OPTIONAL MATCH (v)-[:PRODUCED_BY]->(run:Run)
CALL (run) {
  OPTIONAL MATCH path = (run)-[:USED]->(:DatasetVersion)-[:DERIVED_FROM*0..19]->(dv:DatasetVersion)
  WITH dv, min(length(path)) AS d
  WHERE dv IS NOT NULL
  WITH dv, d ORDER BY d, dv.datasetName, dv.version, dv.id
  RETURN collect(dv {.*, depth: d}) AS datasets
}
CALL (run) {
  OPTIONAL MATCH path = (run)-[:USED]->(:DatasetVersion)-[:DERIVED_FROM*1..20]->(s:DataSource)
  WITH s, min(length(path)) AS d
  WHERE s IS NOT NULL
  WITH s, d ORDER BY d, s.uri
  RETURN collect(s {.*, depth: d}) AS sources
}
CALL (v) {
  OPTIONAL MATCH path = (v)-[:FINE_TUNED_FROM|DISTILLED_FROM|ADAPTED_FROM|QUANTIZED_FROM|MERGED_FROM*1..20]->(a)
  WITH a, path ORDER BY length(path), [r IN relationships(path) | type(r)]
  WITH a, head(collect(path)) AS shortest
  WHERE a IS NOT NULL
  WITH a, length(shortest) AS d, type(last(relationships(shortest))) AS relation, startNode(last(relationships(shortest))) AS child
  WITH a, d, relation, child ORDER BY d, coalesce(a.modelName, a.name), coalesce(a.version, 0), a.id
  RETURN collect({
    ancestor: properties(a),
    kind: CASE WHEN a:ModelVersion THEN 'ModelVersion' ELSE 'ProviderModel' END,
    relation: relation,
    depth: d,
    childId: child.id
  }) AS ancestors
}
RETURN p {.*} AS prediction, v {.*} AS modelVersion, dep {.*} AS deployment, run {.*} AS run,
       datasets, sources, ancestors
