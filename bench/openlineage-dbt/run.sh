#!/usr/bin/env bash
# A tiny dbt project on DuckDB reporting to Pedigree through dbt-ol, exactly as
# a team's would: seeds (raw_orders, countries) -> clean_orders -> revenue_by_country.
#
#   export OPENLINEAGE_URL=http://localhost:4000 OPENLINEAGE_API_KEY=<CONTRIBUTOR token>
#   bash bench/openlineage-dbt/run.sh
#
# Installs openlineage-dbt 1.54.0 with dbt-core 1.10 and dbt-duckdb into
# bench/openlineage-dbt/.venv on first use (a few minutes), runs `dbt-ol seed`
# and `dbt-ol run` in a scratch copy of the project, then asks Pedigree's
# GraphQL for the runs of the revenue model's job and the column lineage of its
# output. Not part of CI (the dbt install alone takes minutes here); see
# README.md beside this script.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
: "${OPENLINEAGE_URL:?set OPENLINEAGE_URL to Pedigree's base URL, e.g. http://localhost:4000}"
: "${OPENLINEAGE_API_KEY:?set OPENLINEAGE_API_KEY to a CONTRIBUTOR token}"
export OPENLINEAGE_NAMESPACE="${OPENLINEAGE_NAMESPACE:-dbt-shop}"

venv="$here/.venv"
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"
if [[ ! -x "$venv/bin/dbt-ol" || ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
  echo "$want" > "$stamp"
fi

export PATH="$venv/bin:$PATH" # dbt-ol runs the dbt beside it
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$here/project/." "$work/"
cd "$work"
export DBT_DUCKDB_PATH="$work/shop.duckdb"
dbt-ol seed --profiles-dir "$work"
dbt-ol run --profiles-dir "$work"

# What Pedigree recorded: each model's latest run, its inputs, and the column
# lineage of the dataset version it produced.
"$venv/bin/python" - "${OPENLINEAGE_URL%/}/graphql" <<'PY'
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
PY
