"""SPARQL 1.1 protocol endpoint (minimal: GET/POST, SPARQL JSON)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from ..store import QueryError

router = APIRouter(tags=["sparql"])


async def _answer(request: Request, query: str | None) -> Response:
    if not query:
        return JSONResponse({"detail": "missing query parameter"}, status_code=400)
    try:
        answer = await run_in_threadpool(request.app.state.store.query, query)
    except QueryError as exc:
        return JSONResponse({"detail": f"malformed query: {exc}"}, status_code=400)
    return Response(answer.body, media_type=answer.media_type)


@router.get("/sparql")
async def sparql_get(request: Request, query: str | None = None) -> Response:
    return await _answer(request, query)


@router.post("/sparql")
async def sparql_post(request: Request) -> Response:
    ctype = request.headers.get("content-type", "").split(";")[0]
    if ctype == "application/sparql-query":
        return await _answer(request, (await request.body()).decode())
    form = await request.form()
    return await _answer(request, form.get("query"))
