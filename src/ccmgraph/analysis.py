"""The analyst views: SPARQL queries in queries/views/*.rq run with parameters bound as terms
(see ccmgraph.store.bind_parameters: a ``# @bindings`` line inside a WHERE clause places the VALUES block
where FILTERs see it)."""

from __future__ import annotations

from functools import lru_cache

from ccmgraph import catalog, paths
from ccmgraph.store import Store

VIEWS = paths.QUERIES / "views"
BASE = "https://w3id.org/ccmgraph/"
ID = BASE + "id/"


@lru_cache(maxsize=None)
def view(name: str) -> catalog.NamedQuery:
    return catalog.read_query(VIEWS / f"{name}.rq")


def run(store: Store, name: str, **values: str) -> list[dict[str, object]]:
    """Rows of a view; raises catalog.ParameterError for a value of the wrong type."""
    q = view(name)
    return store.select(q.sparql, q.bindings({k: v for k, v in values.items() if v is not None}))


def local(iri: object) -> object:
    """The path under this server for one of our IRIs (others unchanged)."""
    if isinstance(iri, str) and iri.startswith(ID):
        return "/id/" + iri[len(ID):]
    return iri
