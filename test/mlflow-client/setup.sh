#!/usr/bin/env bash
# Installs the pinned MLflow client into test/mlflow-client/.venv (see test/support/python-venv.sh).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
exec bash "$here/../support/python-venv.sh" "$here" 'import mlflow, mlflow.pyfunc, pandas; print("mlflow client", mlflow.__version__)'
