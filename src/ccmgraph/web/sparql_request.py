"""Reading a SPARQL 1.1 Protocol request: the parameters from the URL and the body, checked.

A query comes by ``GET /sparql?query=``, by ``POST`` of ``application/x-www-form-urlencoded``
(or ``multipart/form-data``) with ``query=``, or by ``POST`` of ``application/sparql-query``;
an update by ``update=`` or ``application/sparql-update``. Bad input raises one of the
``ccmgraph.errors`` classes (400, 413 or 415), never a 5xx.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl

import pyoxigraph as ox
from starlette.requests import ClientDisconnect, Request

from ccmgraph import errors
from ccmgraph.execution.engine import SparqlSettings

FORM_TYPE = "application/x-www-form-urlencoded"
MULTIPART_TYPE = "multipart/form-data"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
MAX_FIELDS = 200


class ClientGone(Exception):
    """The client disconnected before its request was read or answered."""


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
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict", max_num_fields=MAX_FIELDS)
    except UnicodeDecodeError:
        raise errors.InputError(f"the {what} is not valid percent-encoded UTF-8") from None
    except ValueError as exc:
        raise errors.InputError(f"the {what} is malformed: {exc}") from None


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


def _too_large(limit: int) -> errors.RequestTooLarge:
    return errors.RequestTooLarge(f"the request body is larger than this endpoint's limit of {limit} bytes")


async def _read_body(request: Request, limit: int) -> bytes:
    length = request.headers.get("content-length")
    if length is not None:
        try:
            if int(length) > limit:
                raise _too_large(limit)
        except ValueError:
            raise errors.InputError("Content-Length is not a number") from None
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise _too_large(limit)
            chunks.append(chunk)
    except ClientDisconnect:
        raise ClientGone() from None
    return b"".join(chunks)


def _decode(body: bytes, charset: str) -> str:
    try:
        return body.decode(charset)
    except LookupError:
        raise errors.UnsupportedMediaType(f"unknown charset {charset!r}; send UTF-8") from None
    except UnicodeDecodeError as exc:
        raise errors.InputError(f"the request body is not valid {charset}: {exc.reason} at byte {exc.start}") from None


async def read_items(request: Request, settings: SparqlSettings) -> list[tuple[str, str]]:
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
            if getattr(exc, "status_code", 400) == 413:
                raise _too_large(settings.max_request_bytes) from None
            raise errors.InputError(f"malformed multipart body: {exc}") from None
        return items + [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    body = await _read_body(request, settings.max_request_bytes)
    if kind == FORM_TYPE:
        return items + _parse_qs(body, "form body")
    if kind == QUERY_TYPE:
        return [*items, ("query", _decode(body, charset))]
    if kind == UPDATE_TYPE:
        return [*items, ("update", _decode(body, charset))]
    if not kind and not body:
        return items
    raise errors.UnsupportedMediaType(
        f"unsupported Content-Type {kind or '(none)'!r}: send {FORM_TYPE}, "
        f"{QUERY_TYPE}, {UPDATE_TYPE} or {MULTIPART_TYPE}"
    )


def _iri(value: str, name: str) -> str:
    try:
        return ox.NamedNode(value).value
    except ValueError as exc:
        raise errors.InputError(f"{name}: {value[:200]!r} is not an absolute IRI ({exc})") from None


# the SPARQL 1.1 Protocol's parameters, and the result format and time limit clients send
PARAMETERS = (
    "query",
    "update",
    "default-graph-uri",
    "named-graph-uri",
    "using-graph-uri",
    "using-named-graph-uri",
    "format",
    "output",
    "results",
    "timeout",
)


def parse_params(items: list[tuple[str, str]], settings: SparqlSettings) -> Params:
    """The checked parameters of a request; one it does not know is a 422 (README: "A parameter
    the route does not know ... is a 422 naming the parameter and the allowed values")."""
    unknown = next((k for k, _ in items if k not in PARAMETERS), None)
    if unknown is not None:
        raise errors.InvalidParameter(unknown, "the SPARQL endpoint has no such parameter", PARAMETERS)
    p = Params()
    queries = [v for k, v in items if k == "query"]
    updates = [v for k, v in items if k == "update"]
    if len(queries) > 1 or len(updates) > 1:
        raise errors.InputError("give exactly one query (or update) per request")
    if queries and updates:
        raise errors.InputError("give either a query or an update, not both")
    p.query = queries[0] if queries else None
    p.update = updates[0] if updates else None
    text = p.query if p.query is not None else p.update
    if text is not None:
        limit = settings.max_request_bytes
        if len(text) > limit or len(text.encode("utf-8", "surrogatepass")) > limit:
            raise errors.RequestTooLarge(f"the query is longer than this endpoint's limit of {limit} bytes")
        if "\x00" in text:
            raise errors.InputError("the query contains a NUL character")
    p.default_graphs = tuple(dict.fromkeys(_iri(v, "default-graph-uri") for k, v in items if k == "default-graph-uri"))
    p.named_graphs = tuple(dict.fromkeys(_iri(v, "named-graph-uri") for k, v in items if k == "named-graph-uri"))
    p.using_graphs = tuple(v for k, v in items if k in ("using-graph-uri", "using-named-graph-uri"))
    names = [v for k, v in items if k in ("format", "output", "results") and v.strip()]
    p.format = names[0] if names else None
    timeouts = [v for k, v in items if k == "timeout" and v.strip()]
    if timeouts:
        try:
            value = float(timeouts[0])
        except ValueError:
            raise errors.InputError(f"timeout: {timeouts[0][:50]!r} is not a number of seconds") from None
        if not math.isfinite(value) or value <= 0:
            raise errors.InputError("timeout: give a positive number of seconds")
        p.timeout = min(value, settings.timeout)
    return p


def accepts_gzip(header: str | None) -> bool:
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
