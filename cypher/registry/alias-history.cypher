// One alias's moves in sequence order (set, delete, rollback), paged by sequence.
WITH CASE WHEN $cursor IS NULL THEN -1 ELSE toInteger($cursor) END AS afterSeq
MATCH (e:Event)
WHERE e.modelName = $modelName AND e.alias = $alias AND e.type IN $types AND e.sequence > afterSeq
WITH e ORDER BY e.sequence LIMIT $limit
RETURN toString(e.sequence) AS sequence, e.type AS type, e.at AS at, e.actor AS actor,
  e.version AS version, e.before AS before, e.after AS after
