"""The analyst views: SPARQL queries in queries/views/*.rq run with parameters bound as terms
(see ccmgraph.store.bind_parameters: a ``# @bindings`` line inside a WHERE clause places the VALUES block
where FILTERs see it)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from ccmgraph import catalog, errors, paths
from ccmgraph.namespaces import ID
from ccmgraph.store import Binding, Store


@cache
def view(name: str) -> catalog.NamedQuery:
    return catalog.read_query(paths.VIEWS / f"{name}.rq")


def run(store: Store, name: str, **values: str | None) -> list[dict[str, Any]]:
    """Rows of a view; catalog.ParameterError (an InvalidParameter) for a value of the wrong type."""
    return select(store, name, view(name).bindings({k: v for k, v in values.items() if v is not None}))


def select(store: Store, name: str, bindings: Mapping[str, Binding]) -> list[dict[str, Any]]:
    """Rows of a view with its variables bound to terms (a list of terms: a row each)."""
    try:
        return store.select(view(name).sparql, bindings)
    except errors.QueryEvaluationError as exc:  # the views are tested: only a remote store can get here
        raise errors.UpstreamError(f"the SPARQL store rejected view {name}: {exc}") from None


def local(iri: object) -> object:
    """The path under this server for one of our IRIs (others unchanged)."""
    if isinstance(iri, str) and iri.startswith(ID):
        return "/id/" + iri[len(ID) :]
    return iri
