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
: "${OPENLINEAGE_URL:?set OPENLINEAGE_URL to the base URL of Pedigree, e.g. http://localhost:4000}"
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
"$venv/bin/python" "$here/check.py" "${OPENLINEAGE_URL%/}/graphql"
