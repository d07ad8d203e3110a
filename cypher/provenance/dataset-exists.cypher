// Whether a dataset version or raw source with this id exists.
CALL () {
  MATCH (n:DatasetVersion {id: $id}) RETURN n
  UNION MATCH (n:DataSource {id: $id}) RETURN n
}
RETURN count(n) > 0 AS found
