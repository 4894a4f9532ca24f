"""The build pipeline: curated files -> named graphs -> OWL-RL closure -> SHACL -> dist/.

- ``build``: loads one named graph per source, runs the steps below, writes dist/;
- ``authoring``: the curators' shorthands (quotes to offsets, action lists, inheritance) and
  what the build derives (partOf, positions, descriptions);
- ``evidence``: finding a quote in its source text;
- ``periods``: the shared OWL-Time period resources;
- ``reason`` and ``rules``: the ontology's entailments (a rule set; owlrl as the reference),
  kept in their own graph;
- ``validate``: SHACL with a report a curator can act on;
- ``inputs``: what a build read, by hash (what changed since the last one);
- ``ontology_docs``: the ontology's HTML page (pyLODE);
- ``oxigraph_terms``: rdflib terms for Oxigraph (dumps, SPARQL shapes);
- ``watch``: rebuild on save.

The curator's tools that make a curated file from a received document are in
``ccmgraph.curation``.
"""

from ccmgraph.pipeline.build import (
    DIST_FILES,
    BuildError,
    Result,
    is_stale,
    run,
    write,
)

__all__ = ["DIST_FILES", "BuildError", "Result", "is_stale", "run", "write"]
