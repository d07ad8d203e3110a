// Adds one typed model-to-model edge (child depends on parent) unless the
// parent already depends on the child through model edges: that edge would
// make a version its own ancestor; nor a new DISTILLED_FROM edge when the
// child already has $maxTeachers teachers (`full`). Returns what it found so
// the service can tell "missing" from "cycle" from "full" from "done"; it
// writes only when none.
MATCH (child:ModelVersion {id: $childId})
CALL () {
  MATCH (n:ModelVersion {id: $parentId}) RETURN n
  UNION MATCH (n:ProviderModel {id: $parentId}) RETURN n
}
WITH child, n AS parent LIMIT 1
WITH child, parent,
     child = parent OR EXISTS { (parent)-[:FINE_TUNED_FROM|DISTILLED_FROM|ADAPTED_FROM|QUANTIZED_FROM|MERGED_FROM*1..]->(child) } AS cycle,
     EXISTS { (child)-[r]->(parent) WHERE type(r) = $relation } AS existing
WITH child, parent, cycle, existing,
     $relation = 'DISTILLED_FROM' AND NOT existing AND COUNT { (child)-[:DISTILLED_FROM]->() } >= $maxTeachers AS full
WITH child, parent, cycle, existing OR full AS existing, full
CALL (child, parent, cycle, existing) {
  WITH child, parent WHERE NOT cycle AND NOT existing AND $relation = 'FINE_TUNED_FROM'
  CREATE (child)-[:FINE_TUNED_FROM]->(parent)
  UNION
  WITH child, parent WHERE NOT cycle AND NOT existing AND $relation = 'DISTILLED_FROM'
  CREATE (child)-[:DISTILLED_FROM]->(parent)
  UNION
  WITH child, parent WHERE NOT cycle AND NOT existing AND $relation = 'ADAPTED_FROM'
  CREATE (child)-[:ADAPTED_FROM]->(parent)
  UNION
  WITH child, parent WHERE NOT cycle AND NOT existing AND $relation = 'QUANTIZED_FROM'
  CREATE (child)-[:QUANTIZED_FROM]->(parent)
  UNION
  WITH child, parent WHERE NOT cycle AND NOT existing AND $relation = 'MERGED_FROM'
  CREATE (child)-[:MERGED_FROM]->(parent)
}
RETURN child {.*} AS child, properties(parent) AS parent,
       CASE WHEN parent:ModelVersion THEN 'ModelVersion' ELSE 'ProviderModel' END AS parentKind,
       cycle, existing AND NOT full AS existing, full
