"""HTML documentation of the ontology, generated with pyLODE at build time."""

from __future__ import annotations

import logging
from pathlib import Path

from ccmgraph import paths


def ontology_html(ontology: Path | None = None) -> str:
    """pyLODE's page for the ontology (deterministic for the same input).

    pyLODE calls ``logging.basicConfig(level=DEBUG)`` at import; a handler already on the
    root logger makes that a no-op, so building stays quiet.
    """
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    if not handlers:
        root.addHandler(logging.NullHandler())
    try:
        from pylode import OntPub

        return OntPub(str(ontology or paths.ONTOLOGY)).make_html()
    finally:
        root.setLevel(level)
        root.handlers[:] = handlers
