// Restore: constraints and indexes are populated before the digest is checked.
CALL db.awaitIndexes(3600)
