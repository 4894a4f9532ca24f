"""What the SPARQL endpoint runs queries on: worker processes (or a remote store), a result
cache, and the endpoint's limits.

- With the embedded engine (an ``EmbeddedStore``), queries run in ccmgraph.sparql.workers: killable
  processes that hold the graph. The graph they hold is the one the store was given.
- With a ``RemoteStore`` (Virtuoso, Oxigraph server, Fuseki...), each query is an HTTP request
  sent from the event loop; at the time limit, or when every client waiting for it has gone,
  the request is abandoned (its connection closed) and the client told. The engine's own time
  limit is set too where it takes one per request (Virtuoso), so that it stops working as well.
  The store's version (written by ``ccmgraph publish``) is read again every ``version_ttl``
  seconds: several servers over one store key their caches on the same version, and drop them
  when a publish changes it.

Identical queries on the same graph version are answered from a cache (LRU, bounded in
bytes), and identical queries in flight at the same time are run once. When every client
waiting for a query has gone away, the query is stopped (its worker is killed).
"""

from __future__ import annotations

import asyncio
import functools
import gzip
import json
import os
import shutil
import tempfile
import uuid
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from ccmgraph import catalog, errors
from ccmgraph.namespaces import PREFIXES
from ccmgraph.sparql import execute as results
from ccmgraph.sparql import formats
from ccmgraph.sparql.execute import (
    EvaluationProblem,
    FormNotAcceptable,
    Limits,
    SyntaxProblem,
)
from ccmgraph.sparql.workers import EngineUnavailable, QueryTimeout, WorkerPool
from ccmgraph.store import (
    Answer,
    EmbeddedStore,
    IncompleteAnswer,
    QueryError,
    RemoteStore,
    RemoteTimeout,
    Store,
    StoreRefused,
    StoreUnreachable,
)

__all__ = [
    "Answer",
    "Engine",
    "EngineUnavailable",
    "EvaluationProblem",
    "FormNotAcceptable",
    "QueryRequest",
    "QueryTimeout",
    "SparqlSettings",
    "SyntaxProblem",
    "UpdateNotSupported",
]

MiB = 1024 * 1024


@dataclass(frozen=True)
class SparqlSettings:
    """The endpoint's limits and switches (``ccmgraph serve`` options)."""

    timeout: float = 10.0  # seconds a query may run before it is stopped
    max_rows: int = 100_000  # rows (SELECT) or triples (CONSTRUCT/DESCRIBE) in an answer
    max_result_bytes: int = 64 * MiB  # bytes of an answer before compression
    max_request_bytes: int = 1 * MiB  # bytes of a query or update text, or of a request body
    workers: int = 0  # engine processes; 0: one per CPU, at least 2
    memory_limit: int | None = 2048 * MiB  # bytes a worker may allocate beyond the shared graph
    allow_update: bool = False  # SPARQL Update, only with update_token as a bearer token
    update_token: str | None = field(default=None, repr=False)
    cache_bytes: int = 64 * MiB  # result cache size; 0 disables the cache
    cache_entry_bytes: int = 4 * MiB  # larger answers are not cached
    max_age: int = 300  # Cache-Control max-age (seconds) of answers to GET, when read-only

    def __post_init__(self) -> None:
        if self.timeout <= 0:
            raise ValueError("timeout must be positive")
        if self.max_rows < 1 or self.max_result_bytes < 1024 or self.max_request_bytes < 1024:
            raise ValueError("max_rows must be >= 1, max_result_bytes and max_request_bytes >= 1024")
        if self.allow_update and not self.update_token:
            raise ValueError("allow_update needs an update_token: updates are only accepted with it")

    @property
    def pool_size(self) -> int:
        return self.workers if self.workers > 0 else max(2, os.cpu_count() or 2)

    @property
    def limits(self) -> Limits:
        return Limits(self.max_rows, self.max_result_bytes)


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


class _Flight:
    __slots__ = ("task", "waiters")

    def __init__(self, task: asyncio.Task) -> None:
        self.task = task
        self.waiters = 0


class _Cache:
    def __init__(self, capacity: int, entry_max: int) -> None:
        self.capacity = capacity
        self.entry_max = entry_max
        self.size = 0
        self.entries: OrderedDict[tuple, Answer] = OrderedDict()
        self.hits = 0

    def get(self, key: tuple) -> Answer | None:
        answer = self.entries.get(key)
        if answer is not None:
            self.entries.move_to_end(key)
            self.hits += 1
        return answer

    def put(self, key: tuple, answer: Answer) -> None:
        n = len(answer.body) + len(key[1].text) + 200
        if n > self.entry_max or n > self.capacity or key in self.entries:
            return
        self.entries[key] = answer
        self.size += n
        while self.size > self.capacity:
            old_key, old = self.entries.popitem(last=False)
            self.size -= len(old.body) + len(old_key[1].text) + 200

    def clear(self) -> None:
        self.entries.clear()
        self.size = 0


class Engine:
    """Runs queries and updates for the HTTP layer; ``store`` is the graph being served."""

    def __init__(
        self, store: Store, settings: SparqlSettings | None = None, on_new_store: Callable[[Store], None] | None = None
    ) -> None:
        self.store = store
        self.settings = settings or SparqlSettings()
        self.on_new_store = on_new_store
        self.pool: WorkerPool | None = None
        self.version = ""
        if isinstance(store, RemoteStore) and store.engine_timeout is None:
            store.engine_timeout = self.settings.timeout
        self._cache = _Cache(self.settings.cache_bytes, self.settings.cache_entry_bytes)
        self._http: httpx.AsyncClient | None = None  # to a remote store
        self._watch: asyncio.Task | None = None  # reads a remote store's version
        self._inflight: dict[tuple, _Flight] = {}
        self._stats: dict[str, object] | None = None
        self._stats_version = ""
        self._workdir: Path | None = None
        self._start_lock: asyncio.Lock | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._started = False
        self._retired: list[tuple[WorkerPool | None, Path | None]] = []  # replaced, until their queries end

    @property
    def embedded(self) -> bool:
        return isinstance(self.store, EmbeddedStore)

    @property
    def can_update(self) -> bool:
        return self.embedded and self.settings.allow_update

    @property
    def started(self) -> bool:
        return self._started

    # -- lifecycle --------------------------------------------------------------------

    async def start(self) -> None:
        """Start the workers (idempotent; also called lazily by the first query)."""
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
            try:
                self.version = await loop.run_in_executor(None, lambda: self.store.version)
            except Exception:  # a remote store that does not answer yet: serve, and say so per query
                self.version = "unknown"
            if self.embedded:
                self._workdir = Path(tempfile.mkdtemp(prefix="ccmgraph-engine-"))
                weakref.finalize(self, shutil.rmtree, str(self._workdir), True)
                dump = self._workdir / "gen-0" / "ccmgraph.nq"
                dump.parent.mkdir()
                try:
                    await loop.run_in_executor(None, self._dump_store, dump, self.store)
                except OSError as exc:
                    raise EngineUnavailable(f"could not hand the graph to the engine processes: {exc}") from None
                pool = WorkerPool(dump, self.settings.pool_size, self.settings.memory_limit)
                try:
                    await pool.start()
                except BaseException:
                    pool.abandon()
                    raise
                self.pool = pool
            elif isinstance(self.store, RemoteStore):
                self._http = self.store.async_client()
                self._watch = asyncio.ensure_future(self._watch_version(self.store))
            self._started = True

    def _abandon(self) -> None:
        if self.pool is not None:
            self.pool.abandon()
            self.pool = None
        self._stop_remote()
        self._inflight.clear()
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None
        self._started = False

    def _dump_store(self, target: Path, store: Store) -> None:
        import pyoxigraph as ox

        assert isinstance(store, EmbeddedStore)
        store.oxigraph.dump(str(target), format=ox.RdfFormat.N_QUADS)

    def _stop_remote(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
            self._watch = None
        if self._http is not None:  # its connections belong to a loop that may be gone: drop them
            self._http = None

    async def _watch_version(self, store: RemoteStore) -> None:
        """Follow the remote store's version; a new one drops the cached answers."""
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(store.version_ttl)
            try:
                version = await loop.run_in_executor(None, lambda: store.version)
            except QueryError:  # the store does not answer now: queries will say so
                continue
            if version != self.version:
                self.version = version
                self._cache.clear()

    async def close(self) -> None:
        for retired in list(self._retired):
            await self._retire(retired)
        for flight in list(self._inflight.values()):
            flight.task.cancel()
        http = self._http
        self._stop_remote()
        if http is not None:
            await http.aclose()
        if self.pool is not None:
            await self.pool.close()
            self.pool = None
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None
        self._started = False

    # -- queries ----------------------------------------------------------------------

    def cached(self, request: QueryRequest) -> Answer | None:
        return self._cache.get((self.version, request)) if self._started else None

    async def query(self, request: QueryRequest) -> Answer:
        """The answer to ``request``: from the cache, a query in flight, or the engine."""
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
        if self.pool is not None:
            answer = await self.pool.query(
                timeout=timeout,
                text=request.text,
                results_type=request.results_type,
                graph_type=request.graph_type,
                default_graphs=request.default_graphs,
                named_graphs=request.named_graphs,
                limits=self.settings.limits,
                compress=request.compress,
            )
        else:
            answer = await self._remote(request, timeout)
        if key[0] == self.version:
            self._cache.put(key, answer)
        return answer

    async def _remote(self, request: QueryRequest, timeout: float) -> Answer:
        """A query on a remote store: an HTTP request, abandoned at the time limit or when cancelled."""
        graph_form = request.form in ("construct", "describe")
        media_type = request.graph_type if graph_form else request.results_type
        if media_type is None:
            raise FormNotAcceptable("graph" if graph_form else "select")
        store, http = self.store, self._http
        assert isinstance(store, RemoteStore) and http is not None
        limit = self.settings.max_result_bytes
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
                    ),
                )
                async with http.stream(
                    "POST", outgoing.url, content=outgoing.content, headers=outgoing.headers
                ) as response:
                    chunks, size = [], 0
                    async for chunk in response.aiter_bytes():
                        size += len(chunk)
                        if size > limit:
                            raise EvaluationProblem(f"the answer is larger than {limit} bytes; add a LIMIT")
                        chunks.append(chunk)
            remote = store.answer(response, b"".join(chunks))
            # cut to the limits of the embedded engine (a graph answer is parsed: checked whole)
            capped = results.cap(remote, self.settings.limits, PREFIXES)
        except TimeoutError:
            raise QueryTimeout(timeout) from None
        except RemoteTimeout as exc:
            raise QueryTimeout(exc.limit or timeout) from None
        except (StoreUnreachable, StoreRefused) as exc:
            raise EngineUnavailable(f"the remote store did not answer: {exc}") from None
        except IncompleteAnswer as exc:
            raise EngineUnavailable(str(exc)) from None
        except QueryError as exc:
            raise EvaluationProblem(str(exc)) from None
        except httpx.HTTPError as exc:
            raise EngineUnavailable(f"the remote store did not answer ({type(exc).__name__}: {exc})") from None
        body, encoding = capped.body, None
        if request.compress and len(body) >= results.GZIP_MIN_BYTES:
            body, encoding = gzip.compress(body, compresslevel=5, mtime=0), "gzip"
        return Answer(capped.form, capped.media_type, body, encoding, capped.truncated, capped.rows)

    # -- updates ----------------------------------------------------------------------

    async def update(self, text: str) -> int:
        """Apply a SPARQL update to the served graph; returns the number of quads after it."""
        if not self.embedded:
            raise UpdateNotSupported("updates are not supported over a remote store; update it directly")
        await self.start()
        assert self.pool is not None and self._workdir is not None
        target = self._workdir / f"gen-{uuid.uuid4().hex[:12]}" / "ccmgraph.nq"
        target.parent.mkdir()
        previous = self.pool.nquads
        try:
            quads = await self.pool.update(text, timeout=self.settings.timeout, dump=target)
        except BaseException:
            shutil.rmtree(target.parent, ignore_errors=True)
            raise
        # the rest of the app (linked-data pages, analyst API) reads this store
        new_store = await asyncio.get_running_loop().run_in_executor(None, EmbeddedStore, target.parent)
        self.store = new_store
        self.version = new_store.version
        self._cache.clear()
        if self.on_new_store is not None:
            self.on_new_store(new_store)
        if previous.parent.name != "gen-0":
            shutil.rmtree(previous.parent, ignore_errors=True)
        return quads

    async def replace(self, store: EmbeddedStore) -> None:
        """Serve ``store`` (a new build) from now on: new worker processes over its dump, then one
        switch of store, version and cache; the old workers are stopped once the queries they are
        running have had their time limit. Called by ``ccmgraph.web.releases``."""
        if not self._started:  # the workers start on the new store
            self.store = store
            if self.on_new_store is not None:
                self.on_new_store(store)
            return
        loop = asyncio.get_running_loop()
        workdir = Path(tempfile.mkdtemp(prefix="ccmgraph-engine-"))
        dump = workdir / "gen-0" / "ccmgraph.nq"
        dump.parent.mkdir()
        pool = WorkerPool(dump, self.settings.pool_size, self.settings.memory_limit)
        try:
            await loop.run_in_executor(None, self._dump_store, dump, store)
            await pool.start()
        except BaseException:
            pool.abandon()
            shutil.rmtree(workdir, ignore_errors=True)
            raise
        old_pool, old_workdir = self.pool, self._workdir
        self.store, self.pool, self._workdir, self.version = store, pool, workdir, store.version
        self._cache.clear()
        if self.on_new_store is not None:
            self.on_new_store(store)

        retired = (old_pool, old_workdir)
        self._retired.append(retired)
        loop.call_later(self.settings.timeout + 1, lambda: asyncio.ensure_future(self._retire(retired)))

    async def _retire(self, retired: tuple[WorkerPool | None, Path | None]) -> None:
        if retired not in self._retired:  # closed already
            return
        self._retired.remove(retired)
        pool, workdir = retired
        if pool is not None:
            await pool.close()
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)

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
