"""The record of every resource IRI a release published (data/releases/published-iris.txt).

A published IRI is never deleted: one that is retired stays described in the reference data by
``dcterms:isReplacedBy`` its successor, and /id/... answers 301 to it."""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Graph, URIRef

from ccmgraph import paths
from ccmgraph.namespaces import ID

RECORD = paths.ROOT / "data" / "releases" / "published-iris.txt"


def published_iris(graphs: Iterable[Graph]) -> set[str]:
    """The resource IRIs (under id/) the graphs describe as subjects."""
    return {str(s) for g in graphs for s in g.subjects() if isinstance(s, URIRef) and str(s).startswith(str(ID))}
