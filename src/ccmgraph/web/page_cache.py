"""Pages and API answers kept per graph version: an ASGI middleware (``PageCache``).

A page or an API answer depends on the graph served (its version), the URL and the negotiation;
building it costs queries, rows turned into Python objects, a template or JSON, all under the one
interpreter lock of the web process. Under a load of 50 clients these requests queued behind each
other (p95 1.3 s where each takes 10 to 85 ms alone, bench/load.py). So the first answer to a GET
is kept (the one answer cache, ccmgraph.execution.cache: least recently used out first, bounded
in bytes) and identical requests get its bytes; requests arriving while it is being built wait for
it instead of building it again. Every kept answer carries an ``ETag`` (a digest of its body, so
that the same answer has the same tag on every server), and a request whose ``If-None-Match``
names it gets 304. A new graph version (a new build of dist/, an update, a publish to the remote
store) empties the table.

Kept: 200 answers to GET (HEAD is run as GET by ``web.security``) under ``CACHED``, sent in one
piece (a streamed file, /downloads, passes through), not marked ``no-store`` or ``private`` and
setting no cookie. Not kept: /sparql (its own caches), /static, /api/queries (the named query files
are read on each request), /review (a curator's drafts change without the graph), /dataset (it lists the releases
recorded in data/releases/, which a recording changes without the graph), /health.
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ccmgraph.execution.cache import LRUCache
from ccmgraph.web import etags

CACHED = ("/api/", "/id/", "/coverage", "/timeline", "/workplans", "/compare", "/search", "/reports/")
NOT_CACHED = ("/api/queries",)
KEY_HEADERS = (b"accept", b"host")
Entry = tuple[list[tuple[bytes, bytes]], bytes]  # headers, body


def cacheable(path: str) -> bool:
    return path.startswith(CACHED) and not path.startswith(NOT_CACHED)


class PageCache:
    """Pure ASGI middleware: answers a GET it has answered before on the same graph version from a
    table of ``table_bytes`` (0: off)."""

    def __init__(self, app: ASGIApp, table_bytes: int) -> None:
        self.app = app
        self.table: LRUCache[tuple, Entry] = LRUCache(table_bytes, max(table_bytes // 8, 1))
        self._version: str | None = None
        self._building: dict[tuple, asyncio.Future[None]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        engine = scope["app"].state.engine if scope["type"] == "http" else None
        if (
            engine is None
            or not engine.started
            or self.table.capacity <= 0
            or scope["method"] != "GET"
            or not cacheable(scope["path"])
        ):
            await self.app(scope, receive, send)
            return
        if engine.version != self._version:  # a new graph: every answer kept is stale
            self._version = engine.version
            self.table.clear()
        headers = dict(scope["headers"])
        key = (self._version, scope["path"], scope["query_string"], *(headers.get(h) for h in KEY_HEADERS))
        building = self._building.get(key)
        if building is not None:
            await asyncio.shield(building)
        entry = self.table.get(key)
        if entry is not None:
            await self._answer(entry, headers.get(b"if-none-match"), send)
            return
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._building[key] = done
        try:
            await self.app(scope, receive, self._keeping(key, headers.get(b"if-none-match"), send))
        finally:
            if self._building.get(key) is done:  # (after an answer not kept, waiters build their own)
                del self._building[key]
            done.set_result(None)

    def _keeping(self, key: tuple, if_none_match: bytes | None, send: Send) -> Send:
        """A ``send`` that keeps a 200 answer sent in one piece, and passes anything else on."""
        start: Message | None = None

        async def keeping(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start" and message["status"] == 200:
                start = message  # held until the body says whether it comes in one piece
                return
            if start is not None and message["type"] == "http.response.body":
                held, start = start, None
                headers = list(held.get("headers", []))
                if not message.get("more_body") and _keepable(headers):
                    entry = self._keep(key, headers, message.get("body", b""))
                    await self._answer(entry, if_none_match, send)
                    return
                await send(held)
            await send(message)

        return keeping

    def _keep(self, key: tuple, headers: list[tuple[bytes, bytes]], body: bytes) -> Entry:
        if not any(k.lower() == b"etag" for k, _ in headers):
            headers.append((b"etag", etags.etag_of(body).encode()))
        entry = ([(k, v) for k, v in headers if k.lower() != b"content-length"], body)
        if key[0] == self._version:
            self.table.put(key, entry, len(body) + 64 * len(headers))
        return entry

    async def _answer(self, entry: Entry, if_none_match: bytes | None, send: Send) -> None:
        headers, body = entry
        etag = next(v for k, v in headers if k.lower() == b"etag")
        if if_none_match is not None and etags.not_modified(if_none_match.decode("latin-1"), etag.decode("latin-1")):
            kept = [(k, v) for k, v in headers if k.lower() in (b"etag", b"cache-control", b"vary", b"link")]
            await send({"type": "http.response.start", "status": 304, "headers": kept})
            await send({"type": "http.response.body", "body": b""})
            return
        length = (b"content-length", str(len(body)).encode())
        await send({"type": "http.response.start", "status": 200, "headers": [*headers, length]})
        await send({"type": "http.response.body", "body": body})


def _keepable(headers: list[tuple[bytes, bytes]]) -> bool:
    for name, value in headers:
        name = name.lower()
        if name == b"set-cookie" or (name == b"cache-control" and (b"no-store" in value or b"private" in value)):
            return False
    return True
