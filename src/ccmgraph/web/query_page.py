"""The SPARQL query page (``/query``, and ``/`` unless another router claims it): an editor with the
project's prefixes filled in and the named queries to start from (its script and style: /static).
Its permanent link pins a query to the release it ran on (``/query?query=...&release=V``); opened
when another release is served, the page says so.
"""

from __future__ import annotations

import re

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from starlette.requests import Request

from ccmgraph import catalog, formats
from ccmgraph.execution.engine import SparqlSettings
from ccmgraph.namespaces import PREFIXES, sparql_prefixes
from ccmgraph.sparql.syntax import declared_prefixes
from ccmgraph.store import Term, bind_parameters
from ccmgraph.web import dataset_releases
from ccmgraph.web.citation import served_version
from ccmgraph.web.deps import engine_of
from ccmgraph.web.rendering import render

router = APIRouter(tags=["sparql"])

# what the page's script offers as downloads, and the Accept header it sends: a table shows SPARQL
# JSON, or N-Triples for a graph
FORMATS = {
    "results": [[f.names[0], f.label, f.suffix] for f in formats.RESULTS],
    "graph": [[f.names[0], f.label, f.suffix] for f in formats.GRAPHS],
    "accept": f"{formats.SPARQL_JSON.media_type}, {formats.N_TRIPLES.media_type};q=0.9",
}


def _with_prefixes(text: str) -> str:
    """The named query with PREFIX lines added for the standard prefixes it uses but lacks."""
    declared = declared_prefixes(text)
    missing = [p for p in PREFIXES if p not in declared and re.search(rf"(?<![\w?$<]){re.escape(p)}:", text)]
    return "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in missing) + text


def _example_bindings(q: catalog.NamedQuery) -> dict[str, Term | None]:
    """The query's parameters bound to their examples (UNDEF where an example is not valid)."""
    values: dict[str, Term | None] = {}
    for p in q.parameters:
        try:
            values[p.name] = p.term(p.example)
        except catalog.ParameterError:
            values[p.name] = None
    return values


def _named_queries(request: Request) -> tuple[list[dict[str, object]], str | None]:
    directory = getattr(request.app.state, "queries_dir", None)
    try:
        named = catalog.load(directory)
    except (catalog.CatalogError, OSError, UnicodeDecodeError, ValueError) as exc:
        return [], f"the named queries could not be read: {exc}"
    out: list[dict[str, object]] = []
    for q in named.values():
        text = bind_parameters(_with_prefixes(q.sparql), _example_bindings(q))
        out.append(
            {
                "name": q.name,
                "title": q.title,
                "description": q.description,
                "sparql": text,
                "parameters": [
                    {"name": p.name, "type": p.type, "example": p.example, "description": p.description}
                    for p in q.parameters
                ],
            }
        )
    return out, None


async def _pinned(request: Request, release: str | None) -> dict[str, object] | None:
    """What the page says of the release a permanent link pinned the query to (None: not pinned)."""
    if release is None:
        return None
    served = await served_version(engine_of(request))
    known = {r.version: r for r in (await dataset_releases.releases(request))[0]}
    return {"version": release, "served": served, "same": release == served, "known": known.get(release)}


@router.get("/query", response_class=HTMLResponse, summary="The SPARQL query page (HTML)")
async def query_page(request: Request, query: str | None = None, release: str | None = None) -> HTMLResponse:
    """``query``: the query to fill in; ``release``: the release it was run on (a permanent link's)."""
    named, problem = _named_queries(request)
    settings: SparqlSettings = engine_of(request).settings
    initial = (
        query
        if query is not None and len(query) <= settings.max_request_bytes
        else (sparql_prefixes() + "\n" + catalog.service_query("query-page-default").sparql)
    )
    html = render(
        "query.html",
        title="SPARQL query",
        initial=initial,
        named=named,
        catalog_problem=problem,
        prefixes=PREFIXES,
        formats=FORMATS,
        timeout=settings.timeout,
        max_rows=settings.max_rows,
        read_only=not settings.allow_update,
        pinned=await _pinned(request, release),
    )
    return HTMLResponse(html, headers={"Cache-Control": "no-cache"})


async def home(request: Request) -> Response:
    """``/``: the query page (``/?query=...`` fills it in), unless another router claims ``/`` first."""
    return await query_page(request, request.query_params.get("query"), request.query_params.get("release"))
