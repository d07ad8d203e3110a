// Writes one OpenLineage run event, decided by the service (run-state.ts):
// the run's properties, its job and parent run, then — when the run has ended —
// its output dataset versions (COMPLETE only), its inputs resolved to dataset
// versions (or raw sources) with the DERIVED_FROM edges of its outputs, and
// finally the references other runs were keeping for these outputs.
// ($parent.id '' and $endedAtMs -1 stand for none: one type per parameter, one cached plan.)
//
// Resolving an input: a version facet names the version; without one, the
// input is the newest version of that dataset produced by a run that ended no
// later than this one ($maxKey). Nobody produced it: a raw DataSource. A run's
// own outputs are never its inputs.
MATCH (r:Run {id: $runId})
SET r += $props,
    r.origin = 'openlineage',
    r.olRev = r.olRev + 1,
    r.createdBy = coalesce(r.createdBy, $actor),
    r.createdAt = coalesce(r.createdAt, datetime.realtime()),
    r.startedAt = datetime({epochMillis: $startedAtMs}),
    r.endedAt = CASE WHEN $endedAtMs < 0 THEN null ELSE datetime({epochMillis: $endedAtMs}) END
WITH r
MATCH (j:Job {namespace: $job.namespace, name: $job.name})
SET j += $job.props, j.olRev = j.olRev + 1
MERGE (r)-[:RUN_OF]->(j)
WITH r
CALL (r) {
  WITH r WHERE $parent.id <> ''
  MERGE (p:Run {id: $parent.id})
    ON CREATE SET p.origin = 'openlineage', p.status = 'RUNNING', p.olRev = 0, p.createdBy = $actor,
                  p.createdAt = datetime.realtime(), p.jobNamespace = $parent.namespace, p.jobName = $parent.name,
                  p.name = $parent.name
  SET p.olFirstMs = CASE WHEN p.olFirstMs IS NULL OR $parent.eventTimeMs < p.olFirstMs THEN $parent.eventTimeMs ELSE p.olFirstMs END
  SET p.startedAt = CASE WHEN p.olStartMs IS NULL THEN datetime({epochMillis: p.olFirstMs}) ELSE p.startedAt END
  MERGE (pj:Job {namespace: $parent.namespace, name: $parent.name})
    ON CREATE SET pj.id = randomUUID(), pj.createdAt = datetime.realtime(), pj.createdBy = $actor, pj.olRev = 0
  MERGE (p)-[:RUN_OF]->(pj)
  MERGE (r)-[:CHILD_OF]->(p)
  RETURN count(p) AS parents
}
// Outputs first (no edges yet but their dataset and run), so inputs can feed them.
CALL (r) {
  UNWIND $outputs AS o
  MERGE (d:Dataset {name: o.dataset})
    ON CREATE SET d.id = randomUUID(), d.createdAt = datetime.realtime()
  CREATE (dv:DatasetVersion {id: randomUUID(), datasetName: o.dataset, version: o.version, uri: o.dataset,
                             createdAt: datetime.realtime(), createdBy: $actor})-[:VERSION_OF]->(d)
  SET dv += o.props
  CREATE (dv)-[:PRODUCED_BY]->(r)
  RETURN collect(dv) AS created
}
CALL (r) {
  UNWIND $inputs AS ref
  CALL (r, ref) {
    CALL (r, ref) {
      MATCH (dv:DatasetVersion {datasetName: ref.dataset, version: ref.version})
      WHERE ref.version <> '' AND NOT EXISTS { (dv)-[:PRODUCED_BY]->(r) }
      RETURN dv
      UNION
      MATCH (dv:DatasetVersion)
      WHERE ref.version = '' AND dv.datasetName = ref.dataset AND dv.olProducedKey <= $maxKey
        AND NOT EXISTS { (dv)-[:PRODUCED_BY]->(r) }
      WITH dv ORDER BY dv.olProducedKey DESC LIMIT 1
      RETURN dv
    }
    RETURN collect(dv)[0] AS found
  }
  CALL (ref, found) {
    WITH ref, found WHERE found IS NULL
    MERGE (s:DataSource {uri: ref.dataset})
      ON CREATE SET s.id = randomUUID(), s.createdAt = datetime.realtime(), s.olCreated = true
    RETURN collect(s)[0] AS raw
  }
  WITH r, ref, coalesce(found, raw) AS target
  CREATE (r)-[:USED {role: 'input', olDataset: ref.dataset, olVersion: ref.version, olAt: $endedAtMs}]->(target)
  WITH r, ref, target
  CALL (r, ref, target) {
    MATCH (r)<-[:PRODUCED_BY]-(o:DatasetVersion)
    WHERE o.olFeedsAll OR ref.dataset IN o.olFeeds
    CREATE (o)-[:DERIVED_FROM {transform: $transform, olDataset: ref.dataset, olVersion: ref.version, olRun: r.id}]->(target)
    RETURN count(o) AS fed
  }
  RETURN collect({dataset: ref.dataset, version: ref.version, id: target.id, raw: target:DataSource}) AS resolved
}
// Late producer: references other runs kept for these outputs move to them —
// a version facet that named one of them (kept on the raw source meanwhile), or
// an unversioned input of a run that ended after this one did, resolved to an
// older version or to the raw source.
CALL (r, created) {
  UNWIND created AS dv
  CALL (r, dv) {
    MATCH (s:DataSource {uri: dv.datasetName})<-[u:USED]-(c:Run)
    WHERE u.olDataset = dv.datasetName AND u.olVersion = dv.version AND c <> r
    RETURN u, c, s AS old
    UNION
    MATCH (c:Run)-[u:USED]->(old)
    WHERE u.olDataset = dv.datasetName AND u.olVersion = '' AND u.olAt >= dv.olProducedAtMs AND c <> r
      AND (old:DataSource OR coalesce(old.olProducedKey, '') < dv.olProducedKey)
    RETURN u, c, old
  }
  WITH dv, u, c, old, properties(u) AS up, old.id AS oldId, old:DataSource AS wasRaw
  DELETE u
  CREATE (c)-[moved:USED]->(dv)
  SET moved = up
  WITH dv, c, old, oldId, wasRaw, up
  CALL (dv, c, old, up) {
    MATCH (c)<-[:PRODUCED_BY]-(o:DatasetVersion)-[e:DERIVED_FROM]->(old)
    WHERE e.olDataset = up.olDataset AND e.olVersion = up.olVersion AND e.olRun = c.id
    WITH o, e, properties(e) AS ep
    DELETE e
    CREATE (o)-[moved:DERIVED_FROM]->(dv)
    SET moved = ep
    RETURN count(*) AS outputsMoved
  }
  RETURN collect({runId: c.id, from: oldId, to: dv.id, wasRaw: wasRaw}) AS captured, collect(DISTINCT old) AS left
}
// A raw source Pedigree made for a reference that has now found its producer goes when nothing else points at it.
CALL (left) {
  UNWIND left AS old
  WITH old WHERE old:DataSource AND old.olCreated = true AND NOT EXISTS { (old)--() }
  DETACH DELETE old
  RETURN count(*) AS removed
}
RETURN [dv IN created | dv {.id, .datasetName, .version}] AS outputs,
       COLLECT { MATCH (r)<-[:PRODUCED_BY]-(o:DatasetVersion)-[:DERIVED_FROM]->(t)
                 WHERE o IN created
                 RETURN {output: o.id, parent: t.id, raw: t:DataSource, uri: coalesce(t.uri, t.datasetName)} } AS derivations,
       resolved, captured
