"""The analyst's way in: a home page that starts from their questions (the review, coverage, a plan,
an action, a partner, a comparison) and the comparison of two work plans. ``/?query=...``, the
SPARQL editor's old address, goes on to ``/query`` (a published URL never breaks)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ccmgraph.analysis import service
from ccmgraph.web.deps import store_of
from ccmgraph.web.pages import render

router = APIRouter(tags=["pages"])


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def home(request: Request) -> Response:
    if "query" in request.query_params:
        return RedirectResponse("/query?" + request.url.query, status_code=308)
    store = store_of(request)
    plans = (await run_in_threadpool(service.workplans, store)).items
    partners = (await run_in_threadpool(service.partners, store)).items
    actions = (await run_in_threadpool(service.lap_actions, store)).items
    return HTMLResponse(
        render("home.html", plans=plans, partners=partners, actions=actions, title="What the work plans do for the LAP")
    )


@router.get("/compare", response_class=HTMLResponse, summary="Two work plans compared (HTML)")
async def compare_page(
    request: Request,
    earlier: Annotated[str | None, Query(alias="from", description="the earlier work plan's key")] = None,
    later: Annotated[str | None, Query(alias="to", description="the later work plan's key")] = None,
) -> HTMLResponse:
    store = store_of(request)
    plans = (await run_in_threadpool(service.workplans, store)).items
    keys = [p.id for p in plans]
    earlier = earlier or (keys[-2] if len(keys) > 1 else None)
    later = later or (keys[-1] if keys else None)
    result = None
    if earlier and later:
        result = await run_in_threadpool(service.compare, store, earlier, later)
    labels = {p.id: p.label for p in plans}
    title = f"{labels.get(earlier or '', earlier)} → {labels.get(later or '', later)}" if result else "Compare"
    return HTMLResponse(
        render("compare.html", plans=plans, result=result, statuses=service.STATUSES, title=f"Compare: {title}")
    )
