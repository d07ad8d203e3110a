"""What Pedigree recorded from the dbt run (run.sh): each model's latest run, its inputs,
and the column lineage of the dataset version it produced. Usage: check.py <graphql url>."""
import json, os, sys, urllib.request

def gql(query, variables):
    req = urllib.request.Request(sys.argv[1], json.dumps({"query": query, "variables": variables}).encode(),
                                 {"content-type": "application/json", "authorization": "Bearer " + os.environ["OPENLINEAGE_API_KEY"]})
    body = json.load(urllib.request.urlopen(req))
    if body.get("errors"):
        raise SystemExit(json.dumps(body["errors"]))
    return body["data"]

QUERY = """query($job: JobRefInput!) { runs(job: $job, first: 1) { edges { node {
  id status parent { job { name } } lineageInputs { dataset }
  inputs { datasetVersion { dataset { name } version } }
} } } }"""
OUTPUTS = """query($id: ID!) { lineage(id: $id, direction: DOWNSTREAM, depth: 1, relations: ["PRODUCED_BY"]) { nodes { id kind label } } }"""
COLUMNS = """query($id: ID!) { datasetVersion(id: $id) { dataset { name } columnLineage { field inputFields { dataset field } } } }"""
for model in ("clean_orders", "revenue_by_country"):
    job = {"namespace": os.environ["OPENLINEAGE_NAMESPACE"], "name": f"shop.main.pedigree_shop.{model}"}
    edges = gql(QUERY, {"job": job})["runs"]["edges"]
    if not edges:
        raise SystemExit(f"Pedigree has no run of {job}")
    run = edges[0]["node"]
    outputs = [n for n in gql(OUTPUTS, {"id": run["id"]})["lineage"]["nodes"] if n["kind"] == "DatasetVersion"]
    print(json.dumps({"job": job["name"], "run": run, "outputs": [gql(COLUMNS, {"id": o["id"]})["datasetVersion"] for o in outputs]}, indent=1))
