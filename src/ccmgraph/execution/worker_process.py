"""The engine processes' side of the worker pool (ccmgraph.execution.workers has the server's):
a *zygote* that loads the graph once and forks workers, and the workers that run one task at a
time over blocking sockets (no asyncio here). Started as
``python -m ccmgraph.execution.worker_process CONTROL LIFELINE NQ MEM``.
"""

from __future__ import annotations

import contextlib
import faulthandler
import os
import signal
import socket
import sys
import threading
from typing import NoReturn

import pyoxigraph as ox

from ccmgraph import errors
from ccmgraph.execution import execute as results
from ccmgraph.execution.messages import (
    Exit,
    Failed,
    Fork,
    Forked,
    LoadFailed,
    QueryDone,
    QueryTask,
    Ready,
    Updated,
    UpdateTask,
    pack,
    recv_task,
    send,
    unpack_control,
)
from ccmgraph.namespaces import PREFIXES
from ccmgraph.sparql.syntax import PREDECLARED, check_nesting, explain
from ccmgraph.store import materialise_union, named_quads


def _watch_lifeline(fd: int) -> None:
    """Exit as soon as the server's end of the lifeline closes (the server is gone)."""

    def watch() -> None:
        with contextlib.suppress(OSError):
            while os.read(fd, 1):
                pass
        os._exit(3)

    threading.Thread(target=watch, name="lifeline", daemon=True).start()


def _limit_memory(extra: int) -> None:
    """Let this process allocate at most ``extra`` bytes beyond what it shares at the fork."""
    try:
        import resource

        with open("/proc/self/status", encoding="ascii") as status:
            data_kb = next(int(line.split()[1]) for line in status if line.startswith("VmData:"))
        _, hard = resource.getrlimit(resource.RLIMIT_DATA)
        soft = data_kb * 1024 + extra
        if hard != resource.RLIM_INFINITY:
            soft = min(soft, hard)
        resource.setrlimit(resource.RLIMIT_DATA, (soft, hard))
    except (OSError, ValueError, StopIteration):
        pass


def _worker(
    store: ox.Store,
    sock: socket.socket,
    control: socket.socket | None,
    lifeline: int,
    memory_limit: int | None,
    prefixes: dict[str, str],
) -> NoReturn:
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    guarded = False
    try:
        send(sock, Ready(os.getpid()))
        while True:
            task = recv_task(sock)
            if isinstance(task, UpdateTask):
                _update(store, sock, control, task, prefixes)
            if not guarded:
                faulthandler.enable(file=sock, all_threads=False)  # a crash says why (see workers._Worker)
                _watch_lifeline(lifeline)
                if memory_limit:
                    _limit_memory(memory_limit)
                guarded = True
            _query(store, sock, task, prefixes)
    except (EOFError, OSError):
        pass
    os._exit(0)


def _query(store: ox.Store, sock: socket.socket, task: QueryTask, prefixes: dict[str, str]) -> None:
    try:
        answer = results.execute(
            store,
            task.text,
            results_type=task.results_type,
            graph_type=task.graph_type,
            default_graphs=task.default_graphs,
            named_graphs=task.named_graphs,
            limits=task.limits,
            compress=task.compress,
            prefixes=prefixes,
        )
    except errors.QuerySyntaxError as exc:
        send(sock, Failed("syntax", str(exc)))
    except errors.QueryEvaluationError as exc:
        send(sock, Failed("evaluation", str(exc)))
    except results.FormNotAcceptable as exc:
        send(sock, Failed("not-acceptable", exc.form))
    except MemoryError:
        send(sock, Failed("memory", "the query needed more memory than a worker may use"))
        os._exit(4)
    else:
        done = QueryDone(
            answer.form, answer.media_type, answer.encoding, answer.truncated, answer.rows, answer.engine_ms
        )
        send(sock, done, answer.body)


def _update(
    store: ox.Store, sock: socket.socket, control: socket.socket | None, task: UpdateTask, prefixes: dict[str, str]
) -> NoReturn:
    """Apply an update to this fork's copy, dump it, and become the next zygote."""
    try:
        check_nesting(task.text)
        store.update(task.text, prefixes=PREDECLARED)
        materialise_union(store)  # the default graph stays the union of the named graphs
        store.dump(task.dump, format=ox.RdfFormat.N_QUADS)
    except errors.QuerySyntaxError as exc:
        send(sock, Failed("syntax", exc.message.replace("The query", "The update")))
        os._exit(0)
    except SyntaxError as exc:
        send(sock, Failed("syntax", explain(task.text, str(exc), "update")))
        os._exit(0)
    except MemoryError:
        send(sock, Failed("memory", "the update needed more memory than a worker may use"))
        os._exit(4)
    except Exception as exc:  # any evaluation failure: report it, leave the data as it was
        send(sock, Failed("evaluation", str(exc) or type(exc).__name__))
        os._exit(0)
    send(sock, Updated(named_quads(store)))
    sock.close()
    if control is None or task.lifeline is None:
        os._exit(0)
    _zygote_loop(store, control, task.lifeline, task.memory_limit, prefixes)


def _zygote_loop(
    store: ox.Store, control: socket.socket, lifeline: int, memory_limit: int | None, prefixes: dict[str, str]
) -> NoReturn:
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped automatically
    while True:
        try:
            data, fds, _, _ = socket.recv_fds(control, 4096, 2)
        except OSError:
            os._exit(0)
        if not data:  # the server closed its end
            os._exit(0)
        message = unpack_control(data)
        if isinstance(message, Exit):
            os._exit(0)
        if not isinstance(message, Fork) or not fds:
            for fd in fds:
                os.close(fd)
            continue
        pid = os.fork()
        if pid == 0:
            control.close()
            stream = socket.socket(fileno=fds[0])
            child_control = socket.socket(fileno=fds[1]) if len(fds) > 1 else None
            _worker(store, stream, child_control, lifeline, memory_limit, prefixes)
        for fd in fds:
            os.close(fd)
        try:
            control.sendall(pack(Forked(pid)))
        except OSError:
            os._exit(0)


def zygote_main(argv: list[str]) -> NoReturn:
    """Load the graph, say so, and fork workers on request."""
    control_fd, lifeline, nquads, memory = int(argv[0]), int(argv[1]), argv[2], int(argv[3])
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    control = socket.socket(fileno=control_fd)
    try:
        store = ox.Store()
        store.bulk_load(path=nquads, format=ox.RdfFormat.N_QUADS)
        if next(store.quads_for_pattern(None, None, None, ox.DefaultGraph()), None) is None:
            materialise_union(store)  # a build's dump (an EmbeddedStore's has its union already)
        quads = named_quads(store)
    except BaseException as exc:  # report why, whatever it is
        with contextlib.suppress(OSError):
            control.sendall(pack(LoadFailed(f"{type(exc).__name__}: {exc}")))
        os._exit(1)
    control.sendall(pack(Ready(os.getpid(), quads)))
    _zygote_loop(store, control, lifeline, memory or None, dict(PREFIXES))


if __name__ == "__main__":
    zygote_main(sys.argv[1:])
