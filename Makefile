# The two commands a newcomer needs (see README.md):
#   make demo   install chainkg and run the gap analysis on the embedded 梁平区 data
#   make test   install everything the tests need and run the whole suite
PYTHON ?= python3

.PHONY: demo test install bench

install:
	$(PYTHON) -m pip install -q -e .

demo: install
	chainkg gaps

test:
	bash scripts/setup-test-env.sh
	$(PYTHON) -m pytest

bench: install
	$(PYTHON) benchmarks/run.py
