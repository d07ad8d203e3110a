// Seals a source: its root (a file, or a directory with its manifest
// checksum), linked to the version registered from it ($versionId; null when
// a legacy seal is completed), and every file under a directory root.
MERGE (root:ArtifactSeal {path: $root.path})
  ON CREATE SET root.sealedAt = datetime.realtime()
SET root.dir = $root.dir, root.checksum = $root.checksum, root.size = $root.size
REMOVE root.legacy
WITH root
OPTIONAL MATCH (v:ModelVersion {id: $versionId})
FOREACH (x IN CASE WHEN v IS NULL THEN [] ELSE [v] END | MERGE (x)-[:STORED_AT]->(root))
WITH DISTINCT root
UNWIND $files AS f
MERGE (s:ArtifactSeal {path: f.path})
  ON CREATE SET s.sealedAt = datetime.realtime()
SET s.dir = false, s.checksum = f.checksum, s.size = f.size
REMOVE s.legacy
