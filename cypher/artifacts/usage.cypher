// Bytes uploaded through the proxy: by the store and by one principal, and
// the recorded file an upload to $path would replace (its bytes come back).
OPTIONAL MATCH (c:Counter {name: 'artifactStore'})
OPTIONAL MATCH (u:ArtifactUsage {principal: $principal})
OPTIONAL MATCH (f:ArtifactFile {path: $path})
RETURN coalesce(c.value, 0) AS store, coalesce(u.bytes, 0) AS principal, f.size AS replacing, f.uploadedBy AS replacingBy
