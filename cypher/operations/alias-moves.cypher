// Batch: the moves of each (modelName, alias) in [from, to) (to null = open)
// and after sequence $after (null: from the start), oldest first, at most
// $limit each: the instants at which a deployment following it changed.
UNWIND range(0, size($keys) - 1) AS i
WITH i, $keys[i] AS key
RETURN i, COLLECT {
  MATCH (e:Event)
  WHERE e.modelName = key.modelName AND e.alias = key.alias AND e.type IN $types
    AND e.at > datetime(key.from) AND (key.to IS NULL OR e.at < datetime(key.to))
    AND ($after IS NULL OR e.sequence > toInteger($after))
  RETURN {at: e.at, actor: e.actor, type: e.type, sequence: toString(e.sequence), version: e.version} ORDER BY e.sequence
  LIMIT $limit
} AS moves
ORDER BY i
