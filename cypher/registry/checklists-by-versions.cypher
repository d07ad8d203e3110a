// Batch: each version's model checklist items and the items completed for it.
UNWIND $keys AS key
OPTIONAL MATCH (v:ModelVersion {id: key})-[:VERSION_OF]->(m:RegisteredModel)
RETURN key, m.archivalChecklist AS items,
  COLLECT {
    MATCH (v)<-[:CHECKLIST_ITEM_OF]-(c:ChecklistCompletion)
    RETURN c {.item, done: true, .by, .at, .uri, .summary} ORDER BY c.item
  } AS done
