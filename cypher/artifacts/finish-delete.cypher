// The files are gone: their records go; returns the bytes and files per uploader to credit.
MATCH (f:ArtifactFile) WHERE f.path STARTS WITH $path AND f.pending = $token
WITH f.uploadedBy AS principal, sum(f.size) AS bytes, count(f) AS files, collect(f) AS records
FOREACH (r IN records | DELETE r)
RETURN principal, bytes, files
