#!/usr/bin/env bash
# Installs the pinned OpenLineage Python client into test/openlineage-client/.venv (see test/support/python-venv.sh).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
exec bash "$here/../support/python-venv.sh" "$here" 'import importlib.metadata as m, openlineage.client; print("openlineage client", m.version("openlineage-python"))'
