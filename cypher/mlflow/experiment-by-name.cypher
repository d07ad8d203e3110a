MATCH (e:MlflowExperiment {name: $name})
RETURN e {.*} AS experiment
