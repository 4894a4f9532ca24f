"""The analyst views: SPARQL queries in queries/views/*.rq run with parameters bound as terms
(see ccmgraph.store.bind_parameters: a ``# @bindings`` line inside a WHERE clause places the VALUES block
where FILTERs see it)."""

from __future__ import annotations

from functools import cache
from typing import Any

from ccmgraph import catalog, errors, paths
from ccmgraph.namespaces import ID
from ccmgraph.store import Store


@cache
def view(name: str) -> catalog.NamedQuery:
    return catalog.read_query(paths.VIEWS / f"{name}.rq")


def run(store: Store, name: str, **values: str | None) -> list[dict[str, Any]]:
    """Rows of a view; catalog.ParameterError (an InvalidParameter) for a value of the wrong type."""
    q = view(name)
    try:
        return store.select(q.sparql, q.bindings({k: v for k, v in values.items() if v is not None}))
    except errors.QueryEvaluationError as exc:  # the views are tested: only a remote store can get here
        raise errors.UpstreamError(f"the SPARQL store rejected view {name}: {exc}") from None


def local(iri: object) -> object:
    """The path under this server for one of our IRIs (others unchanged)."""
    if isinstance(iri, str) and iri.startswith(ID):
        return "/id/" + iri[len(ID) :]
    return iri
