"""Query parameters a route does not declare are refused (422 naming the parameter and those the
route has), on the API and on the pages: a misspelt filter must not pass silently."""

from __future__ import annotations

from fastapi import Request
from fastapi.routing import APIRoute

from ccmgraph import errors

OPEN_ROUTES = {"run_query"}  # routes whose parameters are declared elsewhere (the named query's header)


def known_parameters(request: Request) -> None:
    """A router dependency: 422 for a query parameter the route does not declare."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or route.name in OPEN_ROUTES:
        return
    declared = [p.alias for p in route.dependant.query_params]  # the routes declare theirs directly
    for name in request.query_params:
        if name not in declared:
            raise errors.InvalidParameter(name, f"{route.path} has no such parameter", declared)
