"""HTML documentation of the ontology, generated with pyLODE at build time."""

from __future__ import annotations

import logging
from pathlib import Path

from . import paths


def ontology_html(ontology: Path | None = None) -> str:
    """pyLODE's page for the ontology (deterministic for the same input).

    pyLODE configures the root logger at import (DEBUG, to stderr); the previous logging
    set-up is restored so that building stays quiet.
    """
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    try:
        from pylode import OntPub

        return OntPub(str(ontology or paths.ONTOLOGY)).make_html()
    finally:
        root.setLevel(level)
        root.handlers[:] = handlers
