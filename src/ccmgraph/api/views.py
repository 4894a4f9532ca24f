"""The analyst views: SPARQL queries in queries/views/*.rq run with parameters bound as terms.

A view may hold ``# @bindings`` lines inside its WHERE clause; each becomes a ``VALUES`` block
whose terms pyoxigraph serializes (a value can never change the query's structure), so that
FILTERs see the values. Views without the marker get the store's trailing VALUES clause.
"""

from __future__ import annotations

from functools import lru_cache

import pyoxigraph as ox

from .. import catalog, paths
from ..store import Store

VIEWS = paths.QUERIES / "views"
MARKER = "# @bindings"
BASE = "https://w3id.org/ccmgraph/"
ID = BASE + "id/"


@lru_cache(maxsize=None)
def view(name: str) -> catalog.NamedQuery:
    return catalog.parse(VIEWS / f"{name}.rq")


def inline(text: str, bindings: dict[str, ox.NamedNode | ox.Literal | None]) -> str:
    """Replace each ``# @bindings`` line with a VALUES block (UNDEF for a missing value)."""
    if not bindings:
        return text.replace(MARKER, "")
    names = " ".join(f"?{k}" for k in bindings)
    values = " ".join("UNDEF" if v is None else str(v) for v in bindings.values())
    return text.replace(MARKER, f"VALUES ({names}) {{ ({values}) }}")


def text_of(name: str, **values: str) -> str:
    q = view(name)
    return inline(q.sparql, q.bindings({k: v for k, v in values.items() if v is not None}))


def run(store: Store, name: str, **values: str) -> list[dict[str, object]]:
    """Rows of a view; raises catalog.ParameterError for a value of the wrong type."""
    q = view(name)
    bindings = q.bindings({k: v for k, v in values.items() if v is not None})
    if MARKER in q.sparql:
        return store.select(inline(q.sparql, bindings))
    return store.select(q.sparql, bindings)


def local(iri: object) -> object:
    """The path under this server for one of our IRIs (others unchanged)."""
    if isinstance(iri, str) and iri.startswith(ID):
        return "/id/" + iri[len(ID):]
    return iri
