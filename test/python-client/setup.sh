#!/usr/bin/env bash
# Builds test/python-client/.venv: the pinned dependencies and test tools
# (requirements.txt), then the client itself with `pip install ./clients/python`
# (its build backend pinned in pyproject.toml). Idempotent: a venv whose
# recorded hash of requirements.txt and the client's sources matches is left
# alone; a changed client is reinstalled, changed requirements rebuild the venv.
set -euo pipefail
cd "$(dirname "$0")"
client=../../clients/python
venv=.venv
reqs_stamp="$venv/.requirements.sha256"
client_stamp="$venv/.client.sha256"
want_reqs="$(sha256sum requirements.txt | cut -d' ' -f1)"
want_client="$(cd "$client" && find pyproject.toml README.md src -type f ! -path '*/__pycache__/*' -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)"
if [[ ! -x "$venv/bin/python" || ! -f "$reqs_stamp" || "$(cat "$reqs_stamp")" != "$want_reqs" ]]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r requirements.txt
  echo "$want_reqs" > "$reqs_stamp"
fi
if [[ ! -f "$client_stamp" || "$(cat "$client_stamp")" != "$want_client" ]]; then
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps --force-reinstall "$client"
  echo "$want_client" > "$client_stamp"
fi
"$venv/bin/python" -c 'import pedigree_client, httpx, websockets; print("pedigree-client venv ready (httpx", httpx.__version__ + ", websockets", websockets.__version__ + ")")'
