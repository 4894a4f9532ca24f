# Two commands a newcomer needs: `make serve` and `make test`. Both create .venv when missing.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: serve test build bench clean format lint

$(STAMP): pyproject.toml
	test -d $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

build: $(STAMP)
	$(VENV)/bin/ccmgraph build

serve: $(STAMP)
	$(VENV)/bin/ccmgraph serve --host 127.0.0.1 --port 8000

test: $(STAMP)
	$(VENV)/bin/ccmgraph build --quiet --full
	$(PY) -m pytest -q

# the curated files in the one convention (turtlefmt's layout, the prefix block of data/README.md)
format: $(STAMP)
	$(VENV)/bin/ccmgraph format

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ccmgraph format --check

bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	$(PY) bench/endpoint.py --dataset seed --duration 3
	$(PY) bench/analyst.py
	$(PY) bench/build.py

clean:
	rm -rf dist
