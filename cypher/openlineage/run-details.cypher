// What OpenLineage recorded on each run (facets, inputs as named, mapped
// facet properties), in key order; null for a run it never reported.
UNWIND $keys AS key
OPTIONAL MATCH (r:Run {id: key})
RETURN key, CASE WHEN r IS NULL OR r.origin <> 'openlineage' THEN null
  ELSE r {.olFacets, .olJobFacets, .olInputs, .olEndMs, .olTerminalType, .processingEngine, .processingEngineVersion,
          .nominalStartTime, .nominalEndTime, .errorMessage, .errorLanguage, .environmentVariableNames} END AS details
