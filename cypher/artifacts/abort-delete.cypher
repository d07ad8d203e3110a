// The files could not be removed: their records are no longer pending.
MATCH (f:ArtifactFile) WHERE f.path STARTS WITH $path AND f.pending = $token
REMOVE f.pending, f.pendingAt
RETURN count(f) AS files
