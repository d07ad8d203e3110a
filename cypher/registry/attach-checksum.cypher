// Attaches the checksum of an unverified version, once: a version that has a
// checksum is left as it is (the service then compares).
MATCH (v:ModelVersion {id: $versionId})
WITH v, v.checksum AS previous
CALL (v, previous) {
  WITH v WHERE previous IS NULL
  SET v.checksum = $checksum, v.updatedAt = datetime.realtime()
}
RETURN previous, v {.*} AS version
