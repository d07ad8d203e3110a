// Bench: wait until every index and constraint is online before measuring.
CALL db.awaitIndexes(600)
