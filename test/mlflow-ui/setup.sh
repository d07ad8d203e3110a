#!/usr/bin/env bash
# Installs the MLflow UI's static build (test/mlflow-ui/requirements.txt) into
# test/mlflow-ui/.wheel, without dependencies, and prints the build directory.
# Idempotent: kept while requirements.txt is unchanged (recorded by hash); pip's
# cache makes a reinstall quick. Serve it with PEDIGREE_MLFLOW_UI=<that directory>.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
target="$here/.wheel"
stamp="$target/.requirements.sha256"
want="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  rm -rf "$target"
  python3 -m pip install --quiet --disable-pip-version-check --no-deps --target "$target" -r "$here/requirements.txt" >&2
  echo "$want" > "$stamp"
fi
build="$target/mlflow/server/js/build"
[[ -f "$build/index.html" ]] || { echo "no MLflow UI build at $build" >&2; exit 1; }
echo "$build"
