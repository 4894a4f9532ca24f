# Two commands a newcomer needs: `make serve` and `make test`. Both create .venv when missing.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# the code the linters check (src/ is also mypy's `files` in pyproject.toml)
LINTED := src tests bench tools

.PHONY: serve test test-all lint format build bench clean screenshots

$(STAMP): pyproject.toml
	test -d $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

build: $(STAMP)
	$(VENV)/bin/ccmgraph build

serve: $(STAMP)
	$(VENV)/bin/ccmgraph serve --host 127.0.0.1 --port 8000

# The tests build the graph themselves, once, into a temporary directory (tests/conftest.py):
# no `ccmgraph build` before them, and dist/ is left as it is.
# `make test`: all but the tests marked slow (second builds, `ccmgraph serve`), under 4 minutes on 2 cores.
test: $(STAMP)
	$(PY) -m pytest -q -m "not slow"

# The whole suite, slow tests included (what .ci/run runs).
test-all: $(STAMP)
	$(PY) -m pytest -q

# All of them run, so that one report shows every finding; fails if any of them does.
lint: $(STAMP)
	@status=0; \
	$(VENV)/bin/ruff check $(LINTED) || status=1; \
	$(VENV)/bin/ruff format --check $(LINTED) || status=1; \
	$(VENV)/bin/ccmgraph format --check || status=1; \
	$(VENV)/bin/mypy || status=1; \
	$(VENV)/bin/lint-imports --no-logo || status=1; \
	exit $$status

# the code (ruff) and the curated Turtle files (turtlefmt's layout, the prefix block of data/README.md)
format: $(STAMP)
	$(VENV)/bin/ruff check --fix $(LINTED)
	$(VENV)/bin/ruff format $(LINTED)
	$(VENV)/bin/ccmgraph format

bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	$(PY) bench/endpoint.py --dataset seed --duration 3
	$(PY) bench/analyst.py
	$(PY) bench/build.py
	$(PY) bench/load.py --peer
	$(PY) bench/serve_memory.py

# docs/screenshots/*.png: the main pages at 1400 and 390 px (Debian's chromium)
screenshots: $(STAMP)
	$(VENV)/bin/ccmgraph build --quiet
	$(PY) tools/screenshots.py

clean:
	rm -rf dist .dist-serving
