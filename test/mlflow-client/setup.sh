#!/usr/bin/env bash
# Installs the pinned MLflow client into test/mlflow-client/.venv. Idempotent:
# a venv whose installed set matches requirements.txt (recorded by hash) is
# left alone; otherwise it is rebuilt. pip's cache makes a rebuild quick.
set -euo pipefail
cd "$(dirname "$0")"
venv=.venv
stamp="$venv/.requirements.sha256"
want="$(sha256sum requirements.txt | cut -d' ' -f1)"
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "mlflow client venv up to date ($("$venv/bin/python" -c 'import mlflow; print(mlflow.__version__)'))"
  exit 0
fi
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r requirements.txt
"$venv/bin/python" -c 'import mlflow, mlflow.pyfunc, pandas; print("mlflow client", mlflow.__version__)'
echo "$want" > "$stamp"
