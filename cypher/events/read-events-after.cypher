// Events after a sequence, oldest first, optionally filtered: the replay half
// of a resumed subscription, the tailer's poll and the webhook dispatcher's
// read. Sequences travel as decimal strings (they can outgrow 2^53).
MATCH (e:Event)
WHERE e.sequence > toInteger($after)
  AND ($modelName IS NULL OR e.modelName = $modelName)
  AND ($alias IS NULL OR e.alias = $alias)
  AND ($types IS NULL OR e.type IN $types)
RETURN toString(e.sequence) AS sequence, e.type AS type, e.at AS at, e.actor AS actor,
       e.modelName AS modelName, e.version AS version, e.alias AS alias, e.subjectId AS subjectId,
       e.before AS before, e.after AS after
ORDER BY e.sequence
LIMIT $limit
