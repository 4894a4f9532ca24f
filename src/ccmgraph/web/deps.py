"""What routes are handed: the engine, the store it serves, and who is asking (usable as FastAPI
dependencies, ``Depends(store_of)``, or called from a route's body). The store is read from the
engine on every request, so after a SPARQL Update every route reads the new one."""

from __future__ import annotations

from fastapi import Request

from ccmgraph.execution.engine import Engine
from ccmgraph.store import Store


def engine_of(request: Request) -> Engine:
    return request.app.state.engine


def store_of(request: Request) -> Store:
    return engine_of(request).store


def client_of(request: Request) -> str:
    """Who sends the request, for the per-client limits (ccmgraph.execution.admission): the value
    of the header the settings name (``client_header``, set by a proxy in front: of a list such as
    X-Forwarded-For's, the last entry, the one the proxy added), else the remote address."""
    header = engine_of(request).settings.client_header
    if header:
        value = request.headers.get(header, "").rsplit(",", 1)[-1].strip()
        if value:
            return value
    return request.client.host if request.client else "unknown"
