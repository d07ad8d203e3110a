// Bench: node counts by label, for the generator's summary and the smoke test.
MATCH (n)
UNWIND labels(n) AS label
RETURN label, count(*) AS n
ORDER BY label
