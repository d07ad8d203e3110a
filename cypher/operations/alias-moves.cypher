// Batch: the moves of each followed alias in [from, to) (to null = open)
// and after sequence $after (null: from the start), oldest first, at most
// $limit each: the instants at which a deployment following it changed. A key
// with a model node follows it across renames (see serving-at.cypher); one
// without (records made before models were recorded by node) goes by name.
UNWIND range(0, size($keys) - 1) AS i
WITH i, $keys[i] AS key
OPTIONAL MATCH (m:RegisteredModel {id: key.modelId})
WITH i, key,
  CASE WHEN m IS NULL THEN [{name: key.modelName, from: null, to: null}]
  ELSE [j IN range(0, size(coalesce(m.formerNames, [])) - 1) |
          {name: m.formerNames[j], from: CASE WHEN j = 0 THEN null ELSE m.renamedAtSequence[j - 1] END, to: m.renamedAtSequence[j]}]
       + [{name: m.name, from: last(coalesce(m.renamedAtSequence, [null])), to: null}]
  END AS names
RETURN i, COLLECT {
  UNWIND names AS n
  MATCH (e:Event)
  WHERE e.modelName = n.name AND e.alias = key.alias AND e.type IN $types
    AND e.at > datetime(key.from) AND (key.to IS NULL OR e.at < datetime(key.to))
    AND (n.from IS NULL OR e.sequence > n.from) AND (n.to IS NULL OR e.sequence < n.to)
    AND ($after IS NULL OR e.sequence > toInteger($after))
  RETURN {at: e.at, actor: e.actor, type: e.type, sequence: toString(e.sequence), version: e.version} ORDER BY e.sequence
  LIMIT $limit
} AS moves
ORDER BY i
