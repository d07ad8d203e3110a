// How many versions are in each stage (optionally of one model): one counted
// index seek per stage, five rows whatever the registry's size.
UNWIND $stages AS stage
RETURN stage,
  CASE WHEN $modelName IS NULL
    THEN COUNT { MATCH (v:ModelVersion) WHERE v.stage = stage }
    ELSE COUNT { MATCH (v:ModelVersion) WHERE v.modelName = $modelName AND v.stage = stage }
  END AS count
ORDER BY stage
