// The file could not be moved into place: the record goes back to what it was (or goes).
MATCH (f:ArtifactFile {path: $path}) WHERE f.pending = $token
WITH f, f.prevBy IS NULL AS fresh
SET f.size = f.prevSize, f.sha256 = f.prevSha256, f.uploadedBy = f.prevBy, f.uploadedAt = f.prevAt
REMOVE f.pending, f.pendingAt, f.prevSize, f.prevSha256, f.prevBy, f.prevAt
WITH f, fresh
CALL (f, fresh) {
  WITH f, fresh WHERE fresh
  DELETE f
}
RETURN fresh
