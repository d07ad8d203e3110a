// Restore: looks nodes up by their key in the backup while relationships are
// loaded; dropped when the restore finishes.
CREATE INDEX pedigree_restore_key IF NOT EXISTS FOR (n:PedigreeRestoring) ON (n.pedigreeRestoreKey)
