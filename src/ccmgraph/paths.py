"""Where the project's data lives. Everything is relative to the project root."""

import os
from pathlib import Path

ROOT = Path(os.environ.get("CCMGRAPH_ROOT", Path(__file__).resolve().parents[2]))
ONTOLOGY_DIR = ROOT / "ontology"
ONTOLOGY = ONTOLOGY_DIR / "ccm.ttl"
SHAPES = ONTOLOGY_DIR / "shapes.ttl"
CONTEXT = ONTOLOGY_DIR / "context.jsonld"
DATA = ROOT / "data"
SOURCES = DATA / "sources"
REFERENCE = DATA / "reference"
WORKPLANS = DATA / "workplans"
QUERIES = ROOT / "queries"
VIEWS = QUERIES / "views"  # the analyst API's and pages' queries
DIST = Path(os.environ.get("CCMGRAPH_DIST", ROOT / "dist"))
ONTOLOGY_HTML = "ontology.html"  # the ontology's documentation page, in the dist/ directory
