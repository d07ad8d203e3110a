// The artifact store's rules (src/artifacts/artifact.service.ts).
// ArtifactSeal: a path under a registered version's source, write-once; a
// file's seal carries its checksum and size, a directory's the manifest
// checksum. ArtifactFile: one per file uploaded through the proxy (size,
// sha256, uploader), for quotas and to catch an upload racing a registration.
CREATE CONSTRAINT artifact_seal_path IF NOT EXISTS FOR (s:ArtifactSeal) REQUIRE s.path IS UNIQUE;
CREATE CONSTRAINT artifact_file_path IF NOT EXISTS FOR (f:ArtifactFile) REQUIRE f.path IS UNIQUE;
CREATE CONSTRAINT artifact_usage_principal IF NOT EXISTS FOR (u:ArtifactUsage) REQUIRE u.principal IS UNIQUE;
// Who owns a path: the run, logged model or experiment whose artifact root is one of its ancestors.
CREATE INDEX run_mlflow_artifact_uri IF NOT EXISTS FOR (r:Run) ON (r.mlflowArtifactUri);
CREATE INDEX mlflow_logged_model_artifact_uri IF NOT EXISTS FOR (m:MlflowLoggedModel) ON (m.artifactUri);
CREATE INDEX mlflow_experiment_artifact_location IF NOT EXISTS FOR (e:MlflowExperiment) ON (e.artifactLocation);
// The store's bytes uploaded through the proxy; its write lock serialises uploads, deletions and seals.
MERGE (c:Counter {name: 'artifactStore'}) ON CREATE SET c.value = 0;
// Experiments created before their creator was recorded: the actor of their creation event.
MATCH (ev:Event {type: 'MLFLOW_EXPERIMENT_CREATED'})
MATCH (e:MlflowExperiment {id: ev.subjectId})
WHERE e.createdBy IS NULL
SET e.createdBy = ev.actor;
// Versions registered before seals existed, from a source in the store: their
// source path is sealed as "legacy" with the version's checksum. The first
// read under it hashes the files: equal, the seal gets its per-file checksums;
// different, the files are refused (they changed since registration).
MATCH (v:ModelVersion)
WHERE v.checksum IS NOT NULL AND NOT EXISTS { (v)-[:STORED_AT]->(:ArtifactSeal) }
  AND (v.source STARTS WITH 'mlflow-artifacts:' OR v.source STARTS WITH 'runs:/' OR v.source =~ 'models:/m-[0-9a-f]+/?')
WITH v,
  CASE WHEN v.source STARTS WITH 'runs:/' THEN split(substring(v.source, 6), '/') ELSE null END AS runParts,
  CASE WHEN v.source STARTS WITH 'models:/' THEN replace(substring(v.source, 8), '/', '') ELSE null END AS loggedModelId
OPTIONAL MATCH (r:Run {id: runParts[0]}) WHERE r.mlflowArtifactUri IS NOT NULL
OPTIONAL MATCH (lm:MlflowLoggedModel {id: loggedModelId})
WITH v, CASE
    WHEN v.source STARTS WITH 'mlflow-artifacts:' THEN v.source
    WHEN r IS NOT NULL AND size(runParts) > 1 THEN r.mlflowArtifactUri + '/' + substring(v.source, 7 + size(runParts[0]))
    WHEN r IS NOT NULL THEN r.mlflowArtifactUri
    WHEN lm IS NOT NULL THEN lm.artifactUri
  END AS uri
WHERE uri IS NOT NULL AND uri STARTS WITH 'mlflow-artifacts:'
WITH v, substring(uri, 17) AS rest
WITH v, CASE WHEN rest STARTS WITH '//' THEN substring(rest, 2 + size(split(substring(rest, 2), '/')[0])) ELSE rest END AS p
WITH v, CASE WHEN p STARTS WITH '/' THEN substring(p, 1) ELSE p END AS p
WITH v, CASE WHEN p ENDS WITH '/' THEN left(p, size(p) - 1) ELSE p END AS path
WHERE path <> '' AND NOT path CONTAINS '//' AND NOT path =~ '(.*/)?\\.{1,2}(/.*)?'
MERGE (s:ArtifactSeal {path: path})
  ON CREATE SET s.legacy = true, s.checksum = v.checksum, s.sealedAt = datetime.realtime()
MERGE (v)-[:STORED_AT]->(s)
