// searchModelVersions ordered by version number walks this index in that
// order (cypher/registry/search-versions-by-version-*.cypher): version, then
// model name, which is the page's own order ascending.
CREATE INDEX model_version_version_name IF NOT EXISTS FOR (v:ModelVersion) ON (v.version, v.modelName)
