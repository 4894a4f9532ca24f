"""The HTTP interface: one FastAPI app assembled from thin routers.

- ``sparql_protocol``: the SPARQL 1.1 protocol endpoint and service description (``sparql_fastpath``
  answers repeated requests in front of it), ``query_page``: the query page;
- ``analyst``: the named queries and analyst endpoints under /api;
- ``linked_data``: /id/..., /ontology, /shapes, /dataset, /downloads and the HTML pages (``pages``,
  ``resource_pages``: their data from ccmgraph.analysis.service); ``search_page``: /search;
  ``api_docs``: /docs without a CDN; ``security``: security headers and HEAD on every answer;
  ``rendering``: the pages' one Jinja environment; ``releases``: a new build served without a restart;
  ``citation``: the release served named on every answer, and the pages' "cite this";
  ``dataset_releases``: /dataset/releases (the history, what changed, the kept dump);
  /static: one mount; ``page_cache``: pages and API answers kept per graph version (ETag, 304).

Fixed, fast queries of the routers go through the engine's store (``web.deps.store_of``, see
ccmgraph.store) off the event loop; the SPARQL endpoint's arbitrary queries go through ``app.state.engine`` (killable
worker processes, see ccmgraph.execution.engine), which starts with the app (or on the first query).
"""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from ccmgraph import paths
from ccmgraph.execution.engine import Engine, SparqlSettings
from ccmgraph.settings import Settings
from ccmgraph.store import EmbeddedStore, Store, open_store
from ccmgraph.web import (
    analyst,
    analyst_pages,
    api_docs,
    citation,
    dataset_releases,
    errors,
    linked_data,
    pages,
    query_page,
    releases,
    reports,
    review,
    search_page,
    sparql_protocol,
)
from ccmgraph.web.etags import ApiETags
from ccmgraph.web.page_cache import PageCache
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
    settings = settings or SparqlSettings()
    engine = Engine(store or open_store(endpoint, dist, settings.memory_copy_quads), settings)
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

    app = _App(
        title="ccmgraph",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,  # /docs: web.api_docs
        description="Knowledge graph of the Convention on Cluster Munitions implementation work plans.",
    )
    errors.install(app)
    app.state.engine = engine  # routes read it, and the store it serves, through ccmgraph.web.deps
    app.state.dist = dist or paths.DIST
    app.state.queries_dir = queries_dir or paths.QUERIES
    app.add_middleware(
        FastPath, table_bytes=engine.settings.fast_table_bytes
    )  # /sparql without the routing layers (inside CORS)
    app.add_middleware(ApiETags)  # /api answers tagged by their bytes (inside the page cache, which keeps the tag)
    app.add_middleware(PageCache, table_bytes=engine.settings.page_cache_bytes)  # pages and /api, per graph version
    # CORS: anyone may read; updates need an Authorization header, which is not allowed cross-origin
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
        allow_headers=["Accept", "Content-Type", "If-None-Match", "Cache-Control"],
        expose_headers=[*sparql_protocol.EXPOSED_HEADERS, citation.HEADER, "Link"],
        max_age=86400,
    )
    app.add_middleware(citation.ReleaseHeader, engine=engine, dist=app.state.dist)  # CCMGraph-Release: every answer
    app.add_middleware(SecurityHeaders)  # outermost: every answer, HEAD wherever GET

    app.include_router(sparql_protocol.router)  # first: /sparql is the hot path
    app.include_router(query_page.router)
    # the other interfaces' routers:
    app.include_router(api_docs.router)
    app.include_router(search_page.router)
    app.include_router(analyst.router)
    app.include_router(dataset_releases.router)  # before linked_data: /dataset/releases...
    app.include_router(linked_data.router)
    app.include_router(pages.router)
    app.include_router(review.router)
    app.include_router(reports.router)
    app.include_router(analyst_pages.router)  # claims "/": the analysts' questions
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
        store = engine.store
        # where the pages and the API read the graph: memory, loading (into memory) or disk
        graph = store.place if isinstance(store, EmbeddedStore) else "remote"
        # the store is asked (one that does not answer is a 502), but the version reported is
        # the one answers are served and cached from: the engine follows a publish to a remote
        # store within its version_ttl, and may not have yet when the store is read
        current = await asyncio.to_thread(lambda: store.version)
        version = engine.version if engine.knows_version else current
        return {"status": "ok", "version": version, "graph": graph}

    return app


class _App(FastAPI):
    """FastAPI, with /sparql (a plain Starlette route, see sparql_protocol) in its OpenAPI."""

    def openapi(self) -> dict:
        if self.openapi_schema is None:
            schema = super().openapi()
            schema.setdefault("paths", {}).update(sparql_protocol.OPENAPI_PATH)
            self.openapi_schema = schema
        return self.openapi_schema


def app_from_settings() -> FastAPI:
    """``create_app`` with the settings of the environment ($CCMGRAPH_*, see ccmgraph.settings), for
    ``uvicorn --factory`` (several HTTP worker processes, ``ccmgraph serve --http-workers N``)."""
    settings = Settings.from_environment()
    return create_app(endpoint=settings.store_endpoint, settings=SparqlSettings.of(settings))
