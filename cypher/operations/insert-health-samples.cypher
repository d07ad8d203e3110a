// Appends health samples of one deployment and version. Samples are raw
// observations; rules read the recent ones of a series.
UNWIND $samples AS s
CREATE (:HealthSample {deployment: $deployment, modelName: $modelName, version: $version, metric: s.metric, value: toFloat(s.value), at: datetime(s.at)})
RETURN count(*) AS count
