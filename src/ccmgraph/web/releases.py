"""A running server picks up a new build: ``ccmgraph build`` (``--watch``) replaces ``dist/`` in one
rename, its ``manifest.json`` last written; a background task looks at that file's identity once a
second (one ``stat``) and, when it changes, opens the new build's store beside the old one (a
checkpoint of ``dist/store``, ccmgraph.disk_store) and hands it to the engine (``Engine.replace``),
which switches store, caches and worker processes at once. A request already running finishes on
the graph it started with; the next one sees the new build; the old store's copy is removed once
its worker processes have stopped and nothing reads it."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
from pathlib import Path

from ccmgraph.execution.engine import Engine
from ccmgraph.store import EmbeddedStore

log = logging.getLogger(__name__)
POLL = 1.0  # seconds between two looks at dist/manifest.json


def release_of(dist: Path) -> tuple[int, int, int] | None:
    """The identity of the build in ``dist`` (None: none complete there now, e.g. mid-rename)."""
    try:
        st = os.stat(dist / "manifest.json")
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


async def follow(engine: Engine, dist: Path, poll: float = POLL) -> None:
    """Serve each new build of ``dist`` as it appears (runs until cancelled)."""
    loop = asyncio.get_running_loop()
    served = release_of(dist)
    while True:
        await asyncio.sleep(poll)
        seen = release_of(dist)
        if seen is None or seen == served:
            continue
        try:
            store = await loop.run_in_executor(
                None, functools.partial(EmbeddedStore, dist, memory_copy_quads=engine.settings.memory_copy_quads)
            )
            await engine.replace(store)
        except Exception as exc:  # a build being replaced again, or unreadable: keep serving, try again
            log.warning("could not load the new build in %s: %s", dist, exc)
            continue
        served = seen
        log.info("serving the new build in %s (version %s)", dist, store.version)


@contextlib.asynccontextmanager
async def following(engine: Engine, dist: Path):
    """``follow`` for the app's lifetime."""
    task = asyncio.ensure_future(follow(engine, dist))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
