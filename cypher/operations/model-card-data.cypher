// Everything a model card (and an attestation) reads about one version, in one
// statement: model, tags, metrics (overall and per segment), gate evidence,
// the producing run, its datasets with their upstream versions and raw
// sources, direct parent models (versions or provider models), and the current
// human-written card sections (a version's own section overrides the model's).
MATCH (v:ModelVersion {id: $versionId})-[:VERSION_OF]->(m:RegisteredModel)
OPTIONAL MATCH (v)-[:PRODUCED_BY]->(r:Run)
RETURN v {.*} AS version, m {.*} AS model,
  COLLECT { MATCH (m)-[:HAS_TAG]->(t:Tag) RETURN t {.key, .value} ORDER BY t.key } AS modelTags,
  COLLECT { MATCH (v)-[:HAS_TAG]->(t:Tag) RETURN t {.key, .value} ORDER BY t.key } AS versionTags,
  COLLECT { MATCH (v)-[:HAS_METRIC]->(x:Metric) RETURN x {.key, .value, .segment} ORDER BY x.segment IS NOT NULL, x.segment, x.key } AS metrics,
  COLLECT { MATCH (v)-[:HAS_EVIDENCE]->(e:Evidence) RETURN e {.kind, .passed, .uri, .summary, .by, .at} ORDER BY e.at } AS evidence,
  r {.*} AS run,
  COLLECT { MATCH (r)-[u:USED]->(d:DatasetVersion) RETURN d {.*, role: u.role} ORDER BY d.datasetName, d.version, u.role } AS datasets,
  COLLECT {
    MATCH (r)-[:USED]->(:DatasetVersion)-[:DERIVED_FROM*0..20]->(d:DatasetVersion)
    RETURN DISTINCT d {.datasetName, .version, .createdAt, .rowCount, .hash} ORDER BY d.datasetName, d.version
  } AS upstreamDatasets,
  COLLECT {
    MATCH (r)-[:USED]->(:DatasetVersion)-[:DERIVED_FROM*1..20]->(s:DataSource)
    RETURN DISTINCT s.uri ORDER BY s.uri
  } AS sources,
  COLLECT {
    MATCH (v)-[rel:FINE_TUNED_FROM|DISTILLED_FROM|ADAPTED_FROM|QUANTIZED_FROM|MERGED_FROM]->(p)
    RETURN {relation: type(rel), kind: CASE WHEN p:ProviderModel THEN 'ProviderModel' ELSE 'ModelVersion' END, node: p {.*}}
    ORDER BY type(rel), coalesce(p.modelName, p.provider + '/' + p.name), coalesce(p.version, 0)
  } AS parents,
  COLLECT {
    UNWIND [v, m] AS x // expand from the version and the model, not from every section
    MATCH (x)<-[:CARD_SECTION_OF]-(s:ModelCardSection {current: true})
    RETURN s {.key, .title, .body, .revision, .at, .by, scope: CASE WHEN x = v THEN 'VERSION' ELSE 'MODEL' END}
    ORDER BY s.at
  } AS sections
