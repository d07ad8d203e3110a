// The upload record of one path (null when none).
OPTIONAL MATCH (f:ArtifactFile {path: $path})
RETURN f {.path, .size, .sha256, .uploadedBy, .pending, .pendingAt} AS file
