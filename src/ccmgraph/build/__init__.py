"""The build pipeline: curated files -> named graphs -> OWL-RL closure -> SHACL -> dist/.

- ``pipeline``: loads one named graph per source, runs the steps below, writes dist/;
- ``authoring``: the curators' shorthands (quotes to offsets, action lists, inheritance);
- ``evidence``: finding a quote in its source text;
- ``periods``: the shared OWL-Time period resources;
- ``reason``: the OWL-RL closure, kept in its own graph;
- ``validate``: SHACL with a report a curator can act on;
- ``ontology_docs``: the ontology's HTML page (pyLODE).
"""

from ccmgraph.build.pipeline import (
    DIST_FILES,
    BuildError,
    Result,
    is_stale,
    run,
    write,
)

__all__ = ["DIST_FILES", "BuildError", "Result", "is_stale", "run", "write"]
