# Two commands a newcomer needs: `make serve` and `make test`. Both create .venv when missing.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: serve test build bench clean screenshots

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
	$(VENV)/bin/ccmgraph build --quiet
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	$(PY) bench/endpoint.py --dataset seed --duration 3
	$(PY) bench/analyst.py

# docs/screenshots/*.png: the main pages at 1400 and 390 px (Debian's chromium)
screenshots: $(STAMP)
	$(VENV)/bin/ccmgraph build --quiet
	$(PY) tools/screenshots.py

clean:
	rm -rf dist
