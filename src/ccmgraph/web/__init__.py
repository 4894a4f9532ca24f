"""The HTTP interface: the FastAPI app (``app.create_app``), the SPARQL protocol, the analyst
API, linked data and the pages. Thin: the logic lives in ``ccmgraph.analysis``,
``ccmgraph.sparql`` and ``ccmgraph.store``."""
