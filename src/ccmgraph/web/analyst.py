"""The analyst API under /api: the named queries of queries/*.rq, and views answering the
questions analysts ask (LAP actions, coverage, work plans, States, partners, timeline,
cycle comparison, search). Each answer comes from one or two SPARQL queries in queries/views/.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from typing import Any

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from ccmgraph import analysis as views
from ccmgraph import catalog, errors, paths
from ccmgraph.store import QueryError

router = APIRouter(prefix="/api", tags=["analyst"])

CSV_DOC = {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}
BASIS_NAMES = {1: "StatedInText", 2: "InheritedFromObjective", 3: "InheritedFromWorkPlan", 4: "CuratorJudgement"}
KEY = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$"


class Page(BaseModel):
    total: int = Field(description="number of items before limit and offset")
    limit: int
    offset: int
    items: list[dict[str, Any]]


class QueryParameter(BaseModel):
    name: str
    type: str
    example: str
    description: str
    required: bool


class QueryInfo(BaseModel):
    name: str
    title: str
    description: str
    parameters: list[QueryParameter]
    url: str = Field(description="the query run with its example parameters")


# ------------------------------------------------------------------ helpers

def bad_param(name: str, message: str) -> errors.InvalidParameter:
    """A 422 naming the parameter."""
    return errors.InvalidParameter(name, message)


async def rows_of(request: Request, name: str, **values: str | None) -> list[dict[str, Any]]:
    try:
        return await run_in_threadpool(views.run, request.app.state.store, name, **values)
    except catalog.ParameterError as exc:
        raise bad_param(exc.name, str(exc)) from None
    except (errors.UpstreamError, errors.LimitExceeded):
        raise  # a remote store that does not answer (502) or stopped the query (503)
    except QueryError as exc:  # pragma: no cover - the views are tested
        raise HTTPException(502, f"the engine rejected view {name}: {exc}") from None


def wants_csv(request: Request, suffix: bool = False) -> bool:
    """CSV by suffix (/api/coverage.csv) or by Accept: text/csv."""
    return suffix or request.url.path.endswith(".csv") or request.headers.get("accept", "").split(",")[0].strip().startswith("text/csv")


def csv_response(rows: list[dict[str, Any]], filename: str) -> Response:
    out = io.StringIO()
    fields: list[str] = []
    for r in rows:
        fields += [k for k in r if k not in fields]
    writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: ("; ".join(map(str, v)) if isinstance(v, list) else v) for k, v in r.items()})
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'inline; filename="{filename}.csv"'})


def page(items: list[dict[str, Any]], limit: int, offset: int) -> dict[str, Any]:
    return {"total": len(items), "limit": limit, "offset": offset, "items": items[offset:offset + limit]}


def workplan_iri(key: str) -> str:
    if not re.fullmatch(KEY, key):
        raise bad_param("id", f"{key!r} is not a work plan key such as gso-2024-2025")
    return views.ID + "workplan/" + key


def key_of(iri: str | None) -> str | None:
    return iri.rsplit("/", 1)[-1] if iri else None


WG = views.ID + "working-group/"


def working_group_query() -> Any:
    return Query(None, description="only work plans of this working group: its key or its full IRI",
                 examples=["general-status-and-operation"])


async def group_plans(request: Request, value: str | None) -> set[str] | None:
    """The IRIs of the work plans of a working group (None: no filter); 422 for an unknown group."""
    if not isinstance(value, str):  # None, or the Query default when called directly (pages.py)
        return None
    key = value[len(WG):] if value.startswith(WG) else value
    if not re.fullmatch(KEY, key):
        raise bad_param("working_group", f"{value!r} is not a working group key such as "
                        "general-status-and-operation, nor its IRI")
    rows = await rows_of(request, "working-groups", workingGroup=WG + key)
    if not rows:
        known = sorted({key_of(r["workingGroup"]) for r in await rows_of(request, "working-groups")})
        raise bad_param("working_group", f"no working group {key!r}; known: {', '.join(known)}")
    return {r["workplan"] for r in rows if r["workplan"]}


Limit = Query(100, ge=1, le=1000, description="at most this many items")
Offset = Query(0, ge=0, le=1_000_000, description="skip this many items")


# ------------------------------------------------------------------ named queries

def query_dir(request: Request):
    return getattr(request.app.state, "queries_dir", None) or paths.QUERIES


@router.get("/queries", response_model=list[QueryInfo], summary="The named queries (queries/*.rq)")
async def list_queries(request: Request) -> list[dict[str, Any]]:
    out = []
    for q in catalog.load(query_dir(request)).values():
        params = [{"name": p.name, "type": p.type, "example": p.example, "description": p.description,
                   "required": p.required} for p in q.parameters]
        example = "&".join(f"{p.name}={p.example}" for p in q.parameters)
        out.append({"name": q.name, "title": q.title, "description": q.description, "parameters": params,
                    "url": f"/api/queries/{q.name}" + (f"?{example}" if example else "")})
    return out


@router.get("/queries/{name}", response_model=list[dict[str, Any]], responses=CSV_DOC,
            summary="Run a named query; parameters as query-string values, bound as RDF terms")
async def run_query(request: Request,
                    name: str = Path(..., description="query name, optionally with .csv",
                                     examples=["evidence-spans"])) -> Any:
    as_csv = name.endswith(".csv")
    name = name.removesuffix(".csv")
    queries = catalog.load(query_dir(request))
    if name not in queries:
        raise HTTPException(404, f"no named query {name!r}; GET /api/queries lists them")
    q = queries[name]
    try:
        bindings = q.bindings(dict(request.query_params))
    except catalog.ParameterError as exc:
        raise bad_param(exc.name, str(exc)) from None
    try:
        rows = await run_in_threadpool(request.app.state.store.select, q.sparql, bindings)
    except (errors.UpstreamError, errors.LimitExceeded):
        raise  # a remote store that does not answer (502) or stopped the query (503): not the client's fault
    except QueryError as exc:
        raise HTTPException(400, f"query {name}: {exc}") from None
    if wants_csv(request, as_csv):
        return csv_response(rows, name)
    return JSONResponse(rows)


# ------------------------------------------------------------------ LAP actions

@router.get("/lap-actions", response_model=Page, responses=CSV_DOC,
            summary="Every LAP action with the work plans, objectives and activities serving it, per cycle")
async def lap_actions(request: Request, limit: int = Limit, offset: int = Offset,
                      served: bool | None = Query(None, description="only actions served (true) or not (false)"),
                      ) -> Any:
    rows = await rows_of(request, "lap-actions")
    actions: dict[int, dict[str, Any]] = {}
    for r in rows:
        a = actions.setdefault(r["n"], {
            "number": r["n"], "iri": r["action"], "label": r["label"], "section": r["sectionLabel"],
            "workplans": 0, "objectives": 0, "activities": 0, "elements": 0, "byWorkplan": []})
        if r["workplan"]:
            a["workplans"] += 1
            for k in ("objectives", "activities", "elements"):
                a[k] += r[k]
            a["byWorkplan"].append({"workplan": key_of(r["workplan"]), "label": r["workplanLabel"],
                                    "objectives": r["objectives"], "activities": r["activities"],
                                    "elements": r["elements"]})
    items = list(actions.values())
    if served is not None:
        items = [a for a in items if (a["workplans"] > 0) == served]
    if wants_csv(request):
        return csv_response([{k: v for k, v in a.items() if k != "byWorkplan"} for a in items], "lap-actions")
    return page(items, limit, offset)


@router.get("/lap-actions/{n}", response_model=dict[str, Any],
            summary="A LAP action and every element serving it, with basis and quotes")
async def lap_action(request: Request,
                     n: int = Path(..., ge=-1_000_000, le=1_000_000, examples=[10], description="action number"),
                     basis: str | None = Query(None, description="only links with this basis",
                                               examples=["StatedInText"]),
                     workplan: str | None = Query(None, description="only elements of this work plan",
                                                  examples=["gso-2024-2025"]),
                     working_group: str | None = working_group_query()) -> Any:
    group = await group_plans(request, working_group)
    rows = await rows_of(request, "lap-action", n=str(n))
    if not rows:
        raise HTTPException(404, f"no LAP action {n}; actions are numbered 1 to 50")
    quotes = await rows_of(request, "lap-action-evidence", n=str(n))
    first = rows[0]
    elements: dict[str, dict[str, Any]] = {}
    for r in rows:
        if not r["element"] or (group is not None and r["workplan"] not in group):
            continue
        b = key_of(r["basis"].replace("#", "/"))
        e = elements.setdefault(r["element"] + "|" + b, {
            "element": r["element"], "kind": r["kind"], "identifier": r["identifier"], "label": r["label"],
            "workplan": key_of(r["workplan"]), "workplanLabel": r["workplanLabel"],
            "coordinators": r["coordinators"].split("; ") if r["coordinators"] else [],
            "period": r["periodLabel"], "basis": b, "quotes": []})
    for q in quotes:
        b = key_of(q["basis"].replace("#", "/"))
        e = elements.get(q["element"] + "|" + b)
        if e is not None:
            e["quotes"].append({k: q[k] for k in ("evidence", "document", "documentTitle", "exact", "prefix",
                                                   "suffix", "start", "end")})
    items = [e for e in elements.values()
             if (basis is None or e["basis"] == basis) and (workplan is None or e["workplan"] == workplan)]
    return {"number": first["n"], "iri": first["action"], "label": first["actionLabel"],
            "section": first["sectionLabel"], "total": len(items), "elements": items}


# ------------------------------------------------------------------ coverage

@router.get("/coverage", response_model=dict[str, Any], responses=CSV_DOC,
            summary="LAP actions x work plans: counts and strongest basis; actions nobody serves")
async def coverage(request: Request,
                   cycle: int | None = Query(None, ge=1900, le=2200, examples=[2025],
                                             description="only work plans whose period includes this year"),
                   working_group: str | None = working_group_query()) -> Any:
    group = await group_plans(request, working_group)
    rows = await rows_of(request, "coverage")
    plans = await rows_of(request, "workplans")
    if cycle is not None:
        plans = [p for p in plans if p["begin"] and p["begin"][:4] <= str(cycle) <= p["end"][:4]]
    if group is not None:
        plans = [p for p in plans if p["workplan"] in group]
    keys = {p["workplan"] for p in plans}
    actions: dict[int, dict[str, Any]] = {}
    for r in rows:
        a = actions.setdefault(r["n"], {"number": r["n"], "iri": r["action"], "label": r["label"], "cells": {}})
        if r["workplan"] in keys:
            a["cells"][key_of(r["workplan"])] = {"count": r["count"], "strongest": BASIS_NAMES.get(r["strongest"])}
    unserved = [a["number"] for a in actions.values() if not a["cells"]]
    if wants_csv(request):
        flat = []
        for a in actions.values():
            row = {"number": a["number"], "label": a["label"]}
            for p in plans:
                c = a["cells"].get(key_of(p["workplan"]))
                row[key_of(p["workplan"])] = c["count"] if c else 0
            flat.append(row)
        return csv_response(flat, "coverage")
    return {"cycle": cycle, "workingGroup": working_group,
            "workplans": [{"id": key_of(p["workplan"]), "iri": p["workplan"], "label": p["label"],
                           "begin": p["begin"], "end": p["end"]} for p in plans],
            "actions": list(actions.values()), "unserved": unserved}


# ------------------------------------------------------------------ work plans

@router.get("/workplans", response_model=Page, responses=CSV_DOC, summary="Every work plan")
async def workplans(request: Request, limit: int = Limit, offset: int = Offset,
                    working_group: str | None = working_group_query()) -> Any:
    group = await group_plans(request, working_group)
    rows = await rows_of(request, "workplans")
    if group is not None:
        rows = [r for r in rows if r["workplan"] in group]
    for r in rows:
        r["id"] = key_of(r["workplan"])
        r["coordinators"] = r["coordinators"].split("; ") if r["coordinators"] else []
    if wants_csv(request):
        return csv_response(rows, "workplans")
    return page(rows, limit, offset)


@router.get("/workplans/{id}", response_model=dict[str, Any],
            summary="A work plan with its objectives, activities, outputs and timeline in document order")
async def workplan(request: Request, id: str = Path(..., examples=["gso-2024-2025"])) -> Any:
    iri = workplan_iri(id)
    head = await rows_of(request, "workplans", workplan=iri)
    if not head:
        raise HTTPException(404, f"no work plan {id!r}; GET /api/workplans lists them")
    plan = head[0]
    plan["id"] = id
    plan["coordinators"] = plan["coordinators"].split("; ") if plan["coordinators"] else []
    elements = await rows_of(request, "workplan-elements", workplan=iri)
    groups: dict[str, list[dict[str, Any]]] = {}
    seen: set[str] = set()
    for e in elements:
        if e["element"] in seen:
            continue
        seen.add(e["element"])
        groups.setdefault(e["kind"], []).append(e)
    plan["elements"] = groups
    return plan


# ------------------------------------------------------------------ States and partners

def roles_answer(rows: list[dict[str, Any]]) -> dict[str, Any]:
    first = rows[0]
    roles = [{k: r[k] for k in ("role", "subject", "subjectLabel", "workplanLabel", "periodLabel")}
             | {"workplan": key_of(r["workplan"])} for r in rows if r["role"]]
    return {"iri": first["agent"], "id": first["key"], "label": first["agentLabel"], "kind": first["agentKind"],
            "total": len(roles), "roles": roles}


@router.get("/states/{iso3}", response_model=dict[str, Any], summary="Every role a State holds")
async def state(request: Request, iso3: str = Path(..., examples=["DEU"], description="ISO 3166 alpha-3")) -> Any:
    if not re.fullmatch(r"[A-Za-z]{3}", iso3):
        raise bad_param("iso3", f"{iso3!r} is not an ISO 3166 alpha-3 code such as DEU")
    rows = [r for r in await rows_of(request, "agent-roles", key=iso3.upper()) if r["agentKind"] == "state"]
    if not rows:
        raise HTTPException(404, f"no State {iso3.upper()}")
    return roles_answer(rows)


@router.get("/partners", response_model=Page, responses=CSV_DOC, summary="Every partner named by a work plan")
async def partners(request: Request, limit: int = Limit, offset: int = Offset) -> Any:
    rows = await rows_of(request, "partners")
    for r in rows:
        r["id"] = key_of(r["agent"])
    if wants_csv(request):
        return csv_response(rows, "partners")
    return page(rows, limit, offset)


@router.get("/partners/{id}", response_model=dict[str, Any],
            summary="Every role an organisation, working group or State holds")
async def partner(request: Request, id: str = Path(..., examples=["unidir"])) -> Any:
    if not re.fullmatch(KEY, id):
        raise bad_param("id", f"{id!r} is not a key such as unidir")
    rows = await rows_of(request, "agent-roles", key=id)
    if not rows:
        raise HTTPException(404, f"no organisation, working group or State {id!r}")
    return roles_answer(rows)


# ------------------------------------------------------------------ timeline, compare, search

@router.get("/timeline", response_model=Page, responses=CSV_DOC,
            summary="Timeline entries scheduled in a date range")
async def timeline(request: Request,
                   from_: date = Query(date(2023, 1, 1), alias="from", examples=["2025-01-01"]),
                   to: date = Query(date(2026, 12, 31), examples=["2025-06-30"]),
                   workplan: str | None = Query(None, examples=["gso-2024-2025"]),
                   working_group: str | None = working_group_query(),
                   limit: int = Limit, offset: int = Offset) -> Any:
    if from_ > to:
        raise bad_param("from", "must not be after 'to'")
    group = await group_plans(request, working_group)
    rows = await rows_of(request, "timeline", **{"from": from_.isoformat(), "to": to.isoformat()})
    if group is not None:
        rows = [r for r in rows if r["workplan"] in group]
    for r in rows:
        r["workplanId"] = key_of(r["workplan"])
    if workplan:
        rows = [r for r in rows if r["workplanId"] == workplan]
    if wants_csv(request):
        return csv_response(rows, "timeline")
    return page(rows, limit, offset)


@router.get("/compare", response_model=dict[str, Any],
            summary="Objectives, activities and partners continued, new and dropped between two work plans")
async def compare(request: Request,
                  from_: str = Query(..., alias="from", examples=["gso-2024-2025"]),
                  to: str = Query(..., examples=["gso-2025-2026"])) -> Any:
    a, b = workplan_iri(from_), workplan_iri(to)
    known = {key_of(p["workplan"]) for p in await rows_of(request, "workplans")}
    for k in (from_, to):
        if k not in known:
            raise HTTPException(404, f"no work plan {k!r}; GET /api/workplans lists them")
    elements = await rows_of(request, "compare-elements", **{"from": a, "to": b})
    partners_ = await rows_of(request, "compare-partners", **{"from": a, "to": b})
    out: dict[str, Any] = {"from": from_, "to": to}
    for name, rows in (("elements", elements), ("partners", partners_)):
        out[name] = {s: [r for r in rows if r["status"] == s] for s in ("continued", "new", "dropped")}
    return out


@router.get("/search", response_model=Page, responses=CSV_DOC, summary="Find resources by label or description")
async def search(request: Request, q: str = Query(..., min_length=1, max_length=200, examples=["UNIDIR"]),
                 limit: int = Limit, offset: int = Offset) -> Any:
    rows = await rows_of(request, "search", q=q)
    if wants_csv(request):
        return csv_response(rows, "search")
    return page(rows, limit, offset)


# the tables also answer at <path>.csv
for _path, _endpoint in (("/lap-actions", lap_actions), ("/coverage", coverage), ("/workplans", workplans),
                         ("/partners", partners), ("/timeline", timeline), ("/search", search)):
    router.add_api_route(_path + ".csv", _endpoint, methods=["GET"], include_in_schema=False)
