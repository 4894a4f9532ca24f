"""Which release an answer came from.

Every answer (/sparql, /api, pages, /id, dumps, /dataset, errors) carries the version of the
release served, ``CCMGraph-Release: <version>``, and ``Link: </dataset/releases/<version>>;
rel="version-history"`` pointing at the release's entry in the history
(ccmgraph.release_history); one middleware sets both. It also remembers, for the request,
the release and the page's address, from which the pages' "cite this" block (``cite.html``,
included by ``base.html``) is made.
"""

from __future__ import annotations

import asyncio
import logging
import os
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from starlette.datastructures import URL
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ccmgraph import errors, release_history
from ccmgraph.execution.engine import UNKNOWN_VERSION, Engine
from ccmgraph.namespaces import BASE

HEADER = "CCMGraph-Release"
log = logging.getLogger(__name__)


def release_path(version: str) -> str:
    """Where the history says what a release is (its entry on this server)."""
    return f"/dataset/releases/{version}"


@dataclass(frozen=True)
class Citation:
    """What the "cite this" block of a page shows."""

    version: str
    date: str  # "" when this server does not know the release's date
    recorded: bool  # a release in the history, or an unrecorded build
    permalink: str  # the page's permanent link
    release_url: str


# the request's (dist, version, scope): its page's citation is made only if a page is rendered
_request: ContextVar[tuple[Path, str, Scope] | None] = ContextVar("ccmgraph_release", default=None)


async def served_version(engine: Engine) -> str:
    """The version of the release the engine serves (read from the store until the engine starts)."""
    if engine.knows_version:
        return engine.version
    store = engine.store
    try:
        return await asyncio.to_thread(lambda: store.version)
    except Exception:  # a remote store that does not answer: the answer says so itself
        return UNKNOWN_VERSION


class ReleaseHeader:
    """Pure ASGI middleware: ``CCMGraph-Release`` and its ``Link`` on every answer."""

    def __init__(self, app: ASGIApp, engine: Engine, dist: Path) -> None:
        self.app = app
        self.engine = engine
        self.dist = dist
        self._headers: dict[str, list[tuple[bytes, bytes]]] = {}  # the version served's, made once

    def _headers_of(self, version: str) -> list[tuple[bytes, bytes]]:
        self._headers = {
            version: [
                (HEADER.lower().encode(), version.encode("latin-1", "replace")),
                (b"link", f'<{release_path(version)}>; rel="version-history"'.encode("latin-1", "replace")),
            ]
        }
        return self._headers[version]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        version = await served_version(self.engine)
        headers = self._headers.get(version) or self._headers_of(version)

        async def send_with_release(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + headers
            await send(message)

        token = _request.set((self.dist, version, scope))
        try:
            await self.app(scope, receive, send_with_release)
        finally:
            _request.reset(token)


def current() -> Citation | None:
    """The citation of the page being rendered (None outside a request)."""
    state = _request.get()
    if state is None:
        return None
    dist, version, scope = state
    url = URL(scope=scope)
    recorded, date = _dated(dist, version, identity(release_history.record_file()), identity(dist / "manifest.json"))
    release_url = str(url.replace(path=release_path(version), query=""))
    return Citation(version, date, recorded, permalink(url, version), release_url)


def permalink(url: URL, version: str) -> str:
    """A page's permanent link: a resource's IRI; the query page pinned to the release; else its URL."""
    if url.path.startswith("/id/"):
        return BASE + url.path.removeprefix("/")
    if url.path == "/query":
        params = [(k, v) for k, v in parse_qsl(url.query) if k != "release"]
        return str(url.replace(query=urlencode([*params, ("release", version)])))
    return str(url)


def identity(file: Path) -> tuple[int, int]:
    try:
        st = os.stat(file)
    except OSError:
        return 0, 0
    return st.st_mtime_ns, st.st_size


@lru_cache(maxsize=16)
def _dated(dist: Path, version: str, _record: tuple[int, int], _manifest: tuple[int, int]) -> tuple[bool, str]:
    """(recorded, date) of a version: from the history, else from the build in ``dist`` when it is
    that version (the files' identities in the key: a new record or build is read again)."""
    try:
        for r in release_history.history():
            if r.version == version:
                return True, r.date
        build = release_history.built(dist)
    except errors.DataError as exc:  # every page still answers; /dataset/releases says what is wrong
        log.warning("%s", exc)
        return False, ""
    except (OSError, ValueError, KeyError):  # no build in dist (a remote store's server)
        return False, ""
    return (build.recorded, build.date) if build.version == version else (False, "")
