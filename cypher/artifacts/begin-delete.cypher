// Marks the upload records at $path or below it pending deletion (token) before the files go.
MATCH (f:ArtifactFile) WHERE f.path STARTS WITH $path
WITH f WHERE f.path = $path OR f.path STARTS WITH $below
SET f.pending = $token, f.pendingAt = $now
RETURN count(f) AS files
