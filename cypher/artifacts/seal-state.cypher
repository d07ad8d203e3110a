// What sealing $path must agree with: the seals at or below it, and the upload
// records at or below it (at most $limit of each).
RETURN
  COLLECT {
    MATCH (s:ArtifactSeal) WHERE s.path STARTS WITH $path
    WITH s WHERE s.path = $path OR s.path STARTS WITH $below
    RETURN s {.path, .checksum, .legacy} LIMIT $limit
  } AS seals,
  COLLECT {
    MATCH (f:ArtifactFile) WHERE f.path STARTS WITH $path
    WITH f WHERE f.path = $path OR f.path STARTS WITH $below
    RETURN f {.path, .sha256, .uploadedAt, .pending, .pendingAt} LIMIT $limit
  } AS files
