// Takes the model's write lock by incrementing its version counter: concurrent
// registrations on one model queue here, so numbers are 1..N with no gap.
// Returns the new number and the highest semver so far.
MATCH (m:RegisteredModel {name: $modelName})
SET m.versionCounter = m.versionCounter + 1
RETURN m.versionCounter AS version,
  CASE WHEN m.semverMajor IS NULL THEN null ELSE [m.semverMajor, m.semverMinor, m.semverPatch] END AS highest
