// Batch: the version each serving entry names at its instant `at`. A pinned
// entry names its version node; one following an alias names the version of
// the alias's last move at or before `at` (none after a delete), read from the
// alias events so it cannot disagree with aliasHistory; "latest" is the highest
// version created by then. Entries recorded with their model node follow it
// across renames: an event counts when it was written under the name the model
// had at its sequence (formerNames / renamedAtSequence, kept by renames), never
// under a name another model took later. One row per entry, in order.
UNWIND range(0, size($entries) - 1) AS i
WITH i, $entries[i] AS s
OPTIONAL MATCH (m:RegisteredModel {id: s.modelId})
WITH i, s, m,
  CASE WHEN m IS NULL THEN [{name: s.modelName, from: null, to: null}]
  ELSE [j IN range(0, size(coalesce(m.formerNames, [])) - 1) |
          {name: m.formerNames[j], from: CASE WHEN j = 0 THEN null ELSE m.renamedAtSequence[j - 1] END, to: m.renamedAtSequence[j]}]
       + [{name: m.name, from: last(coalesce(m.renamedAtSequence, [null])), to: null}]
  END AS names
WITH i, s, m,
  CASE
    WHEN s.alias IS NULL THEN s.version
    WHEN s.alias = 'latest' THEN COLLECT {
      UNWIND names AS n
      MATCH (e:Event) WHERE e.modelName = n.name AND e.type = $createdType AND e.at <= datetime(s.at)
        AND (n.from IS NULL OR e.sequence > n.from) AND (n.to IS NULL OR e.sequence < n.to)
      RETURN e ORDER BY e.version DESC LIMIT 1
    }[0].version
    ELSE COLLECT {
      UNWIND names AS n
      MATCH (e:Event) WHERE e.modelName = n.name AND e.alias = s.alias AND e.type IN $aliasTypes AND e.at <= datetime(s.at)
        AND (n.from IS NULL OR e.sequence > n.from) AND (n.to IS NULL OR e.sequence < n.to)
      RETURN e ORDER BY e.sequence DESC LIMIT 1
    }[0].version
  END AS number
CALL (s, m, number) {
  OPTIONAL MATCH (pinned:ModelVersion {id: s.versionId}) WHERE s.alias IS NULL
  OPTIONAL MATCH (m)<-[:VERSION_OF]-(followed:ModelVersion {version: number}) WHERE s.alias IS NOT NULL
  OPTIONAL MATCH (byName:ModelVersion {modelName: s.modelName, version: number}) WHERE m IS NULL AND (s.alias IS NOT NULL OR s.versionId IS NULL)
  RETURN coalesce(pinned, followed, byName) AS v
}
RETURN i, v {.*} AS version
ORDER BY i
