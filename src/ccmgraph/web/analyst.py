"""The analyst API under /api: thin routes over ``ccmgraph.analysis.service`` (the named queries of
queries/*.rq, and the views answering the questions analysts ask: LAP actions, coverage, work
plans, States, partners, timeline, cycle comparison, search).

Every answer is JSON (its schema in /docs) or, for a list, CSV: by ``format=csv|json`` or by
``Accept``. Unknown query parameters, and unknown values, are answered 422 naming the parameter
and the values allowed (``ccmgraph.errors.InvalidParameter``, rendered by ``web.errors``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from pathlib import Path as FsPath
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field

from ccmgraph import errors, search_index
from ccmgraph.analysis import models as m
from ccmgraph.analysis import service
from ccmgraph.sparql import formats
from ccmgraph.store import Store

FORMATS = ("csv", "json")
R = TypeVar("R")


class ErrorAnswer(BaseModel):
    """The JSON body of every error answer of the API (see ccmgraph.web.errors)."""

    error: str = Field(description="the kind of error", examples=["InvalidParameter"])
    status: int = Field(examples=[422])
    message: str = Field(
        examples=["parameter 'basis': unknown basis 'bogus' (allowed: stated, objective, workplan, curator)"]
    )
    parameter: str | None = Field(default=None, description="the parameter at fault (422)")
    allowed: list[str] | None = Field(default=None, description="the values or parameters allowed, where they are few")


OPEN_ROUTES = {"run_query"}  # routes whose parameters are declared elsewhere (the named query's header)


def known_parameters(request: Request) -> None:
    """422 for a query parameter the route does not declare (a misspelt filter must not pass silently)."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or route.name in OPEN_ROUTES:
        return
    declared = [p.alias for p in route.dependant.query_params]  # the routes declare theirs directly
    for name in request.query_params:
        if name not in declared:
            raise errors.InvalidParameter(name, f"{route.path} has no such parameter", declared)


ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorAnswer, "description": "No such resource"},
    422: {"model": ErrorAnswer, "description": "A parameter that does not exist, or a value that is not allowed"},
    502: {"model": ErrorAnswer, "description": "A remote SPARQL store failed"},
}
CSV_DOC: dict[int | str, dict[str, Any]] = {200: {"content": {formats.CSV.media_type: {"schema": {"type": "string"}}}}}
router = APIRouter(prefix="/api", tags=["analyst"], dependencies=[Depends(known_parameters)], responses=ERRORS)


# ------------------------------------------------------------------ the answer's format


def wants_csv(request: Request, fmt: str | None, suffix: bool = False) -> bool:
    """CSV or JSON: by ``.csv`` suffix, ``format=``, or else ``Accept`` (q-values; JSON when nothing fits)."""
    if fmt is not None and fmt not in FORMATS:
        raise errors.InvalidParameter("format", f"unknown format {fmt!r}", FORMATS)
    by_suffix = "csv" if suffix or request.url.path.endswith(".csv") else None
    chosen = formats.negotiate(
        formats.TABLES, request.headers.get("accept"), name=fmt, suffix=by_suffix, otherwise=formats.JSON
    )
    return chosen is formats.CSV


def csv_response(rows: list[m.Row], filename: str) -> Response:
    out = io.StringIO()
    fields: list[str] = []
    for r in rows:
        fields += [k for k in r if k not in fields]
    writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: ("; ".join(map(str, v)) if isinstance(v, list) else v) for k, v in r.items()})
    return Response(
        out.getvalue(),
        media_type=formats.content_type(formats.CSV.media_type),
        headers={"Content-Disposition": f'inline; filename="{filename}.csv"'},
    )


def answer(
    request: Request, fmt: str | None, result: m.Tabular, filename: str, limit: int | None = None, offset: int = 0
) -> Any:
    """The result as CSV (every row) or JSON (a window of a page)."""
    if wants_csv(request, fmt):
        return csv_response(result.table(), filename)
    if isinstance(result, m.Page) and limit is not None:
        return result.window(limit, offset)
    return result


def store_of(request: Request) -> Store:
    return request.app.state.store


async def call(request: Request, fn: Callable[..., R], *args: Any, **kwargs: Any) -> R:
    """A service function over the app's store, off the event loop."""
    return await run_in_threadpool(fn, store_of(request), *args, **kwargs)


Limit = Query(100, ge=1, le=1000, description="at most this many items (JSON)")
Offset = Query(0, ge=0, le=1_000_000, description="skip this many items (JSON)")
Format = Query(
    None,
    description="csv or json (default: by the Accept header, else JSON)",
    json_schema_extra={"enum": list(FORMATS)},
)
Basis = Query(
    None,
    description=service.BASIS_DOC,
    json_schema_extra={"enum": list(service.BASES)},
    examples=[service.DEFAULT_BASIS],
)
WorkingGroup = Query(
    None,
    description="only work plans of this working group: its key or its full IRI",
    examples=["general-status-and-operation"],
)
WorkPlanKey = Query(None, description="only elements of this work plan (its key)", examples=["gso-2024-2025"])
ActionPlanKey = Query(
    None, description="the action plan whose actions are counted (its key; default: lap)", examples=["lap"]
)
From = Query(date(2023, 1, 1), alias="from", examples=["2025-01-01"], description="start of the range")
To = Query(date(2026, 12, 31), examples=["2025-06-30"], description="end of the range")


# ------------------------------------------------------------------ named queries


def query_dir(request: Request) -> FsPath | None:
    return getattr(request.app.state, "queries_dir", None)


@router.get("/queries", response_model=list[m.QueryInfo], summary="The named queries (queries/*.rq)")
async def list_queries(request: Request) -> list[m.QueryInfo]:
    return service.named_queries(query_dir(request))


@router.get(
    "/queries/{name}",
    response_model=list[dict[str, m.Cell]],
    responses=CSV_DOC,
    summary="Run a named query; its parameters as query-string values, bound as RDF terms",
)
async def run_query(
    request: Request,
    name: str = Path(..., description="query name, optionally with .csv", examples=["evidence-spans"]),
    format: str | None = Format,
) -> Any:
    as_csv = name.endswith(".csv")
    name = name.removesuffix(".csv")
    values = {k: v for k, v in request.query_params.items() if k != "format"}
    rows = await call(request, service.run_named_query, name, values, query_dir(request))
    if wants_csv(request, format, as_csv):
        return csv_response(rows, name)
    return rows


# ------------------------------------------------------------------ LAP actions


@router.get(
    "/lap-actions",
    response_model=m.LapActionPage,
    responses=CSV_DOC,
    summary="Every LAP action with the work plans, objectives and activities serving it",
)
async def lap_actions(
    request: Request,
    limit: int = Limit,
    offset: int = Offset,
    basis: str | None = Basis,
    served: bool | None = Query(None, description="only actions served (true) or not (false)"),
    plan: str | None = ActionPlanKey,
    format: str | None = Format,
) -> Any:
    result = await call(request, service.lap_actions, basis=basis, served=served, plan=plan)
    return answer(request, format, result, "lap-actions", limit, offset)


@router.get(
    "/lap-actions/{n}",
    response_model=m.LapActionDetail,
    responses=CSV_DOC,
    summary="A LAP action and every element serving it, with the basis of each link and its quotes",
)
async def lap_action(
    request: Request,
    n: int = Path(..., ge=-1_000_000, le=1_000_000, examples=[10], description="action number"),
    basis: str | None = Basis,
    workplan: str | None = WorkPlanKey,
    working_group: str | None = WorkingGroup,
    format: str | None = Format,
) -> Any:
    result = await call(request, service.lap_action, n, basis=basis, workplan=workplan, working_group=working_group)
    return answer(request, format, result, f"lap-action-{n}")


# ------------------------------------------------------------------ coverage


@router.get(
    "/coverage",
    response_model=m.Coverage,
    responses=CSV_DOC,
    summary="An action plan's actions (the LAP's by default) x work plans: counts and strongest basis; gaps",
)
async def coverage(
    request: Request,
    cycle: int | None = Query(
        None, ge=1900, le=2200, examples=[2025], description="only work plans whose period includes this year"
    ),
    working_group: str | None = WorkingGroup,
    basis: str | None = Basis,
    plan: str | None = ActionPlanKey,
    format: str | None = Format,
) -> Any:
    result = await call(request, service.coverage, cycle=cycle, working_group=working_group, basis=basis, plan=plan)
    return answer(request, format, result, "coverage")


# ------------------------------------------------------------------ work plans


@router.get("/workplans", response_model=m.Page[m.WorkPlanSummary], responses=CSV_DOC, summary="Every work plan")
async def workplans(
    request: Request,
    limit: int = Limit,
    offset: int = Offset,
    working_group: str | None = WorkingGroup,
    format: str | None = Format,
) -> Any:
    result = await call(request, service.workplans, working_group=working_group)
    return answer(request, format, result, "workplans", limit, offset)


@router.get(
    "/workplans/{id}",
    response_model=m.WorkPlanDetail,
    responses=CSV_DOC,
    summary="A work plan with its objectives, activities, outputs and timeline in document order",
)
async def workplan(
    request: Request, id: str = Path(..., examples=["gso-2024-2025"]), format: str | None = Format
) -> Any:
    return answer(request, format, await call(request, service.workplan, id), f"workplan-{id}")


# ------------------------------------------------------------------ States and partners


@router.get("/states/{iso3}", response_model=m.AgentRoles, responses=CSV_DOC, summary="Every role a State holds")
async def state(
    request: Request,
    iso3: str = Path(..., examples=["DEU"], description="ISO 3166 alpha-3"),
    format: str | None = Format,
) -> Any:
    return answer(request, format, await call(request, service.state, iso3), f"state-{iso3}")


@router.get(
    "/partners", response_model=m.Page[m.Partner], responses=CSV_DOC, summary="Every partner named by a work plan"
)
async def partners(request: Request, limit: int = Limit, offset: int = Offset, format: str | None = Format) -> Any:
    return answer(request, format, await call(request, service.partners), "partners", limit, offset)


@router.get(
    "/partners/{id}",
    response_model=m.AgentRoles,
    responses=CSV_DOC,
    summary="Every role an organisation, working group or State holds",
)
async def partner(request: Request, id: str = Path(..., examples=["unidir"]), format: str | None = Format) -> Any:
    return answer(request, format, await call(request, service.partner, id), f"partner-{id}")


# ------------------------------------------------------------------ timeline, compare, search


@router.get(
    "/timeline",
    response_model=m.TimelinePage,
    responses=CSV_DOC,
    summary="Timeline entries scheduled within (or overlapping) a date range",
)
async def timeline(
    request: Request,
    from_: date = From,
    to: date = To,
    match: str | None = Query(None, description=service.MATCH_DOC, json_schema_extra={"enum": list(service.MATCHES)}),
    workplan: str | None = WorkPlanKey,
    working_group: str | None = WorkingGroup,
    limit: int = Limit,
    offset: int = Offset,
    format: str | None = Format,
) -> Any:
    result = await call(
        request, service.timeline, start=from_, end=to, match=match, workplan=workplan, working_group=working_group
    )
    return answer(request, format, result, "timeline", limit, offset)


@router.get(
    "/compare",
    response_model=m.Comparison,
    responses=CSV_DOC,
    summary="Objectives, activities and partners continued, new and dropped between two work plans",
)
async def compare(
    request: Request,
    from_: str = Query(..., alias="from", examples=["gso-2024-2025"], description="earlier work plan"),
    to: str = Query(..., examples=["gso-2025-2026"], description="later work plan"),
    format: str | None = Format,
) -> Any:
    return answer(request, format, await call(request, service.compare, from_, to), f"compare-{from_}-{to}")


@router.get(
    "/search", response_model=m.Page[m.SearchHit], responses=CSV_DOC, summary="Find resources by label or description"
)
async def search(
    request: Request,
    q: str = Query(..., min_length=1, max_length=200, examples=["UNIDIR"]),
    limit: int = Limit,
    offset: int = Offset,
    format: str | None = Format,
) -> Any:
    """Full-text search over the index the build writes (stemmed words matched on their beginning,
    best first, with snippets); limit and offset choose the window, in CSV too."""
    index = request.app.state.dist / search_index.FILE
    result = await call(request, service.search, q, index=index, limit=limit, offset=offset)
    return answer(request, format, result, "search")


# the tables also answer at <path>.csv
for _path, _endpoint in (
    ("/lap-actions", lap_actions),
    ("/coverage", coverage),
    ("/workplans", workplans),
    ("/partners", partners),
    ("/timeline", timeline),
    ("/search", search),
):
    router.add_api_route(_path + ".csv", _endpoint, methods=["GET"], include_in_schema=False)
