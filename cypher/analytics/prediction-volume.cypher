// Predictions logged per model version per day (UTC) in [$from, $to), paged by
// (day, modelName, version). Read from PREDICTIONS_LOGGED events (one per
// logPredictions call, `after` = {"count":…,"created":…,…} as written by
// predictions.service), so the cost is the number of calls in the window, not
// the number of predictions. `created` counts predictions new to the graph.
MATCH (e:Event)
WHERE e.type = 'PREDICTIONS_LOGGED' AND e.at >= datetime($from) AND e.at < datetime($to)
  AND ($modelName IS NULL OR e.modelName = $modelName)
WITH datetime.truncate('day', e.at) AS periodStart, e.modelName AS modelName, e.version AS version,
  sum(toInteger(split(split(e.after, '"created":')[1], ',')[0])) AS count
ORDER BY periodStart, modelName, version
WITH collect({periodStart: periodStart, modelName: modelName, version: version, count: count}) AS buckets
RETURN size(buckets) AS total,
  [b IN buckets WHERE $afterAt IS NULL
     OR b.periodStart > datetime($afterAt)
     OR (b.periodStart = datetime($afterAt) AND (b.modelName > $afterName
         OR (b.modelName = $afterName AND b.version > $afterVersion)))][..$limit] AS rows
