// One page of the event log in sequence order, filtered; sequences travel as strings.
WITH CASE WHEN $cursor IS NULL THEN -1 ELSE toInteger($cursor) END AS afterSeq
MATCH (e:Event)
WHERE e.sequence > afterSeq
  AND ($modelName IS NULL OR e.modelName = $modelName)
  AND ($actor IS NULL OR e.actor = $actor)
  AND ($types IS NULL OR e.type IN $types)
  AND ($after IS NULL OR e.at >= datetime($after))
  AND ($before IS NULL OR e.at < datetime($before))
WITH e ORDER BY e.sequence LIMIT $limit
RETURN toString(e.sequence) AS sequence, e.type AS type, e.at AS at, e.actor AS actor,
  e.modelName AS modelName, e.version AS version, e.alias AS alias, e.subjectId AS subjectId,
  e.before AS before, e.after AS after
