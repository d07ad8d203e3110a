#!/usr/bin/env bash
# The browser tests drive Debian's chromium (test/browser/support.ts). npm
# test's pretest runs this: it installs chromium with apt-get when it is
# missing and this user may (root, apt-get present), as .ci/run does; where it
# cannot, it stops at once naming the one command to run.
set -euo pipefail
want="${PEDIGREE_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$want" ]; then
  "$want" --version 2>/dev/null || echo "chromium at $want"
  exit 0
fi
if [ -n "${PEDIGREE_CHROMIUM:-}" ]; then
  echo "PEDIGREE_CHROMIUM=$PEDIGREE_CHROMIUM is not an executable chromium: point it at one, or unset it to use Debian's /usr/bin/chromium" >&2
  exit 1
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "== installing Debian's chromium for the browser tests (apt-get)"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
  /usr/bin/chromium --version
  exit 0
fi
if command -v apt-get >/dev/null 2>&1; then
  echo "The browser tests need chromium at /usr/bin/chromium, and only root can install it. Run:" >&2
  echo "  sudo apt-get install -y --no-install-recommends chromium" >&2
else
  echo "The browser tests need chromium and this machine has no apt-get. Install a Chromium and run:" >&2
  echo "  PEDIGREE_CHROMIUM=/path/to/chromium npm test" >&2
fi
exit 1
