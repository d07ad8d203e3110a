// Restore: one batch of nodes, each with its labels and properties, marked
// with its key in the backup until restore-finish removes the mark.
UNWIND $rows AS row
CREATE (n:$(row.labels + ['PedigreeRestoring']))
SET n = row.props, n.pedigreeRestoreKey = row.key
