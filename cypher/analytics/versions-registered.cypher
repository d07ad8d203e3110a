// Versions registered per period (day or week, UTC) per model in [$from, $to),
// paged by (periodStart, modelName). Cost: an index range seek on createdAt
// over the window (the service caps its length); buckets are aggregated, then
// sliced after the cursor.
MATCH (v:ModelVersion)
WHERE v.createdAt >= datetime($from) AND v.createdAt < datetime($to)
  AND ($modelName IS NULL OR v.modelName = $modelName)
WITH datetime.truncate($unit, v.createdAt) AS periodStart, v.modelName AS modelName, count(*) AS count
ORDER BY periodStart, modelName
WITH collect({periodStart: periodStart, modelName: modelName, count: count}) AS buckets
RETURN size(buckets) AS total,
  [b IN buckets WHERE $afterAt IS NULL
     OR b.periodStart > datetime($afterAt)
     OR (b.periodStart = datetime($afterAt) AND b.modelName > $afterName)][..$limit] AS rows
