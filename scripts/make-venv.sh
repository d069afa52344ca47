#!/usr/bin/env bash
# Makes the virtualenv VENV from PYTHON unless it exists. On Debian and Ubuntu the venv
# module comes in a package of its own (python3-venv); it is installed when missing and
# we may (root, or sudo without a password).
# Usage: scripts/make-venv.sh PYTHON VENV
set -euo pipefail
python=${1:-python3} venv=${2:-.venv}

[ -x "$venv/bin/python" ] && exit 0

if ! command -v "$python" >/dev/null; then
  echo "error: $python not found; chainkg needs Python 3.11 or later (make PYTHON=/path/to/python3.11 ...)" >&2
  exit 1
fi
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "error: chainkg needs Python 3.11 or later; $python is $("$python" -V 2>&1) (make PYTHON=/path/to/python3.11 ...)" >&2
  exit 1
fi

make_venv() { "$python" -m venv "$venv" >/dev/null 2>&1 || { rm -rf "$venv"; return 1; }; }

if ! make_venv; then
  pkg="python$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')-venv"
  if command -v apt-get >/dev/null; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo"; else
      echo "error: '$python -m venv' needs the $pkg package: sudo apt-get install $pkg" >&2
      exit 1
    fi
    echo "installing $pkg (apt), which '$python -m venv' needs"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$pkg" >/dev/null
    make_venv || { "$python" -m venv "$venv"; exit 1; }
  else
    "$python" -m venv "$venv"   # shows the interpreter's own error
    exit 1
  fi
fi
"$venv/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
echo "made virtualenv $venv ($("$venv/bin/python" -V))"
