"""The /search page: the analyst service's search (the full-text index the build writes into dist/,
see ccmgraph.search_index; the SPARQL view without one), a page of hits at a time."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from ccmgraph import search_index
from ccmgraph.analysis import service
from ccmgraph.web.deps import store_of
from ccmgraph.web.pages import HTML_ERROR
from ccmgraph.web.parameters import known_parameters
from ccmgraph.web.rendering import render

router = APIRouter(tags=["pages"], dependencies=[Depends(known_parameters)], responses={422: HTML_ERROR})
PAGE_SIZE = 20


@router.get("/search", response_class=HTMLResponse, summary="Search the graph (HTML)")
async def search_page(
    request: Request,
    q: str = Query("", max_length=200, description="words to find"),
    page: int = Query(1, ge=1, le=10_000, description="page of results"),
) -> HTMLResponse:
    result = None
    if q.strip():
        result = await run_in_threadpool(
            service.search,
            store_of(request),
            q,
            index=request.app.state.dist / search_index.FILE,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
    pages = -(-result.total // PAGE_SIZE) if result else 0
    title = f"Search: {q}" if q.strip() else "Search"
    return HTMLResponse(render("search.html", title=title, q=q, result=result, page=page, pages=pages))
