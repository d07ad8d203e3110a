// The edges among the members of a lineage answer (element ids): each
// member's "depends on" edges of $relations to another member; at most
// $limit, so the answer's edges are bounded like its nodes.
UNWIND $members AS eid
MATCH (a)-[r:PRODUCED_BY|USED|DERIVED_FROM|FINE_TUNED_FROM|DISTILLED_FROM|ADAPTED_FROM|QUANTIZED_FROM|MERGED_FROM|MADE_BY|SERVED_BY]->(b)
WHERE elementId(a) = eid AND type(r) IN $relations AND elementId(b) IN $members
RETURN a.id AS from, b.id AS to, type(r) AS relation
LIMIT $limit
