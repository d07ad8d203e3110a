// A page of every model version trained on this dataset version (or raw
// source), or on anything derived from it, plus everything fine-tuned,
// distilled, adapted, quantised or merged from those, in ONE statement. Each
// step keeps DISTINCT end nodes, which the planner turns into pruning
// breadth-first expands. The page: $limit versions after $after ([modelName,
// version] of the last one seen, or null), by model name then version; the
// total only when $withTotal.
CALL () {
  MATCH (n:DatasetVersion {id: $id}) RETURN n
  UNION MATCH (n:DataSource {id: $id}) RETURN n
}
WITH n AS root LIMIT 1
CALL (root) {
  MATCH (root)<-[:DERIVED_FROM*0..20]-(dv:DatasetVersion)
  WITH DISTINCT dv
  MATCH (dv)<-[:USED]-(:Run)<-[:PRODUCED_BY]-(trained:ModelVersion)
  RETURN trained
  UNION
  // a raw source a training run read directly (an OpenLineage input nobody produced)
  MATCH (root:DataSource)<-[:USED]-(:Run)<-[:PRODUCED_BY]-(trained:ModelVersion)
  RETURN trained
}
WITH DISTINCT trained
MATCH (trained)<-[:FINE_TUNED_FROM|DISTILLED_FROM|ADAPTED_FROM|QUANTIZED_FROM|MERGED_FROM*0..20]-(v:ModelVersion)
WITH DISTINCT v
WITH collect(v) AS impacted
RETURN CASE WHEN $withTotal THEN size(impacted) END AS total,
  COLLECT {
    UNWIND impacted AS v
    WITH v WHERE $after IS NULL OR [v.modelName, v.version] > $after
    RETURN v {.*, aliases: [(a:Alias)-[:POINTS_TO]->(v) | a.name]}
    ORDER BY v.modelName, v.version
    LIMIT $limit
  } AS page
