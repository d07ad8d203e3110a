// What MLflow-dialect webhook bodies need of the events' subjects, keyed by
// event sequence: whether the event's model is a prompt (kind PROMPT), and for
// a new version its source, description, training run and tags.
UNWIND $keys AS k
OPTIONAL MATCH (m:RegisteredModel {name: k.modelName})
OPTIONAL MATCH (v:ModelVersion {id: k.versionId})
RETURN k.key AS key,
       coalesce(m.kind, 'MODEL') = 'PROMPT' AS isPrompt,
       CASE WHEN v IS NULL THEN null ELSE v {
         .source, .description,
         runId: head([(v)-[:PRODUCED_BY]->(r:Run) | r.id]),
         tags: [(v)-[:HAS_TAG]->(t:Tag) | t {.key, .value}]
       } END AS version
