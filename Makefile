# The two commands a newcomer needs (see README.md):
#   make demo   install chainkg and run the gap analysis on the embedded 梁平区 data
#   make test   install everything the tests need and run the whole suite
#
# Both install into a virtualenv: the active one when there is one ($VIRTUAL_ENV), otherwise
# the project's own .venv, made from $(PYTHON) on first use. Debian's /usr/bin/python3 refuses
# `pip install` outside a virtualenv (PEP 668), so nothing is ever installed into it.
# constraints.txt pins the set of packages the test suite last passed with.
PYTHON ?= python3
VENV ?= $(if $(VIRTUAL_ENV),$(VIRTUAL_ENV),.venv)
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install -q --disable-pip-version-check -c constraints.txt

.PHONY: demo test install bench venv

venv:
	@bash scripts/make-venv.sh "$(PYTHON)" "$(VENV)"

install: venv
	$(PIP) -e .

demo: install
	$(VENV)/bin/chainkg gaps

test: venv
	bash scripts/setup-test-env.sh "$(PY)"
	$(PY) -m pytest

bench: install
	$(PY) benchmarks/run.py
