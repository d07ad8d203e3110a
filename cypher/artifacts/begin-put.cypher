// Records an upload before its file is moved into place: the new size, hash
// and uploader, and the previous ones (to restore if the move fails), marked
// pending with the upload's token until finish-put.
MERGE (f:ArtifactFile {path: $path})
WITH f, f {.size, .sha256, .uploadedBy, .uploadedAt} AS prev
SET f.prevSize = prev.size, f.prevSha256 = prev.sha256, f.prevBy = prev.uploadedBy, f.prevAt = prev.uploadedAt,
  f.size = $size, f.sha256 = $sha256, f.uploadedBy = $actor, f.uploadedAt = datetime.realtime(),
  f.pending = $token, f.pendingAt = $now
RETURN f.path AS path
