"""What routes are handed: the engine, and the store it serves (usable as FastAPI dependencies,
``Depends(store_of)``, or called from a route's body). The store is read from the engine on every
request, so after a SPARQL Update every route reads the new one."""

from __future__ import annotations

from fastapi import Request

from ccmgraph.execution.engine import Engine
from ccmgraph.store import Store


def engine_of(request: Request) -> Engine:
    return request.app.state.engine


def store_of(request: Request) -> Store:
    return engine_of(request).store
