// Alias moves (set, delete, rollback) and rollbacks per period in [$from, $to),
// optionally for one model and alias, paged by periodStart. Cost: a seek on
// (type, at) per alias event type over the window.
MATCH (e:Event)
WHERE e.type IN $types AND e.at >= datetime($from) AND e.at < datetime($to)
  AND ($modelName IS NULL OR e.modelName = $modelName)
  AND ($alias IS NULL OR e.alias = $alias)
WITH datetime.truncate($unit, e.at) AS periodStart, count(*) AS moves,
  count(CASE WHEN e.type = 'ROLLBACK' THEN 1 END) AS rollbacks
ORDER BY periodStart
WITH collect({periodStart: periodStart, moves: moves, rollbacks: rollbacks}) AS buckets
RETURN size(buckets) AS total,
  [b IN buckets WHERE $afterAt IS NULL OR b.periodStart > datetime($afterAt)][..$limit] AS rows
