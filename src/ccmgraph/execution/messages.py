"""What the server and its engine processes (ccmgraph.execution.worker_process) say to each other,
and how it travels: each message is a pickled dataclass, a query answer's body travels raw after
it. Both sides import this module; neither imports the other.

A worker's socket carries tasks in (``QueryTask``, ``UpdateTask``) and one reply out for each
(``QueryDone``, ``Updated`` or ``Failed``); a zygote's control socket carries ``Fork``/``Exit``
in and ``Forked`` out (and ``Ready``/``LoadFailed`` once, when it has loaded the graph).
"""

from __future__ import annotations

import pickle
import socket
import struct
from collections.abc import Sequence
from dataclasses import dataclass

from ccmgraph.execution.execute import Limits

FRAME = struct.Struct("!IQ")  # length of the pickled header, length of the raw body


@dataclass(frozen=True)
class QueryTask:
    """Keyword arguments of ccmgraph.execution.execute.execute (the store aside)."""

    text: str
    results_type: str | None
    graph_type: str | None
    default_graphs: Sequence[str] = ()
    named_graphs: Sequence[str] = ()
    limits: Limits = Limits()
    compress: bool = False


@dataclass(frozen=True)
class UpdateTask:
    """Apply ``text`` to a copy of the store at ``target`` (a new directory) stamped ``version``,
    and become the next zygote over it."""

    text: str
    target: str
    version: str
    lifeline: int | None
    memory_limit: int | None


Task = QueryTask | UpdateTask


@dataclass(frozen=True)
class Ready:
    """A process is ready: a worker (``quads`` 0) or a zygote with the graph loaded."""

    pid: int
    quads: int = 0


@dataclass(frozen=True)
class QueryDone:
    """A query's answer, all but its body (which follows the header)."""

    form: str
    media_type: str
    encoding: str | None
    truncated: str | None
    rows: int | None
    engine_ms: float


@dataclass(frozen=True)
class Updated:
    quads: int


@dataclass(frozen=True)
class Failed:
    """A task that failed: ``kind`` is "syntax", "evaluation", "not-acceptable" (``message``: the
    form) or "memory" (the worker exits after it)."""

    kind: str
    message: str


Reply = Ready | QueryDone | Updated | Failed


@dataclass(frozen=True)
class Fork:
    """Fork a worker over the file descriptors sent with this message."""


@dataclass(frozen=True)
class Exit:
    pass


@dataclass(frozen=True)
class Forked:
    pid: int


@dataclass(frozen=True)
class LoadFailed:
    message: str


Control = Fork | Exit | Forked | Ready | LoadFailed


def pack(message: Task | Reply | Control) -> bytes:
    return pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)


def unpack_control(data: bytes) -> Control:
    message = pickle.loads(data)
    if not isinstance(message, Fork | Exit | Forked | Ready | LoadFailed):
        raise TypeError(f"not a control message: {type(message).__name__}")
    return message


def frame(message: Task | Reply, body: bytes = b"") -> bytes:
    """A message's frame header and pickled header (the body is sent after it)."""
    h = pack(message)
    return FRAME.pack(len(h), len(body)) + h


def send(sock: socket.socket, message: Task | Reply, body: bytes = b"") -> None:
    sock.sendall(frame(message, body))
    if body:
        sock.sendall(body)


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        k = sock.recv_into(view[got:], n - got)
        if k == 0:
            raise EOFError
        got += k
    return bytes(buf)


def recv_task(sock: socket.socket) -> Task:
    """The next task on a worker's (blocking) socket."""
    hlen, blen = FRAME.unpack(_recv_exact(sock, FRAME.size))
    task = pickle.loads(_recv_exact(sock, hlen))
    if blen:
        _recv_exact(sock, blen)
    if not isinstance(task, QueryTask | UpdateTask):
        raise TypeError(f"not a task: {type(task).__name__}")
    return task


def reply(data: bytes) -> Reply:
    """A worker's reply from its pickled header."""
    message = pickle.loads(data)
    if not isinstance(message, Ready | QueryDone | Updated | Failed):
        raise TypeError(f"not a reply: {type(message).__name__}")
    return message
