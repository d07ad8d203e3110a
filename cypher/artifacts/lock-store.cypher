// Takes the store counter's write lock until commit: uploads, deletions and
// seals are serialised, so a seal and a write can never both miss each other.
MATCH (c:Counter {name: 'artifactStore'})
SET c.value = c.value
RETURN c.value AS store
