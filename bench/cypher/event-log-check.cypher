// Bench: the global event log has no duplicate and no gap (sequence 1..counter).
MATCH (c:Counter {name: 'events'})
CALL () {
  MATCH (e:Event)
  RETURN count(e) AS events, count(DISTINCT e.sequence) AS distinctSequences, min(e.sequence) AS first, max(e.sequence) AS last
}
RETURN c.value AS counter, events, distinctSequences, first, last
