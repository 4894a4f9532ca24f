"""The SPARQL 1.1 Protocol endpoint (``/sparql``): answering queries and updates, and the Service
Description.

Protocol (W3C SPARQL 1.1 Protocol; requests are read by ccmgraph.web.sparql_request):

- queries by ``GET /sparql?query=``, ``POST`` of ``application/x-www-form-urlencoded`` (or
  ``multipart/form-data``) with ``query=``, and ``POST`` of ``application/sparql-query``;
  ``default-graph-uri`` and ``named-graph-uri`` (repeatable) select the dataset. Without them
  the default graph is the union of all named graphs, and ``GRAPH`` reaches each one. The
  project's prefixes (``ccm:``, ``rdfs:``...) are predeclared; a query's own PREFIX wins.
- answers by content negotiation (``Accept`` with q-values) or ``format=`` (also ``output=``,
  ``results=``): SPARQL JSON, XML, CSV, TSV for SELECT/ASK; Turtle, N-Triples, JSON-LD,
  RDF/XML, TriG, N-Quads for CONSTRUCT/DESCRIBE; 406 with the list otherwise.
- ``GET /sparql`` without a query: the Service Description (Turtle by default; a browser is
  sent to the query page).
- updates (``update=`` or ``application/sparql-update``) only when the server allows them, with
  its bearer token; 403 otherwise.
- ``timeout=`` (seconds) lowers the time limit for one request.

Every answer carries ``ETag`` (graph version + request) and ``Cache-Control``; a matching
``If-None-Match`` gets 304 without running anything. Answers are gzip-compressed (by the
worker, not the event loop) when the client accepts it. CORS is open for reading (see
create_app). Errors are ``ccmgraph.errors`` exceptions, answered as plain text with the reason
(ccmgraph.web.errors); bad input never gets a 5xx: 400 for a malformed query (line, column,
what was expected, the line with a caret), 403 for an update on a read-only endpoint, 406 for
an unsupported format, 413 for an oversized request, 415 for an unknown body type; 429 (with
Retry-After) for a query beyond the client's limit of queries running at once; 503 for a query
stopped at the time limit (without Retry-After: the same query would stop again), or when the
endpoint runs as many queries as it takes (with Retry-After): see ccmgraph.execution.admission.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response
from starlette.requests import Request
from starlette.routing import Route

from ccmgraph import errors, formats
from ccmgraph.execution import service_description as servicedesc
from ccmgraph.execution.engine import Answer, Engine, EngineUnavailable, FormNotAcceptable, QueryRequest, SparqlSettings
from ccmgraph.sparql import guard
from ccmgraph.web import etags
from ccmgraph.web.deps import client_of, engine_of
from ccmgraph.web.errors import error_response
from ccmgraph.web.sparql_request import (
    FORM_TYPE,
    QUERY_TYPE,
    UPDATE_TYPE,
    ClientGone,
    Params,
    accepts_gzip,
    parse_params,
    read_items,
)

router = APIRouter(tags=["sparql"])

ALLOW = "GET, HEAD, POST, OPTIONS"
EXPOSED_HEADERS = [
    "ETag",
    "Server-Timing",
    "X-SPARQL-MaxRows",
    "X-SPARQL-Truncated",
    "X-SPARQL-Timeout",
    "X-Cache",
    "Warning",
    "Retry-After",
]
READ_ONLY = "SPARQL Update is not accepted: this endpoint is read-only"


def _etag(version: str, request: QueryRequest) -> str:
    key = repr(
        (
            version,
            request.text,
            request.results_type,
            request.graph_type,
            request.default_graphs,
            request.named_graphs,
            request.compress,
            request.timeout,
        )
    )
    return '"' + hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest() + '"'


def _not_modified(request: Request, etag: str) -> bool:
    return etags.not_modified(request.headers.get("if-none-match"), etag)


def _cache_headers(request: Request, settings: SparqlSettings, etag: str) -> dict[str, str]:
    if settings.allow_update:
        control = "no-cache"  # the graph may change at any time: revalidate with the ETag
    elif request.method in ("GET", "HEAD"):
        control = f"public, max-age={settings.max_age}"
    else:
        control = "no-cache"
    return {"ETag": etag, "Cache-Control": control, "Vary": "Accept, Accept-Encoding"}


async def _wait_disconnect(request: Request) -> None:
    """Returns when the client disconnects (uvicorn's receive() blocks until then)."""
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            return
        await asyncio.sleep(0.05)  # a server whose receive() does not block must not spin the loop


async def _run(request: Request, engine: Engine, query: QueryRequest) -> tuple[Answer, bool]:
    """The engine's answer; stops the work (and raises ClientGone) if the client disconnects."""
    answer = engine.cached(query)
    if answer is not None:
        return answer, True
    with engine.admission.admit(client_of(request)):  # 429 or 503 at once when it is not this query's turn
        job = asyncio.ensure_future(engine.query(query))
        watch = asyncio.ensure_future(_wait_disconnect(request))
        try:
            done, _ = await asyncio.wait((job, watch), return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            job.cancel()
            watch.cancel()
            raise
        if job in done:
            watch.cancel()
            return job.result(), False
        job.cancel()
    raise ClientGone()


async def _start(engine: Engine) -> None:
    """Start the engine if the app's lifespan did not (a test client, say); 503 if it cannot."""
    try:
        await engine.start()  # cheap when started (on this event loop)
    except EngineUnavailable as exc:
        exc.retry_after = exc.retry_after or 10
        raise


async def _answer_query(request: Request, params: Params, engine: Engine) -> Response:
    settings = engine.settings
    text = params.query or ""
    if not text.strip():
        raise errors.InputError("the query is empty")
    inspection = guard.check_query(text)
    if inspection.kind == "update":
        if settings.allow_update:
            raise errors.InputError(f"this is a SPARQL Update: POST it as update= or as {UPDATE_TYPE}")
        raise errors.Forbidden(READ_ONLY)
    choice = formats.sparql_choice(request.headers.get("accept"), params.format)
    form = inspection.form
    if (form in ("select", "ask") and choice.results is None) or (
        form in ("construct", "describe") and choice.graph is None
    ):
        raise FormNotAcceptable(form or "select")
    await _start(engine)
    query = QueryRequest(
        text,
        choice.results,
        choice.graph,
        params.default_graphs,
        params.named_graphs,
        accepts_gzip(request.headers.get("accept-encoding")),
        params.timeout,
        form,
    )
    etag = _etag(engine.version, query)
    headers = _cache_headers(request, settings, etag)
    if _not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    started = time.perf_counter()
    answer, hit = await _run(request, engine, query)
    headers["Content-Type"] = formats.content_type(answer.media_type)
    headers["X-SPARQL-MaxRows"] = str(settings.max_rows)
    headers["X-Cache"] = "hit" if hit else "miss"
    total = (time.perf_counter() - started) * 1000
    headers["Server-Timing"] = (
        f'cache;desc="hit";dur={total:.2f}' if hit else f"engine;dur={answer.engine_ms:.2f}, total;dur={total:.2f}"
    )
    if answer.encoding:
        headers["Content-Encoding"] = answer.encoding
    if answer.truncated:
        limit = f"{settings.max_rows} rows" if answer.truncated == "rows" else f"{settings.max_result_bytes} bytes"
        headers["X-SPARQL-Truncated"] = answer.truncated
        headers["Warning"] = f'199 ccmgraph "answer cut at this endpoint\'s limit of {limit}"'
    if request.method == "HEAD":
        headers["Content-Length"] = str(len(answer.body))
        return Response(status_code=200, headers=headers)
    return Response(answer.body, status_code=200, headers=headers)


async def _answer_update(request: Request, params: Params, engine: Engine) -> Response:
    settings = engine.settings
    if not settings.allow_update:
        raise errors.Forbidden(READ_ONLY)
    if request.method != "POST":
        raise errors.MethodNotAllowed("send SPARQL Update with POST", "POST")
    if not engine.can_update:
        raise errors.Forbidden("SPARQL Update is not supported over a remote store; update that store directly")
    auth = request.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise errors.Unauthorized("SPARQL Update needs the operator's token: send 'Authorization: Bearer <token>'")
    if not hmac.compare_digest(token.strip().encode(), (settings.update_token or "").encode()):
        raise errors.Forbidden("SPARQL Update refused: the bearer token is not the one this server accepts")
    if params.using_graphs:
        raise errors.InputError(
            "using-graph-uri and using-named-graph-uri are not supported; write USING in the update"
        )
    text = params.update or ""
    if not text.strip():
        raise errors.InputError("the update is empty")
    guard.check_update(text)
    started = time.perf_counter()
    quads = await engine.update(text)
    return Response(
        status_code=204,
        headers={
            "Cache-Control": "no-store",
            "X-Quads": str(quads),
            "Server-Timing": f"update;dur={(time.perf_counter() - started) * 1000:.2f}",
        },
    )


async def _service_description(request: Request, params: Params, engine: Engine) -> Response:
    fmt = formats.negotiate((*formats.GRAPHS, formats.HTML), request.headers.get("accept"), name=params.format)
    if fmt is formats.HTML:  # a browser: the query page is what a person wants here
        return RedirectResponse("/query", status_code=303, headers={"Vary": "Accept"})
    await _start(engine)
    endpoint = str(request.url.replace(query="", fragment=""))
    etag = (
        '"'
        + hashlib.blake2b(
            repr(("sd", engine.version, endpoint, fmt.media_type, engine.can_update)).encode(), digest_size=12
        ).hexdigest()
        + '"'
    )
    headers = _cache_headers(request, engine.settings, etag)
    if _not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    stats = await engine.statistics()
    body = servicedesc.document(endpoint, engine.settings, stats, engine.can_update, fmt.media_type)
    headers["Content-Type"] = fmt.content_type
    if request.method == "HEAD":
        headers["Content-Length"] = str(len(body))
        return Response(status_code=200, headers=headers)
    return Response(body, status_code=200, headers=headers)


async def sparql_endpoint(request: Request) -> Response:
    """The SPARQL 1.1 Protocol endpoint (see the module docstring)."""
    if request.method == "OPTIONS":
        return Response(status_code=204, headers={"Allow": ALLOW})
    engine: Engine = engine_of(request)
    try:
        if request.method not in ("GET", "HEAD", "POST"):
            raise errors.MethodNotAllowed(f"{request.method} is not supported here; use {ALLOW}", ALLOW)
        params = parse_params(await read_items(request, engine.settings), engine.settings)
        if params.update is not None:
            if request.method != "POST":
                if engine.settings.allow_update:
                    raise errors.MethodNotAllowed("SPARQL Update is only accepted with POST", "POST")
                raise errors.Forbidden(READ_ONLY)
            return await _answer_update(request, params, engine)
        if params.query is None:
            return await _service_description(request, params, engine)
        return await _answer_query(request, params, engine)
    except errors.CcmgraphError as exc:  # answered here: the fast path bypasses the app's handlers
        return error_response(request, exc)
    except ClientGone:
        return Response(status_code=499)


# A plain Starlette route: the protocol is parsed by hand (it is not JSON), so it needs none of
# FastAPI's per-request machinery. Documented in OpenAPI below (OPENAPI_PATH). FastPath answers
# every request for /sparql before routing; this route is what makes /sparql/ redirect (the
# router's redirect_slashes) instead of a 404, so it stays (tests/test_web_sparql_protocol.py).
router.routes.append(Route("/sparql", sparql_endpoint, methods=["GET", "HEAD", "POST", "OPTIONS"], name="sparql"))


OPENAPI_PATH = {
    "/sparql": {
        "get": {
            "tags": ["sparql"],
            "summary": "SPARQL 1.1 query (GET), or the Service Description without a query",
            "description": __doc__,
            "parameters": [
                {
                    "name": "query",
                    "in": "query",
                    "schema": {"type": "string"},
                    "description": "SPARQL 1.1 query; without it, the Service Description",
                },
                {
                    "name": "default-graph-uri",
                    "in": "query",
                    "schema": {"type": "array", "items": {"type": "string"}},
                    "style": "form",
                    "explode": True,
                },
                {
                    "name": "named-graph-uri",
                    "in": "query",
                    "schema": {"type": "array", "items": {"type": "string"}},
                    "style": "form",
                    "explode": True,
                },
                {
                    "name": "format",
                    "in": "query",
                    "schema": {"type": "string"},
                    "description": "json, xml, csv, tsv, ttl, nt, jsonld, rdfxml, trig, nq (or a media type)",
                },
                {
                    "name": "timeout",
                    "in": "query",
                    "schema": {"type": "number"},
                    "description": "seconds; lowers the endpoint's time limit for this query",
                },
            ],
            "responses": {
                "200": {"description": "the answer"},
                "304": {"description": "not modified"},
                "400": {"description": "malformed query or parameter"},
                "403": {"description": "update on a read-only endpoint"},
                "406": {"description": "no acceptable format"},
                "413": {"description": "too large"},
                "429": {"description": "this client already runs as many queries as allowed (Retry-After)"},
                "503": {"description": "time limit reached, or busy"},
            },
        },
        "post": {
            "tags": ["sparql"],
            "summary": "SPARQL 1.1 query or update (POST)",
            "requestBody": {
                "content": {
                    FORM_TYPE: {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "query": {"type": "string"},
                                "update": {"type": "string"},
                                "default-graph-uri": {"type": "string"},
                                "named-graph-uri": {"type": "string"},
                                "format": {"type": "string"},
                                "timeout": {"type": "number"},
                            },
                        }
                    },
                    QUERY_TYPE: {"schema": {"type": "string"}},
                    UPDATE_TYPE: {"schema": {"type": "string"}},
                }
            },
            "responses": {
                "200": {"description": "the answer"},
                "204": {"description": "update applied"},
                "400": {"description": "malformed query or parameter"},
                "401": {"description": "update without the token"},
                "403": {"description": "update refused"},
                "406": {"description": "no acceptable format"},
                "413": {"description": "too large"},
                "415": {"description": "unsupported body type"},
                "429": {"description": "this client already runs as many queries as allowed (Retry-After)"},
                "503": {"description": "time limit reached, or busy"},
            },
        },
    }
}
