// Batch: the monitoring rules of models, by model name (DataLoader).
UNWIND $keys AS key
RETURN key, COLLECT { MATCH (r:MonitoringRule {modelName: key}) RETURN r {.*} ORDER BY r.name } AS rules
