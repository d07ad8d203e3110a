// One level of the grouped lineage walk, counted here rather than listed.
// $frontier: the nodes the walk goes on from, each with its direction (f.up:
// along "depends on" edges, else against them) and the id of the node or
// group it is shown as (f.unit). A node reached is new unless it is in $seen
// (element ids the walk holds) or a neighbour of $priorUp/$priorDown (earlier
// frontier nodes some of whose neighbours were only counted, so their element
// ids are not in $seen): a diamond is counted once. A new node goes to the
// frontier node reaching it with the smallest (id, relation, direction), and
// is counted in its set: (that node's unit, relation, direction, kind). Ids
// come back only for sets of at most $above (all members) and the first
// $window members by id of larger ones; element ids for the members with
// edges further on ($last: none), which the walk goes on from. At most $room
// new nodes are read; when there were more, a row with `cut` (and no set) says
// so.
UNWIND $frontier AS f
MATCH (a) WHERE elementId(a) = f.eid
CALL (a, f) {
  MATCH (a)-[r:PRODUCED_BY|USED|DERIVED_FROM|FINE_TUNED_FROM|DISTILLED_FROM|ADAPTED_FROM|QUANTIZED_FROM|MERGED_FROM|MADE_BY|SERVED_BY]->(n)
  WHERE f.up AND type(r) IN $relations
  RETURN n, type(r) AS relation
  UNION ALL
  MATCH (a)<-[r:PRODUCED_BY|USED|DERIVED_FROM|FINE_TUNED_FROM|DISTILLED_FROM|ADAPTED_FROM|QUANTIZED_FROM|MERGED_FROM|MADE_BY|SERVED_BY]-(n)
  WHERE NOT f.up AND type(r) IN $relations
  RETURN n, type(r) AS relation
}
WITH n, min([a.id, relation, CASE WHEN f.up THEN 0 ELSE 1 END, f.unit]) AS via
WHERE NOT elementId(n) IN $seen
  AND ($priorUp = [] OR NOT EXISTS {
    MATCH (n)<-[r:PRODUCED_BY|USED|DERIVED_FROM|FINE_TUNED_FROM|DISTILLED_FROM|ADAPTED_FROM|QUANTIZED_FROM|MERGED_FROM|MADE_BY|SERVED_BY]-(p)
    WHERE elementId(p) IN $priorUp AND type(r) IN $relations
  })
  AND ($priorDown = [] OR NOT EXISTS {
    MATCH (n)-[r:PRODUCED_BY|USED|DERIVED_FROM|FINE_TUNED_FROM|DISTILLED_FROM|ADAPTED_FROM|QUANTIZED_FROM|MERGED_FROM|MADE_BY|SERVED_BY]->(p)
    WHERE elementId(p) IN $priorDown AND type(r) IN $relations
  })
WITH n, via LIMIT $room + 1
WITH collect({n: n, via: via}) AS read
UNWIND CASE WHEN size(read) > $room THEN read[0..$room] + [{cut: true}] ELSE read END AS row
WITH row.n AS n, row.via AS via, row.cut AS cut
WITH n, cut, via[3] AS unit, via[1] AS relation, via[2] = 0 AS up,
     [l IN labels(n) WHERE l IN ['ModelVersion', 'Run', 'DatasetVersion', 'DataSource', 'ProviderModel', 'Prediction', 'Deployment']][0] AS kind
WITH n, cut, unit, relation, up, kind,
     CASE
       WHEN $last OR n IS NULL THEN false
       // Any edge at all first: one degree look-up settles a prediction (nothing depends on one).
       WHEN up THEN EXISTS { (n)-->() } AND EXISTS { (n)-[:PRODUCED_BY|USED|DERIVED_FROM|FINE_TUNED_FROM|DISTILLED_FROM|ADAPTED_FROM|QUANTIZED_FROM|MERGED_FROM|MADE_BY|SERVED_BY]->() }
       ELSE EXISTS { (n)<--() } AND EXISTS { (n)<-[:PRODUCED_BY|USED|DERIVED_FROM|FINE_TUNED_FROM|DISTILLED_FROM|ADAPTED_FROM|QUANTIZED_FROM|MERGED_FROM|MADE_BY|SERVED_BY]-() }
     END AS onward
WITH cut, unit, relation, up, kind, count(n) AS count, collect(n) AS members, collect(CASE WHEN onward THEN elementId(n) END) AS onward
RETURN cut, unit AS attachedTo, relation, up, kind, count,
       CASE
         WHEN count <= $above THEN [m IN members | {eid: elementId(m), id: m.id}]
         WHEN $window = 0 THEN []
         ELSE COLLECT { UNWIND members AS m WITH m ORDER BY m.id LIMIT $window RETURN {eid: elementId(m), id: m.id} }
       END AS members,
       onward
