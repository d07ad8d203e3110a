#!/usr/bin/env bash
# Installs a pinned Python client into <dir>/.venv from <dir>/requirements.txt.
# Idempotent: a venv whose installed set matches requirements.txt (recorded by
# hash) is left alone; otherwise it is rebuilt. pip's cache makes a rebuild quick.
#   python-venv.sh <dir> <python code printing what was installed>
set -euo pipefail
cd "$1"
check="$2"
venv=.venv
stamp="$venv/.requirements.sha256"
want="$(sha256sum requirements.txt | cut -d' ' -f1)"
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "$(basename "$1") venv up to date ($("$venv/bin/python" -c "$check"))"
  exit 0
fi
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r requirements.txt
"$venv/bin/python" -c "$check"
echo "$want" > "$stamp"
