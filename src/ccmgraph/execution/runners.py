"""Where the engine's queries run: one runner per kind of store, behind one interface (``Runner``),
so that the engine keeps only what every store shares (the answer cache, queries in flight, the
version those are keyed on).

- ``EmbeddedRunner`` (an ``EmbeddedStore``): killable worker processes (ccmgraph.execution.workers)
  that open the same store on disk, read-only; a SPARQL Update writes a new store beside it.
- ``RemoteRunner`` (a ``RemoteStore``: Virtuoso, Oxigraph server, Fuseki...): each query is an
  HTTP request sent from the event loop; at the time limit, or when every client waiting for it
  has gone, the request is abandoned (its connection closed). The engine's own time limit is
  sent too where it takes one per request (Virtuoso), so that it stops working as well. The
  store's version (written by ``ccmgraph publish``) is read again every ``version_ttl`` seconds:
  several servers over one store key their caches on the same version.
"""

from __future__ import annotations

import asyncio
import functools
import gzip
import os
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import httpx

from ccmgraph import disk_store, errors
from ccmgraph.execution import execute as results
from ccmgraph.execution.execute import FormNotAcceptable, Limits
from ccmgraph.execution.workers import EngineUnavailable, QueryTimeout, WorkerPool
from ccmgraph.namespaces import PREFIXES
from ccmgraph.settings import DEFAULTS
from ccmgraph.sparql.answer import Answer
from ccmgraph.store import (
    EmbeddedStore,
    IncompleteAnswer,
    RemoteStore,
    RemoteTimeout,
    Store,
    StoreRefused,
    StoreUnreachable,
)


@dataclass(frozen=True)
class QueryRequest:
    """Everything that determines an answer (and so its cache entry and ETag)."""

    text: str
    results_type: str | None
    graph_type: str | None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    compress: bool = False
    timeout: float | None = None  # None: the endpoint's limit
    form: str | None = None  # what the guard read; a hint for remote engines


class UpdateNotSupported(errors.Forbidden):
    """This engine cannot apply updates (a remote store)."""


class Runner(Protocol):
    """Runs the engine's queries on one store."""

    @property
    def store(self) -> Store:
        """The store served now (an update replaces an embedded one)."""
        ...

    @property
    def can_update(self) -> bool: ...

    async def start(self, on_version: Callable[[str], None]) -> None:
        """Make ready; ``on_version`` is told when the store's version changes under the runner."""
        ...

    async def run(self, request: QueryRequest, timeout: float, limits: Limits) -> Answer: ...

    async def update(self, text: str, timeout: float) -> int:
        """Apply a SPARQL update (``store`` is then the graph after it); the number of quads."""
        ...

    def abandon(self) -> None:
        """Drop what the runner holds without waiting (its event loop may be gone)."""
        ...

    async def close(self) -> None: ...


class EmbeddedRunner:
    """Queries in worker processes that open the store of an ``EmbeddedStore`` (its ``path``,
    read-only: the page cache holds its files once for all of them)."""

    can_update = True

    def __init__(
        self,
        store: EmbeddedStore,
        pool_size: int,
        memory_limit: int | None,
        patience: float = DEFAULTS.patience,
        slow_after: float = DEFAULTS.slow_after,
    ) -> None:
        self._store = store
        self.pool_size = pool_size
        self.memory_limit = memory_limit
        self.patience = patience
        self.slow_after = slow_after
        self.pool: WorkerPool | None = None
        # replaced (by a build or an update), kept until their queries end
        self._retired: list[tuple[WorkerPool | None, EmbeddedStore]] = []

    @property
    def store(self) -> Store:
        return self._store

    async def start(self, on_version: Callable[[str], None]) -> None:
        self.pool = await self._start_pool(self._store)

    async def _start_pool(self, store: EmbeddedStore) -> WorkerPool:
        pool = WorkerPool(
            store.path, self.pool_size, self.memory_limit, patience=self.patience, slow_after=self.slow_after
        )
        try:
            await pool.start()
        except BaseException:
            pool.abandon()
            raise
        return pool

    async def run(self, request: QueryRequest, timeout: float, limits: Limits) -> Answer:
        assert self.pool is not None
        return await self.pool.query(
            timeout=timeout,
            text=request.text,
            results_type=request.results_type,
            graph_type=request.graph_type,
            default_graphs=request.default_graphs,
            named_graphs=request.named_graphs,
            limits=limits,
            compress=request.compress,
        )

    async def update(self, text: str, timeout: float) -> int:
        assert self.pool is not None
        # beside the store it derives from: a checkpoint there is hard links, not a copy
        target = self._store.path.parent / f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
        version = disk_store.next_version(self._store.version, text)
        try:
            quads = await self.pool.update(text, timeout=timeout, target=target, version=version)
        except BaseException:  # the process writing it was stopped, or the update failed
            shutil.rmtree(target, ignore_errors=True)
            raise
        # the rest of the app (linked-data pages, analyst API) reads this store
        opened = await asyncio.get_running_loop().run_in_executor(None, disk_store.open_store, target)
        self._switch(EmbeddedStore(opened=opened), None, timeout + 1)
        return quads

    async def replace(self, store: EmbeddedStore, retire_after: float) -> None:
        """Serve ``store`` (a new build): new worker processes over it, then one switch; the old
        processes stop once the queries they are running have had ``retire_after`` seconds."""
        if self.pool is None:  # not started: the workers start on the new store
            self._store = store
            return
        self._switch(store, await self._start_pool(store), retire_after)

    def _switch(self, store: EmbeddedStore, pool: WorkerPool | None, retire_after: float) -> None:
        """Serve ``store`` (and ``pool``: new processes; None: the pool moved to it itself)."""
        retired = (self.pool if pool is not None else None, self._store)
        self._store = store
        if pool is not None:
            self.pool = pool
        self._retired.append(retired)
        loop = asyncio.get_running_loop()
        loop.call_later(retire_after, lambda: asyncio.ensure_future(self._retire(retired)))

    async def _retire(self, retired: tuple[WorkerPool | None, EmbeddedStore]) -> None:
        """Stop the processes and let go of the store (its serving copy is removed when unused)."""
        if retired not in self._retired:  # closed already
            return
        self._retired.remove(retired)
        if retired[0] is not None:
            await retired[0].close()

    def abandon(self) -> None:
        if self.pool is not None:
            self.pool.abandon()
            self.pool = None

    async def close(self) -> None:
        for retired in list(self._retired):
            await self._retire(retired)
        if self.pool is not None:
            await self.pool.close()
            self.pool = None


class RemoteRunner:
    """Queries as HTTP requests to a ``RemoteStore``, sent from the event loop."""

    can_update = False

    def __init__(self, store: RemoteStore, max_result_bytes: int) -> None:
        self._store = store
        self.max_result_bytes = max_result_bytes
        self._http: httpx.AsyncClient | None = None
        self._watch: asyncio.Task | None = None

    @property
    def store(self) -> Store:
        return self._store

    async def start(self, on_version: Callable[[str], None]) -> None:
        self._http = self._store.async_client()
        self._watch = asyncio.ensure_future(self._follow_version(on_version))

    async def _follow_version(self, on_version: Callable[[str], None]) -> None:
        """Read the store's version every ``version_ttl`` seconds and pass it on."""
        loop = asyncio.get_running_loop()
        store = self._store
        while True:
            await asyncio.sleep(store.version_ttl)
            try:
                version = await loop.run_in_executor(None, lambda: store.version)
            except errors.QueryEvaluationError:  # the store does not answer now: queries will say so
                continue
            on_version(version)

    async def run(self, request: QueryRequest, timeout: float, limits: Limits) -> Answer:
        """An HTTP request, abandoned at the time limit or when cancelled."""
        graph_form = request.form in ("construct", "describe")
        media_type = request.graph_type if graph_form else request.results_type
        if media_type is None:
            raise FormNotAcceptable("graph" if graph_form else "select")
        store, http = self._store, self._http
        assert http is not None
        limit = self.max_result_bytes
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                # resolving the dataset may read the store's graph list: off the event loop
                outgoing = await loop.run_in_executor(
                    None,
                    functools.partial(
                        store.request,
                        request.text,
                        media_type,
                        default_graph_uris=request.default_graphs,
                        named_graph_uris=request.named_graphs,
                        engine_timeout=timeout,
                    ),
                )
                async with http.stream(
                    "POST", outgoing.url, content=outgoing.content, headers=outgoing.headers
                ) as response:
                    chunks, size = [], 0
                    async for chunk in response.aiter_bytes():
                        size += len(chunk)
                        if size > limit:
                            raise errors.QueryEvaluationError(
                                f"the answer is larger than {limit} bytes; add a LIMIT", "query"
                            )
                        chunks.append(chunk)
            remote = store.answer(response, b"".join(chunks), engine_timeout=timeout)
            # cut to the limits of the embedded engine (a graph answer is parsed: checked whole)
            capped = results.cap(remote, limits, PREFIXES)
        except TimeoutError:
            raise QueryTimeout(timeout) from None
        except RemoteTimeout as exc:
            raise QueryTimeout(exc.limit or timeout) from None
        except StoreUnreachable as exc:  # "the store did not answer: ..."
            raise EngineUnavailable(exc.message) from None
        except StoreRefused as exc:
            raise EngineUnavailable(f"the remote store did not answer: {exc}") from None
        except IncompleteAnswer as exc:
            raise EngineUnavailable(str(exc)) from None
        except errors.QueryEvaluationError as exc:
            raise errors.QueryEvaluationError(str(exc), "query") from None
        except httpx.HTTPError as exc:
            raise EngineUnavailable(f"the remote store did not answer ({type(exc).__name__}: {exc})") from None
        body, encoding = capped.body, None
        if request.compress and len(body) >= results.GZIP_MIN_BYTES:
            body, encoding = gzip.compress(body, compresslevel=5, mtime=0), "gzip"
        return Answer(capped.form, capped.media_type, body, encoding, capped.truncated, capped.rows)

    async def update(self, text: str, timeout: float) -> int:
        raise UpdateNotSupported("updates are not supported over a remote store; update it directly")

    def abandon(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
            self._watch = None
        self._http = None  # its connections belong to a loop that may be gone: drop them

    async def close(self) -> None:
        http = self._http
        self.abandon()
        if http is not None:
            await http.aclose()
