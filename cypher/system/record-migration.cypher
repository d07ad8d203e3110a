MERGE (m:Migration {id: $id})
ON CREATE SET m.appliedAt = datetime.realtime()
