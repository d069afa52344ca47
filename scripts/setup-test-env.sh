#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian machine: Chromium and ChromeDriver
# for the browser tests and the PDF report, Graphviz for the report's diagrams, Java 17
# and Maven for the Neo4j test server, and the Python packages. Idempotent: a second run installs nothing.
# Usage: scripts/setup-test-env.sh [PYTHON]
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v chromium >/dev/null || need_apt+=(chromium)
command -v chromedriver >/dev/null || need_apt+=(chromium-driver)
command -v java >/dev/null || need_apt+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null || need_apt+=(maven)
# Graphviz's dot draws the chain diagrams of chainkg report
command -v dot >/dev/null || need_apt+=(graphviz)
# CJK glyphs, so browser-test screenshots show Chinese text rather than boxes
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need_apt+=(fonts-wqy-microhei)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing ${need_apt[*]} (apt)"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# The Python packages, into the interpreter given (the Makefile passes its virtualenv's),
# at the versions constraints.txt pins
py=${1:-python3}
"$py" -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[test]'
