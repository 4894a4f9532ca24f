"""The SPARQL 1.1 Protocol endpoint (``/sparql``), its Service Description, and the query page.

Protocol (W3C SPARQL 1.1 Protocol):

- queries by ``GET /sparql?query=``, ``POST`` of ``application/x-www-form-urlencoded`` (or
  ``multipart/form-data``) with ``query=``, and ``POST`` of ``application/sparql-query``;
  ``default-graph-uri`` and ``named-graph-uri`` (repeatable) select the dataset. Without them
  the default graph is the union of all named graphs, and ``GRAPH`` reaches each one.
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
create_app). Errors are plain text with the reason; bad input never gets a 5xx: 400 for a
malformed query (with the parser's line and column), 403 for an update on a read-only
endpoint, 406 for an unsupported format, 413 for an oversized request, 415 for an unknown
body type; 503 only for a query stopped at the time limit, or when every worker is busy.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import math
import re
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl

import pyoxigraph as ox
from fastapi import APIRouter
from fastapi.responses import (
    HTMLResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import ClientDisconnect, Request
from starlette.routing import Route

from ccmgraph import catalog
from ccmgraph.namespaces import PREFIXES, sparql_prefixes
from ccmgraph.sparql import formats as conneg
from ccmgraph.sparql import guard
from ccmgraph.sparql import service_description as servicedesc
from ccmgraph.sparql.engine import (
    Engine,
    EngineUnavailable,
    EvaluationProblem,
    FormNotAcceptable,
    QueryRequest,
    QueryTimeout,
    SparqlSettings,
    SyntaxProblem,
    UpdateNotSupported,
)

router = APIRouter(tags=["sparql"])

ALLOW = "GET, HEAD, POST, OPTIONS"
FORM_TYPE = "application/x-www-form-urlencoded"
MULTIPART_TYPE = "multipart/form-data"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
MAX_FIELDS = 200
EXPOSED_HEADERS = ["ETag", "Server-Timing", "X-SPARQL-MaxRows", "X-SPARQL-Truncated", "X-SPARQL-Timeout",
                   "X-Cache", "Warning", "Retry-After"]
PACKAGE = Path(__file__).resolve().parent
TEMPLATES = Environment(loader=FileSystemLoader(PACKAGE / "templates"), autoescape=select_autoescape(["html"]))


class Problem(Exception):
    """An answer other than 2xx, with a readable reason."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


class ClientGone(Exception):
    pass


def _problem_response(problem: Problem) -> Response:
    headers = {"Cache-Control": "no-store", **problem.headers}
    return PlainTextResponse(problem.message.rstrip() + "\n", problem.status, headers=headers)


def settings_of(request: Request) -> SparqlSettings:
    return request.app.state.engine.settings


# ----------------------------------------------------------------------------------------
# reading the request


@dataclass
class Params:
    query: str | None = None
    update: str | None = None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    using_graphs: tuple[str, ...] = ()
    format: str | None = None
    timeout: float | None = None


def _parse_qs(raw: bytes | str, what: str) -> list[tuple[str, str]]:
    text = raw.decode("latin-1") if isinstance(raw, bytes) else raw
    try:
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict",
                         max_num_fields=MAX_FIELDS)
    except UnicodeDecodeError:
        raise Problem(400, f"the {what} is not valid percent-encoded UTF-8") from None
    except ValueError as exc:
        raise Problem(400, f"the {what} is malformed: {exc}") from None


def _media_type(header: str | None) -> tuple[str, str]:
    """(media type, charset) of a Content-Type header."""
    if not header:
        return "", "utf-8"
    kind, _, rest = header.partition(";")
    charset = "utf-8"
    m = re.search(r"charset\s*=\s*\"?([\w.:-]+)", rest, re.IGNORECASE)
    if m:
        charset = m.group(1).lower()
    return kind.strip().lower(), charset


async def _read_body(request: Request, limit: int) -> bytes:
    length = request.headers.get("content-length")
    if length is not None:
        try:
            if int(length) > limit:
                raise Problem(413, f"the request body is larger than this endpoint's limit of {limit} bytes")
        except ValueError:
            raise Problem(400, "Content-Length is not a number") from None
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise Problem(413, f"the request body is larger than this endpoint's limit of {limit} bytes")
            chunks.append(chunk)
    except ClientDisconnect:
        raise ClientGone() from None
    return b"".join(chunks)


def _decode(body: bytes, charset: str) -> str:
    try:
        return body.decode(charset)
    except LookupError:
        raise Problem(415, f"unknown charset {charset!r}; send UTF-8") from None
    except UnicodeDecodeError as exc:
        raise Problem(400, f"the request body is not valid {charset}: {exc.reason} at byte {exc.start}") from None


async def _items(request: Request, settings: SparqlSettings) -> list[tuple[str, str]]:
    """The protocol parameters, from the URL and (for POST) the body."""
    items = _parse_qs(request.scope.get("query_string", b""), "query string")
    if request.method != "POST":
        return items
    kind, charset = _media_type(request.headers.get("content-type"))
    if kind == MULTIPART_TYPE:
        try:
            form = await request.form(max_files=0, max_fields=MAX_FIELDS, max_part_size=settings.max_request_bytes)
        except ClientDisconnect:
            raise ClientGone() from None
        except Exception as exc:  # python-multipart raises several kinds for a malformed body
            status = getattr(exc, "status_code", 400)
            raise Problem(status if 400 <= status < 500 else 400, f"malformed multipart body: {exc}") from None
        return items + [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    body = await _read_body(request, settings.max_request_bytes)
    if kind == FORM_TYPE:
        return items + _parse_qs(body, "form body")
    if kind == QUERY_TYPE:
        return items + [("query", _decode(body, charset))]
    if kind == UPDATE_TYPE:
        return items + [("update", _decode(body, charset))]
    if not kind and not body:
        return items
    raise Problem(415, f"unsupported Content-Type {kind or '(none)'!r}: send {FORM_TYPE}, {QUERY_TYPE}, "
                       f"{UPDATE_TYPE} or {MULTIPART_TYPE}")


def _iri(value: str, name: str) -> str:
    try:
        return ox.NamedNode(value).value
    except ValueError as exc:
        raise Problem(400, f"{name}: {value[:200]!r} is not an absolute IRI ({exc})") from None


def _params(items: list[tuple[str, str]], settings: SparqlSettings) -> Params:
    p = Params()
    queries = [v for k, v in items if k == "query"]
    updates = [v for k, v in items if k == "update"]
    if len(queries) > 1 or len(updates) > 1:
        raise Problem(400, "give exactly one query (or update) per request")
    if queries and updates:
        raise Problem(400, "give either a query or an update, not both")
    p.query = queries[0] if queries else None
    p.update = updates[0] if updates else None
    text = p.query if p.query is not None else p.update
    if text is not None:
        if len(text) > settings.max_request_bytes or len(text.encode("utf-8", "surrogatepass")) > settings.max_request_bytes:
            raise Problem(413, f"the query is longer than this endpoint's limit of {settings.max_request_bytes} bytes")
        if "\x00" in text:
            raise Problem(400, "the query contains a NUL character")
    p.default_graphs = tuple(dict.fromkeys(_iri(v, "default-graph-uri") for k, v in items if k == "default-graph-uri"))
    p.named_graphs = tuple(dict.fromkeys(_iri(v, "named-graph-uri") for k, v in items if k == "named-graph-uri"))
    p.using_graphs = tuple(v for k, v in items if k in ("using-graph-uri", "using-named-graph-uri"))
    formats = [v for k, v in items if k in ("format", "output", "results") and v.strip()]
    p.format = formats[0] if formats else None
    timeouts = [v for k, v in items if k == "timeout" and v.strip()]
    if timeouts:
        try:
            value = float(timeouts[0])
        except ValueError:
            raise Problem(400, f"timeout: {timeouts[0][:50]!r} is not a number of seconds") from None
        if not math.isfinite(value) or value <= 0:
            raise Problem(400, "timeout: give a positive number of seconds")
        p.timeout = min(value, settings.timeout)
    return p


def _accepts_gzip(header: str | None) -> bool:
    if not header or "gzip" not in header.lower():
        return False
    for part in header.lower().split(","):
        name, _, params = part.strip().partition(";")
        if name.strip() in ("gzip", "*"):
            m = re.search(r"q\s*=\s*([0-9.]+)", params)
            try:
                return not m or float(m.group(1)) > 0
            except ValueError:
                return True
    return False


def _etag(version: str, request: QueryRequest) -> str:
    key = repr((version, request.text, request.results_type, request.graph_type, request.default_graphs,
                request.named_graphs, request.compress, request.timeout))
    return '"' + hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest() + '"'


def _not_modified(request: Request, etag: str) -> bool:
    header = request.headers.get("if-none-match")
    if not header:
        return False
    if header.strip() == "*":
        return True
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return etag in tags


def _cache_headers(request: Request, settings: SparqlSettings, etag: str) -> dict[str, str]:
    if settings.allow_update:
        control = "no-cache"  # the graph may change at any time: revalidate with the ETag
    elif request.method in ("GET", "HEAD"):
        control = f"public, max-age={settings.max_age}"
    else:
        control = "no-cache"
    return {"ETag": etag, "Cache-Control": control, "Vary": "Accept, Accept-Encoding"}


# ----------------------------------------------------------------------------------------
# answering


_POSITION = re.compile(r"error at (\d+):(\d+)")


def _syntax_message(text: str, message: str) -> str:
    """The parser's message, and the line it points at with a caret under the column."""
    out = f"Malformed query: {message}"
    m = _POSITION.search(message)
    if m:
        line_no, column = int(m.group(1)), int(m.group(2))
        lines = text.splitlines()
        if 1 <= line_no <= len(lines):
            line = lines[line_no - 1]
            if len(line) <= 300:
                out += f"\n\n{line_no:>4} | {line}\n       {' ' * max(column - 1, 0)}^"
    return out


async def _wait_disconnect(request: Request) -> None:
    """Returns when the client disconnects (uvicorn's receive() blocks until then)."""
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            return
        await asyncio.sleep(0.05)  # a server whose receive() does not block must not spin the loop


async def _run(request: Request, engine: Engine, query: QueryRequest) -> tuple[object, bool]:
    """The engine's answer; stops the work (and raises ClientGone) if the client disconnects."""
    answer = engine.cached(query)
    if answer is not None:
        return answer, True
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


def _engine_problem(exc: Exception, settings: SparqlSettings, text: str) -> Problem:
    if isinstance(exc, SyntaxProblem):
        return Problem(400, _syntax_message(text, str(exc)))
    if isinstance(exc, EvaluationProblem):
        return Problem(400, f"Query evaluation failed: {exc}")
    if isinstance(exc, FormNotAcceptable):
        form = "select" if exc.form in ("select", "ask") else "construct"
        return Problem(406, f"Not acceptable: no format you accept fits this {exc.form.upper()} answer; "
                            f"{conneg.supported_message(form)}")
    if isinstance(exc, QueryTimeout):
        return Problem(503, f"Query timed out: it ran longer than the limit of {exc.limit:g} s and was "
                            "stopped. Make it more selective (more specific patterns, a LIMIT) or run it "
                            "on a copy of the data (see /downloads).",
                       {"X-SPARQL-Timeout": f"{exc.limit:g}"})
    if isinstance(exc, EngineUnavailable):
        headers = {"Retry-After": f"{math.ceil(exc.retry_after)}"} if exc.retry_after else {}
        return Problem(503, f"Service unavailable: {exc}", headers)
    raise exc


async def _start(engine: Engine) -> None:
    """Start the engine if the app's lifespan did not (a test client, say); 503 if it cannot."""
    try:
        await engine.start()  # cheap when started (on this event loop)
    except EngineUnavailable as exc:
        raise Problem(503, f"Service unavailable: {exc}", {"Retry-After": "10"}) from None


async def _answer_query(request: Request, params: Params, engine: Engine) -> Response:
    settings = engine.settings
    text = params.query or ""
    if not text.strip():
        raise Problem(400, "the query is empty")
    try:
        inspection = guard.check_query(text)
    except guard.Refused as exc:
        raise Problem(exc.status, str(exc)) from None
    if inspection.kind == "update":
        if settings.allow_update:
            raise Problem(400, f"this is a SPARQL Update: POST it as update= or as {UPDATE_TYPE}")
        raise Problem(403, "SPARQL Update is not accepted: this endpoint is read-only")
    try:
        choice = conneg.negotiate(request.headers.get("accept"), params.format)
    except conneg.NotAcceptable as exc:
        raise Problem(406, f"Not acceptable: {exc}") from None
    form = inspection.form
    if (form in ("select", "ask") and choice.results is None) or (
            form in ("construct", "describe") and choice.graph is None):
        raise Problem(406, f"Not acceptable: no format you accept fits a {form.upper()} answer; "
                           f"{conneg.supported_message(form)}")
    await _start(engine)
    query = QueryRequest(text, choice.results, choice.graph, params.default_graphs, params.named_graphs,
                         _accepts_gzip(request.headers.get("accept-encoding")), params.timeout, form)
    etag = _etag(engine.version, query)
    headers = _cache_headers(request, settings, etag)
    if _not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    started = time.perf_counter()
    try:
        answer, hit = await _run(request, engine, query)
    except (SyntaxProblem, EvaluationProblem, FormNotAcceptable, QueryTimeout, EngineUnavailable) as exc:
        raise _engine_problem(exc, settings, text) from None
    headers["Content-Type"] = conneg.content_type(answer.media_type)
    headers["X-SPARQL-MaxRows"] = str(settings.max_rows)
    headers["X-Cache"] = "hit" if hit else "miss"
    total = (time.perf_counter() - started) * 1000
    headers["Server-Timing"] = (f'cache;desc="hit";dur={total:.2f}' if hit else
                                f"engine;dur={answer.engine_ms:.2f}, total;dur={total:.2f}")
    if answer.encoding:
        headers["Content-Encoding"] = answer.encoding
    if answer.truncated:
        limit = (f"{settings.max_rows} rows" if answer.truncated == "rows"
                 else f"{settings.max_result_bytes} bytes")
        headers["X-SPARQL-Truncated"] = answer.truncated
        headers["Warning"] = f'199 ccmgraph "answer cut at this endpoint\'s limit of {limit}"'
    if request.method == "HEAD":
        headers["Content-Length"] = str(len(answer.body))
        return Response(status_code=200, headers=headers)
    return Response(answer.body, status_code=200, headers=headers)


async def _answer_update(request: Request, params: Params, engine: Engine) -> Response:
    settings = engine.settings
    if not settings.allow_update:
        raise Problem(403, "SPARQL Update is not accepted: this endpoint is read-only")
    if request.method != "POST":
        raise Problem(405, "send SPARQL Update with POST", {"Allow": "POST"})
    if not engine.can_update:
        raise Problem(403, "SPARQL Update is not supported over a remote store; update that store directly")
    auth = request.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Problem(401, "SPARQL Update needs the operator's token: send 'Authorization: Bearer <token>'",
                      {"WWW-Authenticate": 'Bearer realm="ccmgraph"'})
    if not hmac.compare_digest(token.strip().encode(), (settings.update_token or "").encode()):
        raise Problem(403, "SPARQL Update refused: the bearer token is not the one this server accepts")
    if params.using_graphs:
        raise Problem(400, "using-graph-uri and using-named-graph-uri are not supported; write USING in the update")
    text = params.update or ""
    if not text.strip():
        raise Problem(400, "the update is empty")
    try:
        guard.check_update(text)
    except guard.Refused as exc:
        raise Problem(exc.status, str(exc)) from None
    started = time.perf_counter()
    try:
        quads = await engine.update(text)
    except UpdateNotSupported as exc:
        raise Problem(403, str(exc)) from None
    except (SyntaxProblem, EvaluationProblem, QueryTimeout, EngineUnavailable) as exc:
        problem = _engine_problem(exc, settings, text)
        raise Problem(problem.status, problem.message.replace("Malformed query", "Malformed update")
                      .replace("Query ", "Update "), problem.headers) from None
    return Response(status_code=204, headers={
        "Cache-Control": "no-store", "X-Quads": str(quads),
        "Server-Timing": f"update;dur={(time.perf_counter() - started) * 1000:.2f}"})


async def _service_description(request: Request, params: Params, engine: Engine) -> Response:
    accept = request.headers.get("accept")
    if params.format is None and conneg.prefers_html(accept):
        return RedirectResponse("/query", status_code=303, headers={"Vary": "Accept"})
    try:
        choice = conneg.negotiate(accept, params.format)
    except conneg.NotAcceptable as exc:
        raise Problem(406, f"Not acceptable: {exc}") from None
    if choice.graph is None:
        raise Problem(406, f"Not acceptable: the service description is RDF; {conneg.supported_message('construct')}")
    await _start(engine)
    endpoint = str(request.url.replace(query="", fragment=""))
    etag = '"' + hashlib.blake2b(repr(("sd", engine.version, endpoint, choice.graph, engine.can_update))
                                 .encode(), digest_size=12).hexdigest() + '"'
    headers = _cache_headers(request, engine.settings, etag)
    if _not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    try:
        stats = await engine.statistics()
    except (QueryTimeout, EngineUnavailable) as exc:
        raise _engine_problem(exc, engine.settings, "") from None
    body = servicedesc.render(endpoint, engine.settings, stats, engine.can_update, choice.graph)
    headers["Content-Type"] = conneg.content_type(choice.graph)
    if request.method == "HEAD":
        headers["Content-Length"] = str(len(body))
        return Response(status_code=200, headers=headers)
    return Response(body, status_code=200, headers=headers)


async def sparql_endpoint(request: Request) -> Response:
    """The SPARQL 1.1 Protocol endpoint (see the module docstring)."""
    if request.method == "OPTIONS":
        return Response(status_code=204, headers={"Allow": ALLOW})
    if request.method not in ("GET", "HEAD", "POST"):
        return _problem_response(Problem(405, f"{request.method} is not supported here; use {ALLOW}",
                                         {"Allow": ALLOW}))
    engine: Engine = request.app.state.engine
    try:
        params = _params(await _items(request, engine.settings), engine.settings)
        if params.update is not None:
            if request.method != "POST":
                raise Problem(405 if engine.settings.allow_update else 403,
                              "SPARQL Update is only accepted with POST" if engine.settings.allow_update
                              else "SPARQL Update is not accepted: this endpoint is read-only",
                              {"Allow": "POST"} if engine.settings.allow_update else {})
            return await _answer_update(request, params, engine)
        if params.query is None:
            return await _service_description(request, params, engine)
        return await _answer_query(request, params, engine)
    except Problem as problem:
        return _problem_response(problem)
    except ClientGone:
        return Response(status_code=499)


# A plain Starlette route: the protocol is parsed by hand (it is not JSON), so it needs none of
# FastAPI's per-request machinery. Documented in OpenAPI below (OPENAPI_PATH).
router.routes.append(Route("/sparql", sparql_endpoint, methods=["GET", "HEAD", "POST", "OPTIONS"],
                           name="sparql"))


class FastPath:
    """ASGI middleware that hands ``/sparql`` straight to its handler, with a response table.

    The route above answers the same requests; this skips the routing and exception layers in
    between, and answers a request it has answered before on the same graph version (same
    method, URL, body and negotiation headers) from a table of finished responses, without
    parsing anything: for an endpoint that serves many small, repeated queries (dashboards,
    notebooks re-run), the framework's per-request cost is most of the work (measured for a
    cached answer: 58 us through the framework, 30 us direct, 6 us from the table).
    Install it inside CORSMiddleware so that CORS still applies.
    """

    TABLE_ENTRIES = 4096
    TABLE_BYTES = 32 * 1024 * 1024

    def __init__(self, app) -> None:
        self.app = app
        self._table: dict[tuple, tuple[bytes, list[tuple[bytes, bytes]]]] = {}
        self._bytes = 0

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["path"] != scope.get("root_path", "") + "/sparql":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        key = None
        if method in ("GET", "POST"):
            wanted = {}
            for name, value in scope["headers"]:
                if name in _KEY_HEADERS:
                    wanted[name] = value
            if b"if-none-match" not in wanted and b"authorization" not in wanted:
                body = b""
                if method == "POST":
                    body, receive = await _buffer_body(receive, scope)
                engine = scope["app"].state.engine
                if body is not None and engine.caching:
                    key = (engine.version, method, scope["query_string"], body, wanted.get(b"content-type"),
                           wanted.get(b"accept"), wanted.get(b"accept-encoding"))
                    entry = self._table.get(key)
                    if entry is not None and engine.started:
                        engine.count_hit()
                        await send({"type": "http.response.start", "status": 200,
                                    "headers": entry[1] + _HIT_HEADERS})
                        await send({"type": "http.response.body", "body": entry[0]})
                        return
        response = await sparql_endpoint(Request(scope, receive, send))
        if key is not None and response.status_code == 200 and b"x-cache" in dict(response.raw_headers):
            self._remember(key, response)
        await response(scope, receive, send)

    def _remember(self, key: tuple, response: Response) -> None:
        body = response.body
        if len(body) > self.TABLE_BYTES // 16:
            return
        headers = [(k, v) for k, v in response.raw_headers if k not in (b"x-cache", b"server-timing")]
        while self._table and (len(self._table) >= self.TABLE_ENTRIES or self._bytes + len(body) > self.TABLE_BYTES):
            old = self._table.pop(next(iter(self._table)))  # oldest first
            self._bytes -= len(old[0])
        self._table[key] = (body, headers)
        self._bytes += len(body)


_KEY_HEADERS = {b"accept", b"accept-encoding", b"content-type", b"if-none-match", b"authorization"}
_HIT_HEADERS = [(b"x-cache", b"hit"), (b"server-timing", b'cache;desc="hit"')]
_TABLE_BODY_MAX = 64 * 1024


async def _buffer_body(receive, scope):
    """Read a small request body now; (body, a receive that replays it) or (None, receive)."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                if int(value) > _TABLE_BODY_MAX:
                    return None, receive
            except ValueError:
                return None, receive
            break
    else:
        return None, receive  # chunked: leave it to the handler's limits
    chunks = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            pending = [message]
            break
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        if not message.get("more_body") or size > _TABLE_BODY_MAX:
            pending = [] if not message.get("more_body") else None
            break
    body = b"".join(chunks)
    replayed = False

    async def replay():
        nonlocal replayed
        if not replayed:
            replayed = True
            if pending:
                return pending[0]
            return {"type": "http.request", "body": body, "more_body": pending is None}
        return await receive()

    return (body if pending == [] else None), replay


OPENAPI_PATH = {
    "/sparql": {
        "get": {
            "tags": ["sparql"], "summary": "SPARQL 1.1 query (GET), or the Service Description without a query",
            "description": __doc__,
            "parameters": [
                {"name": "query", "in": "query", "schema": {"type": "string"},
                 "description": "SPARQL 1.1 query; without it, the Service Description"},
                {"name": "default-graph-uri", "in": "query", "schema": {"type": "array", "items": {"type": "string"}},
                 "style": "form", "explode": True},
                {"name": "named-graph-uri", "in": "query", "schema": {"type": "array", "items": {"type": "string"}},
                 "style": "form", "explode": True},
                {"name": "format", "in": "query", "schema": {"type": "string"},
                 "description": "json, xml, csv, tsv, ttl, nt, jsonld, rdfxml, trig, nq (or a media type)"},
                {"name": "timeout", "in": "query", "schema": {"type": "number"},
                 "description": "seconds; lowers the endpoint's time limit for this query"},
            ],
            "responses": {"200": {"description": "the answer"}, "304": {"description": "not modified"},
                          "400": {"description": "malformed query or parameter"},
                          "403": {"description": "update on a read-only endpoint"},
                          "406": {"description": "no acceptable format"}, "413": {"description": "too large"},
                          "503": {"description": "time limit reached, or busy"}},
        },
        "post": {
            "tags": ["sparql"], "summary": "SPARQL 1.1 query or update (POST)",
            "requestBody": {"content": {
                FORM_TYPE: {"schema": {"type": "object", "properties": {
                    "query": {"type": "string"}, "update": {"type": "string"},
                    "default-graph-uri": {"type": "string"}, "named-graph-uri": {"type": "string"},
                    "format": {"type": "string"}, "timeout": {"type": "number"}}}},
                QUERY_TYPE: {"schema": {"type": "string"}},
                UPDATE_TYPE: {"schema": {"type": "string"}}}},
            "responses": {"200": {"description": "the answer"}, "204": {"description": "update applied"},
                          "400": {"description": "malformed query or parameter"},
                          "401": {"description": "update without the token"},
                          "403": {"description": "update refused"}, "406": {"description": "no acceptable format"},
                          "413": {"description": "too large"}, "415": {"description": "unsupported body type"},
                          "503": {"description": "time limit reached, or busy"}},
        },
    }
}


# ----------------------------------------------------------------------------------------
# the query page


def _with_prefixes(text: str) -> str:
    """The named query with PREFIX lines added for the standard prefixes it uses but lacks."""
    declared = {m.group(1) for m in re.finditer(r"(?im)^\s*PREFIX\s+([\w.-]*):", text)}
    missing = [p for p in PREFIXES if p not in declared and re.search(rf"(?<![\w?$<]){re.escape(p)}:", text)]
    return "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in missing) + text


def _named_queries(request: Request) -> tuple[list[dict[str, object]], str | None]:
    directory = getattr(request.app.state, "queries_dir", None)
    try:
        named = catalog.load(directory)
    except (catalog.CatalogError, OSError, UnicodeDecodeError, ValueError) as exc:
        return [], f"the named queries could not be read: {exc}"
    out = []
    for q in named.values():
        text = _with_prefixes(q.sparql)
        if q.parameters:
            values = []
            for p in q.parameters:
                try:
                    values.append(str(p.bind(p.example)))
                except catalog.ParameterError:
                    values.append("UNDEF")
            names = " ".join(f"?{p.name}" for p in q.parameters)
            text = (text.rstrip() + "\n\n# parameters (edit the values)\n"
                    + f"VALUES ({names}) {{ ({' '.join(values)}) }}\n")
        out.append({"name": q.name, "title": q.title, "description": q.description, "sparql": text,
                    "parameters": [{"name": p.name, "type": p.type, "example": p.example,
                                    "description": p.description} for p in q.parameters]})
    return out, None


DEFAULT_QUERY = """SELECT ?action ?number ?label WHERE {
  ?action a ccm:LAPAction ;
          ccm:actionNumber ?number ;
          rdfs:label ?label .
}
ORDER BY ?number
LIMIT 100
"""


@router.get("/query", response_class=HTMLResponse, summary="The SPARQL query page (HTML)")
async def query_page(request: Request, query: str | None = None) -> HTMLResponse:
    named, problem = _named_queries(request)
    settings = settings_of(request)
    initial = query if query is not None and len(query) <= settings.max_request_bytes else (
        sparql_prefixes() + "\n" + DEFAULT_QUERY)
    html = TEMPLATES.get_template("query.html").render(
        title="SPARQL query", initial=initial, named=named, catalog_problem=problem, prefixes=PREFIXES,
        timeout=settings.timeout, max_rows=settings.max_rows, read_only=not settings.allow_update)
    return HTMLResponse(html, headers={
        "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                                   "script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
        "Cache-Control": "no-cache"})


async def home(request: Request) -> Response:
    """``/``: the query page (``/?query=...`` fills it in), unless another router claims ``/`` first."""
    return await query_page(request, request.query_params.get("query"))


def _static(name: str, media_type: str):
    async def serve() -> Response:
        return Response((PACKAGE / "static" / name).read_bytes(), media_type=media_type,
                        headers={"Cache-Control": "public, max-age=300"})
    return serve


router.add_api_route("/static/query.js", _static("query.js", "text/javascript; charset=utf-8"),
                     include_in_schema=False)
router.add_api_route("/static/query.css", _static("query.css", "text/css; charset=utf-8"),
                     include_in_schema=False)
