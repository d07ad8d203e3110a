// Restore: one batch of relationships between nodes restored before, found by their keys.
UNWIND $rows AS row
MATCH (a:PedigreeRestoring {pedigreeRestoreKey: row.a})
MATCH (b:PedigreeRestoring {pedigreeRestoreKey: row.b})
CREATE (a)-[r:$(row.type)]->(b)
SET r = row.props
