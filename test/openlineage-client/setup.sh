#!/usr/bin/env bash
# Installs the pinned OpenLineage Python client into test/openlineage-client/.venv.
# Idempotent: a venv whose installed set matches requirements.txt (recorded by
# hash) is left alone; otherwise it is rebuilt.
set -euo pipefail
cd "$(dirname "$0")"
venv=.venv
stamp="$venv/.requirements.sha256"
want="$(sha256sum requirements.txt | cut -d' ' -f1)"
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "openlineage client venv up to date ($("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("openlineage-python"))'))"
  exit 0
fi
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r requirements.txt
"$venv/bin/python" -c 'import importlib.metadata as m, openlineage.client; print("openlineage client", m.version("openlineage-python"))'
echo "$want" > "$stamp"
