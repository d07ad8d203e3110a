// Adds each principal's delta (bytes, files) to its usage and their sum to the
// store's; returns the totals after, which the service holds to the quotas
// (a refusal rolls this back).
MATCH (c:Counter {name: 'artifactStore'})
SET c.value = c.value + reduce(s = 0, d IN $deltas | s + d.bytes)
WITH c
UNWIND $deltas AS d
MERGE (u:ArtifactUsage {principal: d.principal})
  ON CREATE SET u.bytes = 0, u.files = 0
SET u.bytes = u.bytes + d.bytes, u.files = u.files + d.files
RETURN c.value AS store, collect(u {.principal, .bytes}) AS principals
