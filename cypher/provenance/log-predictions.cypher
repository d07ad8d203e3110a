// One batch of predictions against one model version. Idempotent per
// prediction id: MERGE on the unique id, edges only for a new node, so a
// re-logged id neither duplicates the node nor moves it to another version.
MATCH (v:ModelVersion {id: $versionId})
OPTIONAL MATCH (dep:Deployment {name: $deployment})
UNWIND $rows AS row
MERGE (p:Prediction {id: row.id})
  ON CREATE SET p.at = coalesce(datetime(row.at), datetime.realtime()), p.inputRef = row.inputRef, p.loggedAt = datetime.realtime()
WITH v, dep, p
WHERE NOT EXISTS { (p)-[:MADE_BY]->() }
CREATE (p)-[:MADE_BY]->(v)
FOREACH (d IN CASE WHEN dep IS NULL THEN [] ELSE [dep] END | CREATE (p)-[:SERVED_BY]->(d))
RETURN count(p) AS created
