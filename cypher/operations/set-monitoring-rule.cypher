// Creates or replaces a model's monitoring rule by name. The model's write
// lock (SET) serialises rule changes of one model.
MATCH (m:RegisteredModel {name: $modelName})
SET m.ruleLock = coalesce(m.ruleLock, 0) + 1
MERGE (r:MonitoringRule {modelName: $modelName, name: $name})
  ON CREATE SET r.id = randomUUID(), r.createdAt = datetime.realtime()
SET r.metric = $metric, r.op = $op, r.threshold = toFloat($threshold), r.forMinutes = $forMinutes,
    r.action = $action, r.alias = $alias, r.updatedAt = datetime.realtime(), r.updatedBy = $actor
MERGE (r)-[:RULE_OF]->(m)
RETURN r {.*} AS rule, m.id AS modelId
