"""The curator's tools: from a received document to a curated file the pipeline compiles.

- ``ingest``: a PDF, Word or text file -> data/sources/<stem>.txt and its record;
- ``draft`` (reading), ``draft_file`` (writing), ``reference_index`` (names of the reference
  resources), ``evaluate`` (the drafter against the curated files): ``ccmgraph draft``;
- ``style`` with ``turtle_tokens`` and ``line_breaks``: the curated files' layout convention
  (``ccmgraph format``).
"""
