// Takes the write lock of each version's model ($keys: version ids) before its
// gate state is read (registry/gate-states): stage changes of one model queue
// here, so "another version is in PRODUCTION" holds until commit.
UNWIND $keys AS key
MATCH (v:ModelVersion {id: key})-[:VERSION_OF]->(m:RegisteredModel)
SET m.stageLock = coalesce(m.stageLock, 0) + 1
RETURN key
