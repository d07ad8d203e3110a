// Batch: the moves of each (modelName, alias) in [from, to) (to null = open),
// oldest first: the instants at which a deployment following it changed.
UNWIND range(0, size($keys) - 1) AS i
WITH i, $keys[i] AS key
RETURN i, COLLECT {
  MATCH (e:Event)
  WHERE e.modelName = key.modelName AND e.alias = key.alias AND e.type IN $types
    AND e.at > datetime(key.from) AND (key.to IS NULL OR e.at < datetime(key.to))
  RETURN {at: e.at, actor: e.actor, type: e.type, sequence: toString(e.sequence), version: e.version} ORDER BY e.sequence
  LIMIT 1000
} AS moves
ORDER BY i
