"""Server-rendered HTML pages (Jinja2, no JavaScript needed): resource pages, the LAP action page
with quotes highlighted in their sentence, the coverage heat map, the timeline as a server-side
SVG Gantt chart, the work plan page, and the ontology / shapes documentation."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from ccmgraph import errors
from ccmgraph.analysis import service
from ccmgraph.web import presentation
from ccmgraph.web.deps import store_of
from ccmgraph.web.parameters import known_parameters
from ccmgraph.web.rendering import qname, render

HTML_ERROR: dict[str, Any] = {
    "description": "An error page with the site's navigation",
    "content": {"text/html": {"schema": {"type": "string"}}},
}
router = APIRouter(
    tags=["pages"], dependencies=[Depends(known_parameters)], responses={404: HTML_ERROR, 422: HTML_ERROR}
)


async def workplan_page(request: Request, key: str) -> str:
    """The plan's facts, then its parts in the order a reader expects, each with the actions it serves."""
    store = store_of(request)
    plan = await run_in_threadpool(service.workplan, store, key)
    serves = presentation.actions_by_element(await run_in_threadpool(service.workplan_actions, store, key))
    sections = sorted(plan.elements.items(), key=lambda kv: presentation.kind_order(kv[0]))
    partners = await run_in_threadpool(service.workplan_partners, store, key)
    return render("workplan.html", plan=plan, sections=sections, serves=serves, partners=partners, title=plan.label)


async def lap_action_page(request: Request, n: int) -> str:
    """The action's title, text and section, the basis chosen, then per work plan each quote once with
    what it backs (``?workplan=``: one work plan's elements, as a coverage cell links to them)."""
    store = store_of(request)
    workplan = request.query_params.get("workplan") or None
    action = await run_in_threadpool(
        service.lap_action, store, n, basis=request.query_params.get("basis"), workplan=workplan
    )
    text = await run_in_threadpool(service.lap_action_text, store, n)
    order = [b.name for b in await run_in_threadpool(service.alignment_bases, store)]
    return await run_in_threadpool(  # tens of ms of template work: not on the event loop
        render,
        "lap_action.html",
        action=action,
        text=text,
        action_title=presentation.action_title(text),
        plans=presentation.by_quote(action.elements, order),
        workplan=workplan,
        bases=service.BASIS_LABELS,
        basis=action.basis,
        title=action.label,
    )


def schema_page(g: Graph, name: str) -> str:
    def terms(kinds):
        out = []
        for k in kinds:
            for s in g.subjects(RDF.type, k):
                if isinstance(s, URIRef):
                    out.append(
                        {
                            "iri": str(s),
                            "qname": qname(str(s)),
                            "label": str(g.value(s, RDFS.label) or ""),
                            "comment": str(g.value(s, RDFS.comment) or ""),
                            "anchor": str(s).rsplit("#", 1)[-1],
                        }
                    )
        return sorted({t["iri"]: t for t in out}.values(), key=lambda t: t["qname"])

    sh = "http://www.w3.org/ns/shacl#"
    sections = [
        ("Classes", terms([OWL.Class, RDFS.Class])),
        ("Object properties", terms([OWL.ObjectProperty])),
        ("Datatype properties", terms([OWL.DatatypeProperty, OWL.AnnotationProperty])),
        ("Node shapes", terms([URIRef(sh + "NodeShape")])),
    ]
    return render(
        "schema.html",
        title="Ontology" if name == "ontology" else "SHACL shapes",
        name=name,
        sections=[s for s in sections if s[1]],
    )


# ------------------------------------------------------------------ coverage and timeline pages


@router.get("/coverage", response_class=HTMLResponse, summary="Coverage heat map (HTML)")
async def coverage_page(
    request: Request,
    cycle: str | None = Query(None, examples=["2025"], description="a year; empty: every cycle"),
    basis: str | None = Query(None, description=service.BASIS_DOC),
    plan: str | None = Query(None, description="the action plan (its key; default: lap)", examples=["lap"]),
) -> HTMLResponse:
    if cycle and not (cycle.isdigit() and 1900 <= int(cycle) <= 2200):
        raise errors.InvalidParameter("cycle", f"{cycle!r} is not a year between 1900 and 2200")
    store = store_of(request)
    data = await run_in_threadpool(service.coverage, store, cycle=int(cycle) if cycle else None, basis=basis, plan=plan)
    top = max([c.count for a in data.actions for c in a.cells.values()] or [1])
    by_name = {b.name: b for b in await run_in_threadpool(service.alignment_bases, store)}
    plans = await run_in_threadpool(service.action_plans, store)
    return HTMLResponse(
        render(
            "coverage.html",
            data=data,
            top=top,
            bases=service.BASIS_LABELS,
            basis=data.basis,
            default_basis=service.DEFAULT_BASIS,
            by_name=by_name,
            plans=plans,
            title=f"Coverage of {data.actionPlan.acronym or data.actionPlan.label} actions",
        )
    )


QUARTER_W = 56
ROW_H = 22


@router.get("/timeline", response_class=HTMLResponse, summary="Timeline as a Gantt chart (HTML + SVG)")
async def timeline_page(request: Request) -> HTMLResponse:
    rows = (
        await run_in_threadpool(service.timeline, store_of(request), start=date(1900, 1, 1), end=date(2200, 12, 31))
    ).items
    if not rows:
        return HTMLResponse(render("timeline.html", svg=None, rows=[], title="Timeline"))
    first = min(date.fromisoformat(r.begin) for r in rows)
    last = max(date.fromisoformat(r.end) for r in rows)
    quarters = []
    y, q = first.year, (first.month - 1) // 3
    while (y, q) <= (last.year, (last.month - 1) // 3):
        quarters.append((y, q))
        y, q = (y + 1, 0) if q == 3 else (y, q + 1)

    def x_of(d: date, end: bool) -> float:
        idx = quarters.index((d.year, (d.month - 1) // 3))
        qstart = date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)
        frac = min((d - qstart).days + (1 if end else 0), 91) / 91
        return 260 + (idx + frac) * QUARTER_W

    bars = []
    plans: list[str] = []
    for i, r in enumerate(rows):
        if r.workplan not in plans:
            plans.append(r.workplan)
        x0 = x_of(date.fromisoformat(r.begin), False)
        x1 = x_of(date.fromisoformat(r.end), True)
        bars.append({"x": x0, "w": max(x1 - x0, 4), "y": 40 + i * ROW_H, "r": r, "color": plans.index(r.workplan) % 6})
    svg = {
        "width": 260 + len(quarters) * QUARTER_W + 20,
        "height": 50 + len(rows) * ROW_H,
        "quarters": [
            {"x": 260 + i * QUARTER_W, "label": f"Q{q + 1} {y}", "year": y} for i, (y, q) in enumerate(quarters)
        ],
        "bars": bars,
        "qw": QUARTER_W,
    }
    legend = [
        {"color": i % 6, "label": next(r.workplanLabel for r in rows if r.workplan == p)} for i, p in enumerate(plans)
    ]
    return HTMLResponse(render("timeline.html", svg=svg, legend=legend, rows=rows, title="Timeline"))


@router.get("/workplans", response_class=HTMLResponse, summary="The work plans (HTML)")
async def workplans_page(request: Request) -> HTMLResponse:
    plans = await run_in_threadpool(service.workplans, store_of(request))
    return HTMLResponse(render("workplans.html", plans=plans.items, title="Work plans"))
