"""The HTTP interface (FastAPI): SPARQL protocol, health. Thin: all work is in store."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from .store import QueryError, Store, open_store


def create_app(store: Store | None = None, endpoint: str | None = None) -> FastAPI:
    app = FastAPI(title="ccmgraph", description="Knowledge graph of the CCM implementation work plans.")
    app.state.store = store or open_store(endpoint)

    async def _answer(query: str | None) -> Response:
        if not query:
            return JSONResponse({"detail": "missing query parameter"}, status_code=400)
        try:
            answer = await run_in_threadpool(app.state.store.query, query)
        except QueryError as exc:
            return JSONResponse({"detail": f"malformed query: {exc}"}, status_code=400)
        return Response(answer.body, media_type=answer.media_type)

    @app.get("/sparql")
    async def sparql_get(query: str | None = None) -> Response:
        return await _answer(query)

    @app.post("/sparql")
    async def sparql_post(request: Request) -> Response:
        ctype = request.headers.get("content-type", "").split(";")[0]
        if ctype == "application/sparql-query":
            return await _answer((await request.body()).decode())
        form = await request.form()
        return await _answer(form.get("query"))

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok", "version": app.state.store.version}

    return app
