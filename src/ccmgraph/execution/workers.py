"""A pool of worker processes that hold the graph and run queries, each with a time limit that
really stops the work.

Oxigraph has no query timeout and a Python thread cannot be stopped, so the engine runs in
separate processes, and a query that overruns its limit is stopped by killing its process
(SIGKILL: its CPU and memory are freed at once), which is then replaced. The web server's
event loop only sends tasks and reads answers over sockets; it never runs engine work.

Layout:

- one *zygote* process opens the build's store read-only (ccmgraph.disk_store: a RocksDB
  directory, whose files the page cache holds once for every process of the server; the web
  process holds the graph in memory for the pages and the API), then only forks. Each worker
  is a fork of it: it starts in milliseconds and shares the open store with its siblings, so
  replacing a killed worker is cheap even at millions of triples.
- each worker talks to the server over its own socket: one task in, one answer out.
- a SPARQL Update runs in a fresh fork too, under the same time limit; when it succeeds that
  process writes the new dataset as a new store directory and becomes the zygote of the next generation, and the old
  workers are replaced as they finish what they are doing (queries in flight see the data as
  it was when they started).
- a worker that crashes says why: Python's faulthandler writes the fatal signal to its socket,
  so that a query that overflows the engine's stack (a structure thousands of elements deep or
  long: Oxigraph recurses over it) is told apart from a worker that ran out of memory;
- every process watches a *lifeline* pipe whose other end only the server holds, and exits
  when the server goes away, even in the middle of a runaway query.

This module is the server's side, asyncio-native (no helper threads on the hot path): a task
costs one round trip over a Unix socket, about 0.1 ms. The processes' side is
ccmgraph.execution.worker_process; the messages between them, ccmgraph.execution.messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from ccmgraph import errors
from ccmgraph.execution import execute as results
from ccmgraph.execution.messages import (
    FRAME,
    Exit,
    Failed,
    Fork,
    Forked,
    LoadFailed,
    QueryDone,
    QueryTask,
    Ready,
    Reply,
    Task,
    Updated,
    UpdateTask,
    frame,
    pack,
    reply,
    unpack_control,
)
from ccmgraph.settings import DEFAULTS, child_environment
from ccmgraph.sparql.answer import Answer

_READER_LIMIT = 1 << 20


class EngineUnavailable(errors.Unavailable):
    """No worker could run the task (crashed, overloaded or shut down)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(f"Service unavailable: {message}", retry_after)


class QueryTimeout(errors.LimitExceeded):
    """The task ran longer than its limit and its worker was stopped: the same task would again."""

    def __init__(self, limit: float, operation: str = "query") -> None:
        super().__init__(
            f"{operation.capitalize()} timed out: it ran longer than this endpoint's limit of "
            f"{limit:g} s and was stopped, so sending it again will not help. Make it more "
            "selective (more specific patterns, a LIMIT) or run it on a copy of the data "
            "(see /downloads).",
            limit,
        )
        self.operation = operation


class _Zygote:
    """The server's handle on a zygote: fork requests are short blocking calls (run in a thread)."""

    def __init__(self, pid: int, control: socket.socket, proc: subprocess.Popen | None = None) -> None:
        self.pid = pid
        self.control = control
        self.proc = proc
        self.lock = threading.Lock()

    def fork(self, with_control: bool) -> tuple[int, socket.socket, socket.socket | None]:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        fds = [theirs.fileno()]
        ctl_ours = ctl_theirs = None
        if with_control:
            ctl_ours, ctl_theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            fds.append(ctl_theirs.fileno())
        try:
            with self.lock:
                socket.send_fds(self.control, [pack(Fork())], fds)
                answer = self.control.recv(4096)
        except OSError as exc:
            ours.close()
            if ctl_ours:
                ctl_ours.close()
            raise EngineUnavailable(f"the engine process is gone ({exc})") from None
        finally:
            theirs.close()
            if ctl_theirs:
                ctl_theirs.close()
        forked = unpack_control(answer) if answer else None
        if not isinstance(forked, Forked):
            ours.close()
            if ctl_ours:
                ctl_ours.close()
            raise EngineUnavailable("the engine process is gone")
        return forked.pid, ours, ctl_ours

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.control.sendall(pack(Exit()))
        self.control.close()
        if self.proc is not None:
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        else:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)


class _Crashed(Exception):
    """The worker died of a fatal signal; the message is what faulthandler wrote."""


def _stopped(operation: str) -> EngineUnavailable:
    return EngineUnavailable(
        f"the worker running this {operation} stopped (it may have needed more memory "
        f"than allowed); the {operation} was not completed"
    )


# the CPU priority of a worker whose query has run for a while (CFS: about a tenth of the CPU
# share of a normal process), so that quick queries and the web process go first
SLOW_NICENESS = 10


class _Worker:
    def __init__(self, pid: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, generation: int) -> None:
        self.pid = pid
        self.reader = reader
        self.writer = writer
        self.generation = generation
        self.lowered = False  # its priority was lowered (for good: a process cannot raise it again)

    @property
    def usable(self) -> bool:
        return not (self.reader.at_eof() or self.writer.is_closing() or self.lowered)

    def lower(self) -> None:
        """Yield the CPU to quicker work: this worker's query has run longer than the pool's ``slow_after``."""
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, self.pid, SLOW_NICENESS)
            self.lowered = True

    async def receive(self) -> tuple[Reply, bytes]:
        head = await self.reader.readexactly(FRAME.size)
        if head.startswith(b"Fatal Python"):  # faulthandler's report, not a frame: the worker crashed
            report = head
            with contextlib.suppress(TimeoutError):  # the report ends when the process does
                async with asyncio.timeout(1):
                    while len(report) < 4096 and (chunk := await self.reader.read(4096)):
                        report += chunk
            raise _Crashed(report.decode("utf-8", "replace"))
        hlen, blen = FRAME.unpack(head)
        if blen > 65536:  # a large body: read it on its own, not sliced (copied) out of a buffer
            header = reply(await self.reader.readexactly(hlen))
            return header, await self.reader.readexactly(blen)
        data = await self.reader.readexactly(hlen + blen)
        return reply(data[:hlen]), data[hlen:]

    async def call(self, task: Task) -> tuple[Reply, bytes]:
        self.writer.write(frame(task))
        await self.writer.drain()
        return await self.receive()

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGKILL)
        self.writer.close()


def _package_path() -> str:
    return str(Path(__file__).resolve().parents[2])


class WorkerPool:
    """``size`` worker processes over the store directory ``location`` (ccmgraph.disk_store).

    ``patience``: seconds a task waits for a busy pool before an extra worker is forked.
    ``memory_limit``: bytes each worker may allocate beyond the shared graph (None: no limit).
    ``slow_after``: seconds after which a running task's worker gets a lower CPU priority, so that
    quick tasks (in the extra workers forked meanwhile) are not slowed by runaway ones; such a
    worker is replaced by a fresh fork when its task ends (0: never).
    """

    def __init__(
        self,
        location: Path,
        size: int = 2,
        memory_limit: int | None = None,
        start_timeout: float = 600.0,
        max_size: int | None = None,
        patience: float = DEFAULTS.patience,
        slow_after: float = DEFAULTS.slow_after,
    ) -> None:
        self.patience = patience
        self.slow_after = slow_after
        self.location = Path(location)
        self.size = max(1, size)
        # when every worker is busy (runaway queries, say), extra ones are forked up to max_size,
        # so that other clients are not kept waiting; they retire when idle again
        self.max_size = max(self.size, max_size if max_size is not None else 4 * self.size)
        self.memory_limit = memory_limit
        self.start_timeout = start_timeout
        self.generation = 0
        self.quads = 0
        self._zygote: _Zygote | None = None
        self._idle: asyncio.Queue[_Worker] | None = None
        self._workers: set[_Worker] = set()
        self._spawning: set[asyncio.Task] = set()
        self._update_lock: asyncio.Lock | None = None
        self._lifeline_r: int | None = None
        self._lifeline_w: int | None = None
        self._closed = False
        self.kills = 0  # workers stopped for a time limit, a cancellation or a crash

    # -- lifecycle --------------------------------------------------------------------

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._idle = asyncio.Queue()
        self._update_lock = asyncio.Lock()
        self._lifeline_r, self._lifeline_w = os.pipe()
        self._zygote = await loop.run_in_executor(None, self._start_zygote, self.location)
        await asyncio.gather(*(self._spawn() for _ in range(self.size)))

    def _start_zygote(self, location: Path) -> _Zygote:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = child_environment()
        env["PYTHONPATH"] = os.pathsep.join(p for p in (_package_path(), env.get("PYTHONPATH")) if p)
        assert self._lifeline_r is not None
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ccmgraph.execution.worker_process",
                str(theirs.fileno()),
                str(self._lifeline_r),
                str(location),
                str(self.memory_limit or 0),
            ],
            pass_fds=(theirs.fileno(), self._lifeline_r),
            env=env,
            stdin=subprocess.DEVNULL,
        )
        theirs.close()
        ours.settimeout(self.start_timeout)
        try:
            loaded = ours.recv(65536)
        except OSError:
            loaded = b""
        finally:
            ours.settimeout(None)
        message = unpack_control(loaded) if loaded else LoadFailed("the engine process exited while loading")
        if not isinstance(message, Ready):
            proc.kill()
            ours.close()
            why = message.message if isinstance(message, LoadFailed) else type(message).__name__
            raise EngineUnavailable(f"could not open {location}: {why}")
        self.quads = message.quads
        return _Zygote(proc.pid, ours, proc)

    async def close(self) -> None:
        self._closed = True
        for task in list(self._spawning):
            task.cancel()
        for worker in list(self._workers):
            worker.kill()
        self._workers.clear()
        if self._zygote is not None:
            zygote, self._zygote = self._zygote, None
            try:
                await asyncio.get_running_loop().run_in_executor(None, zygote.stop)
            except RuntimeError:  # the interpreter is exiting: no more executor threads
                zygote.stop()
        self._close_lifeline()

    def abandon(self) -> None:
        """Stop every process now, without the event loop (which may be gone)."""
        self._closed = True
        for worker in self._workers:
            with contextlib.suppress(OSError):
                os.kill(worker.pid, signal.SIGKILL)
        self._workers.clear()
        if self._zygote is not None:
            zygote, self._zygote = self._zygote, None
            zygote.stop()
        self._close_lifeline()

    def _close_lifeline(self) -> None:
        for fd in (self._lifeline_w, self._lifeline_r):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._lifeline_r = self._lifeline_w = None

    @property
    def pids(self) -> list[int]:
        return sorted(w.pid for w in self._workers)

    @property
    def zygote_pid(self) -> int | None:
        return self._zygote.pid if self._zygote else None

    # -- workers ----------------------------------------------------------------------

    async def _fork(self, with_control: bool = False) -> tuple[_Worker, socket.socket | None]:
        if self._zygote is None:
            raise EngineUnavailable("the engine is not running")
        loop = asyncio.get_running_loop()
        try:
            pid, sock, control = await loop.run_in_executor(None, self._zygote.fork, with_control)
        except EngineUnavailable:
            await self._restart_zygote()
            assert self._zygote is not None
            pid, sock, control = await loop.run_in_executor(None, self._zygote.fork, with_control)
        reader, writer = await asyncio.open_unix_connection(sock=sock, limit=_READER_LIMIT)
        worker = _Worker(pid, reader, writer, self.generation)
        try:
            header, _ = await asyncio.wait_for(worker.receive(), 30)
        except (TimeoutError, asyncio.IncompleteReadError, OSError) as exc:
            worker.kill()
            if control:
                control.close()
            raise EngineUnavailable(f"a worker did not start ({type(exc).__name__})") from None
        if not isinstance(header, Ready):
            worker.kill()
            if control:
                control.close()
            raise EngineUnavailable(f"a worker did not start ({type(header).__name__})")
        return worker, control

    async def _restart_zygote(self) -> None:
        """The zygote died (killed from outside): load the current dataset into a new one."""
        if self._closed:
            raise EngineUnavailable("the engine is shut down")
        old, self._zygote = self._zygote, None
        if old is not None:
            await asyncio.get_running_loop().run_in_executor(None, old.stop)
        self._zygote = await asyncio.get_running_loop().run_in_executor(None, self._start_zygote, self.location)

    async def _spawn(self) -> None:
        worker, _ = await self._fork()
        if self._closed:
            worker.kill()
            return
        self._workers.add(worker)
        assert self._idle is not None
        self._idle.put_nowait(worker)

    def _respawn_later(self) -> None:
        if self._closed:
            return
        task = asyncio.ensure_future(self._spawn_retrying())
        self._spawning.add(task)
        task.add_done_callback(self._spawning.discard)

    async def _spawn_retrying(self) -> None:
        for delay in (0, 0.2, 1, 5, 15):
            await asyncio.sleep(delay)
            if self._closed:
                return
            try:
                await self._spawn()
                return
            except EngineUnavailable:
                continue

    def _discard(self, worker: _Worker) -> None:
        worker.kill()
        self.kills += 1
        if worker in self._workers:
            self._workers.discard(worker)
            self._respawn_later()

    def _release(self, worker: _Worker) -> None:
        assert self._idle is not None
        if worker.generation != self.generation or not worker.usable:
            worker.kill()
            if worker in self._workers:
                self._workers.discard(worker)
                self._respawn_later()
            return
        if len(self._workers) > self.size and self._idle.qsize() >= self.size:
            self._workers.discard(worker)  # an extra worker no longer needed
            worker.kill()
            return
        self._idle.put_nowait(worker)

    async def _acquire(self, wait: float) -> _Worker:
        if self._idle is None or self._closed:
            raise EngineUnavailable("the engine is not running")
        deadline = time.monotonic() + wait
        while True:
            if not self._idle.empty():  # fast path: no timer, no extra task
                worker = self._idle.get_nowait()
                if worker.usable and worker.generation == self.generation:
                    return worker
                self._release(worker)
                continue
            remaining = deadline - time.monotonic()
            try:
                # a short wait first: under a burst of quick queries a worker frees up soon
                worker = await asyncio.wait_for(self._idle.get(), max(min(remaining, self.patience), 0.001))
            except TimeoutError:
                # all busy for a while (long queries): fork one more. Workers lowered for running long
                # do not count against max_size, so that a quick query finds one of normal priority;
                # all together stay under twice max_size (each may use its memory limit)
                quick = sum(1 for w in self._workers if not w.lowered)
                forked = len(self._workers) + len(self._spawning)
                if quick + len(self._spawning) < self.max_size and forked < 2 * self.max_size:
                    self._respawn_later()
                remaining = deadline - time.monotonic()
                try:
                    worker = await asyncio.wait_for(self._idle.get(), max(remaining, 0.001))
                except TimeoutError:
                    raise EngineUnavailable(
                        "all engine workers are busy; try again shortly", retry_after=max(1.0, wait / 2)
                    ) from None
            if worker.usable and worker.generation == self.generation:
                return worker
            self._release(worker)  # dead or outdated: replaced in the background

    # -- tasks ------------------------------------------------------------------------

    async def _run(self, worker: _Worker, task: Task, timeout: float) -> tuple[Reply, bytes]:
        operation = "update" if isinstance(task, UpdateTask) else "query"
        slow = None  # not an update: its process becomes the zygote of every later worker
        if self.slow_after > 0 and operation == "query":
            slow = asyncio.get_running_loop().call_later(self.slow_after, worker.lower)
        try:
            async with asyncio.timeout(timeout):
                return await worker.call(task)
        except TimeoutError:
            self._discard(worker)
            raise QueryTimeout(timeout, operation) from None
        except asyncio.CancelledError:  # the client went away: stop the work too
            self._discard(worker)
            raise
        except _Crashed as crash:
            self._discard(worker)
            if "Segmentation fault" in str(crash):  # the engine recursed past the end of its stack
                raise errors.QueryEvaluationError(
                    f"the {operation} is too deeply nested or too long for the engine (it recurses over "
                    "thousands of nested groups, triple patterns, FILTERs, UNIONs or path steps); "
                    "split it into smaller ones",
                    operation,
                ) from None
            raise _stopped(operation) from None
        except (asyncio.IncompleteReadError, EOFError, OSError):
            self._discard(worker)
            raise _stopped(operation) from None
        finally:
            if slow is not None:
                slow.cancel()

    async def query(
        self,
        *,
        timeout: float,
        text: str,
        results_type: str | None,
        graph_type: str | None,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        limits: results.Limits = results.Limits(),
        compress: bool = False,
        queue_wait: float | None = None,
    ) -> Answer:
        """Run a query (see ccmgraph.execution.execute.execute) in a worker."""
        task = QueryTask(text, results_type, graph_type, default_graphs, named_graphs, limits, compress)
        worker = await self._acquire(timeout if queue_wait is None else queue_wait)
        header, body = await self._run(worker, task, timeout)
        if isinstance(header, Failed) and header.kind == "memory":
            self._discard(worker)
            raise EngineUnavailable(header.message)
        self._release(worker)
        if isinstance(header, QueryDone):
            return Answer(
                header.form, header.media_type, body, header.encoding, header.truncated, header.rows, header.engine_ms
            )
        raise _failure(header, "query")

    async def update(self, text: str, *, timeout: float, target: Path, version: str) -> int:
        """Apply a SPARQL update into the new store directory ``target``, stamped ``version``;
        afterwards every new query sees the new data. Returns the quad count."""
        assert self._update_lock is not None
        async with self._update_lock:
            worker, control = await self._fork(with_control=True)
            assert control is not None
            task = UpdateTask(text, str(target), version, self._lifeline_r, self.memory_limit)
            try:
                header, _ = await self._run(worker, task, timeout)
            except BaseException:
                control.close()
                raise
            worker.writer.close()
            if not isinstance(header, Updated):
                control.close()
                raise _failure(header, "update")
            old = self._zygote
            self._zygote = _Zygote(worker.pid, control)
            self.generation += 1
            self.location = Path(target)
            self.quads = header.quads
            if old is not None:
                await asyncio.get_running_loop().run_in_executor(None, old.stop)
            # idle workers of the old generation are replaced now, busy ones when they finish
            assert self._idle is not None
            while not self._idle.empty():
                self._release(self._idle.get_nowait())
            return self.quads


def _failure(header: Reply, operation: str) -> Exception:
    """The error a worker's failure reply stands for."""
    if not isinstance(header, Failed):
        return EngineUnavailable(f"the worker answered the {operation} with {type(header).__name__}")
    if header.kind == "syntax":
        return errors.QuerySyntaxError(header.message)
    if header.kind == "not-acceptable":
        return results.FormNotAcceptable(header.message)
    if header.kind == "memory":
        return EngineUnavailable(header.message)
    return errors.QueryEvaluationError(header.message, operation)
