// Restore: removes the restore marks, in transactions of 10,000 nodes (reads
// every restored node on purpose; runs as an auto-commit query).
MATCH (n:PedigreeRestoring)
CALL (n) {
  REMOVE n:PedigreeRestoring
  REMOVE n.pedigreeRestoreKey
} IN TRANSACTIONS OF 10000 ROWS
