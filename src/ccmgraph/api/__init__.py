"""The HTTP interface: one FastAPI app assembled from thin routers.

- ``sparql``: the SPARQL 1.1 protocol endpoint, service description and query page;
- ``analyst``: the named queries and analyst endpoints under /api;
- ``linked_data``: /id/..., /ontology, /shapes, /dataset, /downloads and the HTML pages.

All engine work goes through ``app.state.store`` (see ccmgraph.store) off the event loop.
"""

from __future__ import annotations

from fastapi import FastAPI

from ..store import Store, open_store
from . import sparql


def create_app(store: Store | None = None, endpoint: str | None = None) -> FastAPI:
    app = FastAPI(title="ccmgraph",
                  description="Knowledge graph of the Convention on Cluster Munitions implementation work plans.")
    app.state.store = store or open_store(endpoint)
    app.include_router(sparql.router)

    @app.get("/health", tags=["service"])
    async def health() -> dict[str, str]:
        return {"status": "ok", "version": app.state.store.version}

    return app
