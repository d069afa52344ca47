#!/usr/bin/env bash
# Rewrites constraints.txt from a fresh resolution of chainkg[test]: run it, then `make test`,
# and commit both only when the suite passes. Usage: scripts/pin-constraints.sh [PYTHON]
set -euo pipefail
cd "$(dirname "$0")/.."
python=${1:-python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$python" -m venv "$tmp/venv"
"$tmp/venv/bin/python" -m pip install -q --disable-pip-version-check '.[test]'
{
  echo "# The package set the test suite last passed with (Python $("$tmp/venv/bin/python" -c 'import sys; print(*sys.version_info[:2], sep=".")')),"
  echo "# made by scripts/pin-constraints.sh. The Makefile installs with -c constraints.txt."
  "$tmp/venv/bin/python" -m pip freeze --exclude chainkg | LC_ALL=C sort -f
} > constraints.txt
echo "wrote constraints.txt ($(grep -vc '^#' constraints.txt) packages)"
