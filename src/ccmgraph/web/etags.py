"""Entity tags on the analyst API's answers (/api/...), from their bytes.

An answer's ETag is a digest of its body, so the same answer has the same tag whatever engine
computed it (the embedded one, Virtuoso, Oxigraph server: their answers are byte-identical, see
tests/test_remote_serve.py) and whichever server process sent it; a client that sends it back in
``If-None-Match`` gets a 304 without the body. The SPARQL endpoint has its own tags (graph
version and request, known before the query runs: web.sparql_protocol).
"""

from __future__ import annotations

import hashlib

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PREFIX = "/api/"
# what a 304 leaves out: it describes the body it does not send
_BODY_HEADERS = {b"content-length", b"content-type", b"content-disposition"}


def etag_of(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


def not_modified(if_none_match: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` header matches ``etag`` (weak comparison, as RFC 9110 asks for GET)."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    return etag in (t.strip().removeprefix("W/") for t in if_none_match.split(","))


class ApiETags:
    """Pure ASGI middleware: a successful GET under /api/ is held whole, tagged, or answered 304."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD") or not scope["path"].startswith(PREFIX):
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def hold(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                if message["status"] != 200:  # errors pass as they are
                    start = None
                    await send(message)
                    return
                start = message
                return
            if start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = b"".join(chunks)
            etag = etag_of(body)
            headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"etag"]
            headers.append((b"etag", etag.encode()))
            if not_modified(Headers(scope=scope).get("if-none-match"), etag):
                headers = [(k, v) for k, v in headers if k.lower() not in _BODY_HEADERS]
                await send({"type": "http.response.start", "status": 304, "headers": headers})
                await send({"type": "http.response.body", "body": b""})
                return
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, hold)
