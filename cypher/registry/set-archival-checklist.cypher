// Replaces a model's archival checklist (an empty list removes it).
MATCH (m:RegisteredModel {id: $modelId})
WITH m, m.archivalChecklist AS before
SET m.archivalChecklist = CASE WHEN size($items) = 0 THEN null ELSE $items END, m.updatedAt = datetime.realtime()
RETURN before, m {.*} AS model
