// The file is in place: the upload record is no longer pending.
MATCH (f:ArtifactFile {path: $path}) WHERE f.pending = $token
REMOVE f.pending, f.pendingAt, f.prevSize, f.prevSha256, f.prevBy, f.prevAt
RETURN f.path AS path
