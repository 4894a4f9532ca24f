"""Search: the full-text index built with the dataset (ccmgraph.search_index, dist/search.sqlite),
answered as the API's page of items (/api/search) and as the /search page.

Without an index file (a server over a remote SPARQL store has no dist/), the SPARQL view
queries/views/search.rq answers instead: substring matches, ranked by where they match."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from ccmgraph import analysis as views
from ccmgraph import search_index
from ccmgraph.web.linked_data import dist_dir
from ccmgraph.web.pages import render

router = APIRouter(tags=["pages"])
PAGE_SIZE = 20


async def find(request: Request, q: str, limit: int, offset: int) -> dict[str, Any]:
    """{total, limit, offset, items, matched}: items with resource, label, type, rank and snippet."""
    index = dist_dir(request) / search_index.FILE
    if index.exists():
        hits = await run_in_threadpool(search_index.search, index, q, limit, offset)
        return {"total": hits.total, "limit": limit, "offset": offset, "items": hits.items, "matched": hits.matched}
    rows = await run_in_threadpool(views.run, request.app.state.store, "search", q=q)
    return {"total": len(rows), "limit": limit, "offset": offset, "items": rows[offset:offset + limit],
            "matched": "all"}


@router.get("/search", response_class=HTMLResponse, summary="Search the graph (HTML)")
async def search_page(request: Request, q: str = Query("", max_length=200, description="words to find"),
                      page: int = Query(1, ge=1, le=10_000, description="page of results")) -> HTMLResponse:
    result = await find(request, q, PAGE_SIZE, (page - 1) * PAGE_SIZE) if q.strip() else None
    pages = -(-result["total"] // PAGE_SIZE) if result else 0
    title = f"Search: {q}" if q.strip() else "Search"
    return HTMLResponse(render("search.html", title=title, q=q, result=result, page=page, pages=pages))
