// Records one applied migration, with the Pedigree version that applied it.
MERGE (m:Migration {id: $id})
ON CREATE SET m.appliedAt = datetime.realtime(), m.pedigreeVersion = $version
