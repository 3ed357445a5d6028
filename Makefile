# The two commands of cimi-one: `make run` and `make test`. Everything else is set up by them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime-installed: requirements.txt constraints.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt -c constraints.txt && \
	    $(BIN)/pip install --quiet -e . -c constraints.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt constraints.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt -c constraints.txt && \
	    $(BIN)/pip install --quiet -e . -c constraints.txt
	touch $@

## run: start the embedded OpenNebula emulator (unless ONE_XMLRPC is set) and the server
run: $(VENV)/.runtime-installed
	$(BIN)/python scripts/run.py

## test: run the whole test suite against the emulator, then, when CIMI_TEST_ONE_XMLRPC and
## CIMI_TEST_ONE_AUTH name a real OpenNebula, the real lane against it (README, "Tests")
REAL_LANE_WORKERS ?= 4
test: $(VENV)/.dev-installed
	@status=0; \
	$(BIN)/python -m pytest -n 2 || status=$$?; \
	if [ -n "$$CIMI_TEST_ONE_XMLRPC" ]; then \
	    echo "== real lane: $$CIMI_TEST_ONE_XMLRPC"; \
	    CIMI_TEST_LANE=real $(BIN)/python -m pytest -n $(REAL_LANE_WORKERS) || status=$$?; \
	fi; \
	exit $$status

## bench: print the benchmark ratios against the raw backend: the emulator's, then, when
## CIMI_BENCH_ONE_XMLRPC and CIMI_BENCH_ONE_AUTH name a real OpenNebula, its own (README,
## "Performance")
bench: $(VENV)/.dev-installed
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis
