"""The HTTP interface: one FastAPI app assembled from thin routers.

- ``sparql_protocol``: the SPARQL 1.1 protocol endpoint and service description (``sparql_fastpath``
  answers repeated requests in front of it), ``query_page``: the query page;
- ``analyst``: the named queries and analyst endpoints under /api;
- ``linked_data``: /id/..., /ontology, /shapes, /dataset, /downloads and the HTML pages (``pages``,
  ``resource_pages``: their data from ccmgraph.analysis.service); ``search_page``: /search;
  ``api_docs``: /docs without a CDN; ``security``: security headers and HEAD on every answer;
  ``rendering``: the pages' one Jinja environment; ``releases``: a new build served without a restart;
  /static: one mount.

Fixed, fast queries of the routers go through ``app.state.store`` (see ccmgraph.store) off the
event loop; the SPARQL endpoint's arbitrary queries go through ``app.state.engine`` (killable
worker processes, see ccmgraph.sparql.engine), which starts with the app (or on the first query).
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from ccmgraph import paths
from ccmgraph.sparql.engine import Engine, SparqlSettings
from ccmgraph.store import Store, open_store
from ccmgraph.web import (
    analyst,
    api_docs,
    errors,
    linked_data,
    pages,
    query_page,
    releases,
    review,
    search_page,
    sparql_protocol,
)
from ccmgraph.web.rendering import STATIC
from ccmgraph.web.security import SecurityHeaders
from ccmgraph.web.sparql_fastpath import FastPath


def create_app(
    store: Store | None = None,
    endpoint: str | None = None,
    *,
    settings: SparqlSettings | None = None,
    dist: Path | None = None,
    queries_dir: Path | None = None,
) -> FastAPI:
    """The app over ``store`` (default: ``dist`` in the embedded engine, or the remote ``endpoint``).

    ``settings``: the SPARQL endpoint's limits and switches (time limit, result size, updates...).
    ``dist``: the built dataset's directory, whose dumps /downloads serves (default: paths.DIST).
    ``queries_dir``: the named queries (default: paths.QUERIES).
    """
    engine = Engine(store or open_store(endpoint, dist), settings)
    follows = store is None and endpoint is None  # the embedded store of dist/: serve each new build

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await engine.start()
        try:
            if follows:
                async with releases.following(engine, app.state.dist):
                    yield
            else:
                yield
        finally:
            await engine.close()

    app = FastAPI(
        title="ccmgraph",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,  # /docs: web.api_docs
        description="Knowledge graph of the Convention on Cluster Munitions implementation work plans.",
    )
    errors.install(app)
    app.state.store = engine.store
    app.state.engine = engine
    app.state.dist = dist or paths.DIST
    app.state.queries_dir = queries_dir or paths.QUERIES
    engine.on_new_store = lambda new: setattr(app.state, "store", new)  # after a SPARQL Update
    app.add_middleware(FastPath)  # /sparql without the routing layers (inside CORS)
    # CORS: anyone may read; updates need an Authorization header, which is not allowed cross-origin
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
        allow_headers=["Accept", "Content-Type", "If-None-Match", "Cache-Control"],
        expose_headers=sparql_protocol.EXPOSED_HEADERS,
        max_age=86400,
    )
    app.add_middleware(SecurityHeaders)  # outermost: every answer, HEAD wherever GET

    app.include_router(sparql_protocol.router)  # first: /sparql is the hot path
    app.include_router(query_page.router)
    # the other interfaces' routers:
    app.include_router(api_docs.router)
    app.include_router(search_page.router)
    app.include_router(analyst.router)
    app.include_router(linked_data.router)
    app.include_router(pages.router)
    app.include_router(review.router)
    # last, so that any router above may claim "/" instead
    app.add_api_route("/", query_page.home, include_in_schema=False)
    # the one static mount: the site's files, and Swagger UI's from the fastapi-offline package
    app.mount("/static", StaticFiles(directory=STATIC, packages=[("fastapi_offline", "static")]), name="static")
    app.add_api_route(
        "/favicon.ico",
        lambda: FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml"),
        include_in_schema=False,
    )

    @app.get("/health", tags=["service"])
    async def health() -> dict[str, str]:
        return {"status": "ok", "version": app.state.store.version}

    def openapi() -> dict:
        if app.openapi_schema is None:
            schema = FastAPI.openapi(app)
            schema.setdefault("paths", {}).update(sparql_protocol.OPENAPI_PATH)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


async def favicon() -> FileResponse:
    return FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml")


SETTINGS_ENV = "CCMGRAPH_SPARQL_SETTINGS"
ENDPOINT_ENV = "CCMGRAPH_SPARQL_ENDPOINT"


def app_from_environment() -> FastAPI:
    """``create_app`` with its options from the environment, for ``uvicorn --factory`` (several
    HTTP worker processes, ``ccmgraph serve --http-workers N``): settings as JSON in
    $CCMGRAPH_SPARQL_SETTINGS, a remote store's URL in $CCMGRAPH_SPARQL_ENDPOINT."""
    import json
    import os

    settings = SparqlSettings(**json.loads(os.environ.get(SETTINGS_ENV, "{}")))
    return create_app(endpoint=os.environ.get(ENDPOINT_ENV) or None, settings=settings)
