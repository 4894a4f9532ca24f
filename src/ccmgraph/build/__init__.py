"""The build pipeline: curated files -> named graphs -> OWL-RL closure -> SHACL -> dist/,
and the tools that make a curated file from a received document.

- ``pipeline``: loads one named graph per source, runs the steps below, writes dist/;
- ``authoring``: the curators' shorthands (quotes to offsets, action lists, inheritance) and
  what the build derives (partOf, positions, descriptions);
- ``evidence``: finding a quote in its source text;
- ``periods``: the shared OWL-Time period resources;
- ``reason`` and ``rules``: the ontology's entailments (a rule set; owlrl as the reference),
  kept in their own graph;
- ``validate``: SHACL with a report a curator can act on;
- ``ontology_docs``: the ontology's HTML page (pyLODE);
- ``watch``: rebuild on save;
- ``ingest``: a PDF, Word or text file -> data/sources/<stem>.txt and its record;
- ``draft`` (reading), ``draft_file`` (writing), ``reference_index`` (names of the reference
  resources), ``evaluate`` (the drafter against the curated files): ``ccmgraph draft``;
- ``style``: the curated files' layout convention (``ccmgraph format``).
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
