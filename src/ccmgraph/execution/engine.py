"""What the SPARQL endpoint runs queries on: a runner for its store (worker processes over an
embedded graph, or HTTP requests to a remote store: ccmgraph.execution.runners), a result cache,
and the endpoint's limits.

Identical queries on the same graph version are answered from a cache (LRU, bounded in
bytes), and identical queries in flight at the same time are run once. When every client
waiting for a query has gone away, the query is stopped (its worker is killed, or its HTTP
request abandoned).
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import os
from dataclasses import dataclass, field
from typing import Any

from ccmgraph import catalog, errors, formats
from ccmgraph.execution.admission import Admission
from ccmgraph.execution.cache import LRUCache
from ccmgraph.execution.execute import FormNotAcceptable, Limits
from ccmgraph.execution.runners import (
    EmbeddedRunner,
    QueryRequest,
    RemoteRunner,
    Runner,
    UpdateNotSupported,
)
from ccmgraph.execution.workers import EngineUnavailable, QueryTimeout
from ccmgraph.settings import DEFAULTS, MiB, Settings
from ccmgraph.sparql.answer import Answer
from ccmgraph.store import EmbeddedStore, RemoteStore, Store

_log = logging.getLogger("uvicorn.error")  # where ``ccmgraph serve`` reports its start
UNKNOWN_VERSION = "unknown"  # the version of a remote store that did not answer when the engine started

__all__ = [
    "Answer",
    "Engine",
    "EngineUnavailable",
    "FormNotAcceptable",
    "QueryRequest",
    "QueryTimeout",
    "SparqlSettings",
    "UpdateNotSupported",
]


@dataclass(frozen=True)
class SparqlSettings:
    """The endpoint's limits and switches (``ccmgraph serve`` options)."""

    # the defaults are the settings' (ccmgraph.settings), in the units the engine counts
    timeout: float = DEFAULTS.timeout  # seconds a query may run before it is stopped
    max_rows: int = DEFAULTS.max_rows  # rows (SELECT) or triples (CONSTRUCT/DESCRIBE) in an answer
    max_result_bytes: int = DEFAULTS.max_result_mb * MiB  # bytes of an answer before compression
    max_request_bytes: int = DEFAULTS.max_request_kb * 1024  # bytes of a query or update text, or of a request body
    workers: int = DEFAULTS.workers  # engine processes; 0: one per CPU, at least 2
    memory_limit: int | None = DEFAULTS.memory_mb * MiB  # bytes a worker may allocate beyond the shared graph
    allow_update: bool = DEFAULTS.allow_update  # SPARQL Update, only with update_token as a bearer token
    update_token: str | None = field(default=None, repr=False)
    cache_bytes: int = DEFAULTS.cache_mb * MiB  # result cache size; 0 disables the cache
    cache_entry_bytes: int = 4 * MiB  # larger answers are not cached
    max_age: int = 300  # Cache-Control max-age (seconds) of answers to GET, when read-only
    fast_table_bytes: int = DEFAULTS.fast_table_mb * MiB  # the /sparql fast path's table of answers
    patience: float = DEFAULTS.patience  # seconds a query waits for a busy pool before a worker is forked
    client_queries: int = DEFAULTS.client_queries  # queries one client may have running at once; 0: no limit
    client_header: str | None = DEFAULTS.client_header  # the header naming the client; None: the remote address
    max_queries: int = DEFAULTS.max_queries  # queries running or waiting in all; 0: 16 per engine process
    slow_after: float = DEFAULTS.slow_after  # seconds after which a running query yields the CPU; 0: never
    page_cache_bytes: int = DEFAULTS.page_cache_mb * MiB  # rendered pages and API answers; 0: off
    report_pdf_max_elements: int = DEFAULTS.report_pdf_max_elements  # a longer LAP review gets no PDF; 0: no limit
    memory_copy_quads: int = DEFAULTS.memory_copy_quads  # larger graphs: the pages read the store on disk

    @classmethod
    def of(cls, settings: Settings, **overrides: Any) -> SparqlSettings:
        """The endpoint's part of ``settings``, in bytes."""
        return cls(
            **{
                "timeout": settings.timeout,
                "max_rows": settings.max_rows,
                "max_result_bytes": settings.max_result_mb * MiB,
                "max_request_bytes": settings.max_request_kb * 1024,
                "workers": settings.workers,
                "memory_limit": settings.memory_mb * MiB or None,
                "allow_update": settings.allow_update,
                "update_token": settings.update_token,
                "cache_bytes": settings.cache_mb * MiB,
                "fast_table_bytes": settings.fast_table_mb * MiB,
                "patience": settings.patience,
                "client_queries": settings.client_queries,
                "client_header": settings.client_header,
                "max_queries": settings.max_queries,
                "slow_after": settings.slow_after,
                "page_cache_bytes": settings.page_cache_mb * MiB,
                "report_pdf_max_elements": settings.report_pdf_max_elements,
                "memory_copy_quads": settings.memory_copy_quads,
                **overrides,
            }
        )

    def __post_init__(self) -> None:
        if self.timeout <= 0:
            raise errors.SettingError("timeout must be positive")
        if self.max_rows < 1 or self.max_result_bytes < 1024 or self.max_request_bytes < 1024:
            raise errors.SettingError("max_rows must be >= 1, max_result_bytes and max_request_bytes >= 1024")
        if (
            min(self.client_queries, self.max_queries, self.slow_after, self.page_cache_bytes, self.memory_copy_quads)
            < 0
        ):
            raise errors.SettingError(
                "client_queries, max_queries, slow_after, page_cache_mb and memory_copy_quads must be >= 0"
            )
        if self.allow_update and not self.update_token:
            raise errors.SettingError("allow_update needs an update_token: updates are only accepted with it")

    @property
    def pool_size(self) -> int:
        return self.workers if self.workers > 0 else max(2, os.cpu_count() or 2)

    @property
    def query_slots(self) -> int:
        """Queries running or waiting for a worker at once in all."""
        return self.max_queries if self.max_queries > 0 else 16 * self.pool_size

    @property
    def limits(self) -> Limits:
        return Limits(self.max_rows, self.max_result_bytes)


class _Flight:
    __slots__ = ("task", "waiters")

    def __init__(self, task: asyncio.Task) -> None:
        self.task = task
        self.waiters = 0


def runner_for(store: Store, settings: SparqlSettings) -> Runner:
    """The runner of ``store``'s kind."""
    if isinstance(store, EmbeddedStore):
        return EmbeddedRunner(store, settings.pool_size, settings.memory_limit, settings.patience, settings.slow_after)
    if isinstance(store, RemoteStore):
        return RemoteRunner(store, settings.max_result_bytes)
    raise TypeError(f"no runner for a {type(store).__name__}")


class Engine:
    """Runs queries and updates for the HTTP layer; ``store`` is the graph being served."""

    def __init__(self, store: Store, settings: SparqlSettings | None = None) -> None:
        self.settings = settings or SparqlSettings()
        self.runner = runner_for(store, self.settings)
        self.version = ""
        self._cache: LRUCache[tuple, Answer] = LRUCache(self.settings.cache_bytes, self.settings.cache_entry_bytes)
        self.admission = Admission(self.settings.client_queries, self.settings.query_slots, self.settings.timeout)
        self._inflight: dict[tuple, _Flight] = {}
        self._stats: dict[str, object] | None = None
        self._stats_version = ""
        self._start_lock: asyncio.Lock | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._started = False

    @property
    def store(self) -> Store:
        """The store served now (a SPARQL Update replaces an embedded one)."""
        return self.runner.store

    @property
    def can_update(self) -> bool:
        return self.runner.can_update and self.settings.allow_update

    @property
    def started(self) -> bool:
        return self._started

    @property
    def knows_version(self) -> bool:
        """Started, and the store said which version it holds (answers are cached on it)."""
        return self._started and self.version not in ("", UNKNOWN_VERSION)

    # -- lifecycle --------------------------------------------------------------------

    async def start(self) -> None:
        """Start the runner (idempotent; also called lazily by the first query)."""
        loop = asyncio.get_running_loop()
        if self._started and self._loop is loop:
            return
        if self._loop is not loop:
            # started under another event loop (a test client without its context manager runs
            # each request in a new loop): its sockets are useless here, start again
            self._abandon()
            self._loop = loop
            self._start_lock = None
        if self._start_lock is None:
            self._start_lock = asyncio.Lock()
        async with self._start_lock:
            if self._started:
                return
            store = self.store
            try:
                self.version = await loop.run_in_executor(None, lambda: store.version)
                mode = await loop.run_in_executor(None, lambda: store.default_graph_mode)
                _log.info("default graph: %s", mode.value)
            except Exception:  # a remote store that does not answer yet: serve, and say so per query
                self.version = UNKNOWN_VERSION
            await self.runner.start(self._new_version)
            self._started = True

    def _new_version(self, version: str) -> None:
        """The store changed under the engine (a publish): its cached answers are stale."""
        if version != self.version:
            self.version = version
            self._cache.clear()

    def _abandon(self) -> None:
        self.runner.abandon()
        self._inflight.clear()
        self._started = False

    async def close(self) -> None:
        for flight in list(self._inflight.values()):
            flight.task.cancel()
        await self.runner.close()
        self._started = False

    # -- queries ----------------------------------------------------------------------

    def cached(self, request: QueryRequest) -> Answer | None:
        return self._cache.get((self.version, request)) if self._started else None

    async def query(self, request: QueryRequest) -> Answer:
        """The answer to ``request``: from the cache, a query in flight, or the runner."""
        await self.start()
        key = (self.version, request)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        flight = self._inflight.get(key)
        if flight is None:
            flight = _Flight(asyncio.ensure_future(self._compute(key)))
            self._inflight[key] = flight
            flight.task.add_done_callback(functools.partial(self._land, key, flight))
        flight.waiters += 1
        try:
            return await asyncio.shield(flight.task)
        finally:
            flight.waiters -= 1
            if flight.waiters == 0 and not flight.task.done():
                flight.task.cancel()  # nobody wants the answer any more: stop the work

    def _land(self, key: tuple, flight: _Flight, _task: asyncio.Task | None = None) -> None:
        if self._inflight.get(key) is flight:
            del self._inflight[key]
        if not flight.task.cancelled():
            flight.task.exception()  # retrieved: no "never retrieved" warnings

    async def _compute(self, key: tuple) -> Answer:
        request: QueryRequest = key[1]
        timeout = min(request.timeout or self.settings.timeout, self.settings.timeout)
        answer = await self.runner.run(request, timeout, self.settings.limits)
        if key[0] == self.version:
            self._cache.put(key, answer, len(answer.body) + len(request.text) + 200)
        return answer

    # -- updates ----------------------------------------------------------------------

    async def update(self, text: str) -> int:
        """Apply a SPARQL update to the served graph; returns the number of quads after it."""
        await self.start()
        quads = await self.runner.update(text, self.settings.timeout)
        self.version = self.store.version
        self._cache.clear()
        return quads

    async def replace(self, store: EmbeddedStore) -> None:
        """Serve ``store`` (a new build of dist/) from now on: new worker processes over it, then one
        switch of store, version and cache; queries already running finish on the old processes
        (stopped after their time limit). Called by ``ccmgraph.web.releases``."""
        if not isinstance(self.runner, EmbeddedRunner):
            raise TypeError("only the embedded engine serves a build of dist/")
        await self.runner.replace(store, self.settings.timeout + 1)
        self.version = store.version
        self._cache.clear()

    # -- statistics (for the service description) --------------------------------------

    async def statistics(self) -> dict[str, object]:
        """VoID statistics of the served graph, computed once per version."""
        await self.start()
        if self._stats is not None and self._stats_version == self.version:
            return self._stats
        version = self.version

        async def select(name: str) -> list[dict[str, str]]:
            text = catalog.service_query(name).sparql
            answer = await self.query(QueryRequest(text, formats.SPARQL_JSON.media_type, None, form="select"))
            data = json.loads(answer.body)
            return [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]

        mode = await asyncio.get_running_loop().run_in_executor(None, lambda: self.store.default_graph_mode)
        graphs = await select("void-graphs")
        totals = await select("void-totals")
        classes = await select("void-classes")
        stats: dict[str, object] = {
            "graphs": [(g["g"], int(g["n"])) for g in graphs],
            "triples": int(totals[0]["triples"]) if totals else 0,
            "subjects": int(totals[0]["subjects"]) if totals else 0,
            "properties": int(totals[0]["properties"]) if totals else 0,
            "objects": int(totals[0]["objects"]) if totals else 0,
            "classes": [(c["c"], int(c["n"])) for c in classes if "c" in c],
            "default_graph": mode.value,
        }
        if version == self.version:
            self._stats, self._stats_version = stats, version
        return stats

    @property
    def caching(self) -> bool:
        return self._cache.capacity > 0

    @property
    def cache_hits(self) -> int:
        return self._cache.hits

    def count_hit(self) -> None:
        self._cache.hits += 1
