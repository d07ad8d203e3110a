// The upload records at $path or below it ($below = $path + '/'), at most $limit.
MATCH (f:ArtifactFile) WHERE f.path STARTS WITH $path
WITH f WHERE f.path = $path OR f.path STARTS WITH $below
RETURN f {.path, .size, .sha256, .uploadedBy, .pending, .pendingAt} AS file
LIMIT $limit
