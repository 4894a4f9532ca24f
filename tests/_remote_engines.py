"""Real triple stores for the remote-store tests (and bench/remote.py): OpenLink Virtuoso (Debian's
``virtuoso-opensource``) and Oxigraph server (PyPI ``oxigraph``), each started on 127.0.0.1 on
free ports, in a temporary directory of its own, and stopped at exit.

Virtuoso gets its own ``virtuoso.ini`` (no Debian default is used), and the ``dba`` password
is replaced by a random one before anything else talks to it; the tests read it from the
environment dictionary ``Running.env`` as ``ccmgraph publish`` does. Where an engine is not
installed, ``require`` skips the test with a message saying what to install.

The servers are shared by every test module of a process (started by whichever asks first).
"""

from __future__ import annotations

import atexit
import functools
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from ccmgraph.store import Credentials, RemoteStore
from support import free_port

VIRTUOSO = shutil.which("virtuoso-t")
ISQL = shutil.which("isql-vt") or shutil.which("isql")
_OXIGRAPH_NEXT_TO_PYTHON = Path(sys.executable).with_name("oxigraph")
OXIGRAPH = str(_OXIGRAPH_NEXT_TO_PYTHON) if _OXIGRAPH_NEXT_TO_PYTHON.exists() else shutil.which("oxigraph")
ENGINE_TIMEOUT = 20  # seconds each engine itself allows a query (Virtuoso: per request too)
# Virtuoso's buffers (8 KiB pages each) where the benchmarks serve a million quads: the line of the
# virtuoso.ini Debian ships for "2 GB system memory free" (its default, 10,000, "will not result in
# very good performance"). With the tests' 40,000 some views answered 10 to 100 times slower at a
# million quads (the describe page 3 s instead of 30 ms): bench/README.md.
SERVING_BUFFERS = 170_000


@dataclass
class Running:
    """A store running for the tests: its query endpoint and the environment for its credentials."""

    name: str
    endpoint: str
    proc: subprocess.Popen
    workdir: Path
    env: dict[str, str] = field(default_factory=dict)

    def store(self, **options: object) -> RemoteStore:
        credentials = Credentials.from_environment(self.env)
        return RemoteStore(self.endpoint, credentials=credentials, **options)  # type: ignore[arg-type]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        shutil.rmtree(self.workdir, ignore_errors=True)


def _wait_http(url: str, proc: subprocess.Popen, log: Path, limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"{url}: the server exited ({proc.returncode}): {tail}")
        try:
            if httpx.post(url, data={"query": "ASK {}"}, timeout=2).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url}: no answer within {limit:g} s")


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 20
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., {dir}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
ThreadsPerQuery = 2
AsyncQueueMaxThreads = 4

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
MaxClientConnections = 20
ServerThreads = 20
Charset = UTF-8

[SPARQL]
; answers are never silently cut at a row count here; ccmgraph's endpoint applies its own limits
ResultSetMaxRows = 10000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = {timeout}
"""


def start_virtuoso(buffers: int = 40000) -> Running:
    """Virtuoso with a fresh database, its dba password replaced by a random one."""
    workdir = Path(tempfile.mkdtemp(prefix="ccmgraph-virtuoso-"))
    sql_port, http_port = free_port(), free_port()
    ini = workdir / "virtuoso.ini"
    ini.write_text(
        VIRTUOSO_INI.format(
            dir=workdir,
            sql_port=sql_port,
            http_port=http_port,
            buffers=buffers,
            dirty=buffers * 3 // 4,
            timeout=ENGINE_TIMEOUT,
        )
    )
    log = workdir / "stdout.log"
    assert VIRTUOSO is not None and ISQL is not None
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [VIRTUOSO, "+foreground", "+configfile", str(ini)],
            cwd=workdir,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    endpoint = f"http://127.0.0.1:{http_port}/sparql"
    running = Running("virtuoso", endpoint, proc, workdir)
    try:
        _wait_http(endpoint, proc, log)
        password = "P" + secrets.token_hex(16)  # letters and digits: a bare word in ISQL
        # the commands on stdin, not in argv (which every user of the machine can read)
        done = subprocess.run(
            [ISQL, f"127.0.0.1:{sql_port}", "dba", "dba"],
            input=f"set password dba {password};\n",
            capture_output=True,
            text=True,
            timeout=60,
        )
        if done.returncode != 0 or "Error" in done.stdout + done.stderr:
            raise RuntimeError(f"could not change the dba password: {done.stdout}{done.stderr}")
    except BaseException:
        running.stop()
        raise
    running.env = {Credentials.USER_ENV: "dba", Credentials.PASSWORD_ENV: password, Credentials.SCHEME_ENV: "digest"}
    return running


def start_oxigraph(union_default_graph: bool, timeout: float = ENGINE_TIMEOUT) -> Running:
    """Oxigraph server on a fresh on-disk store, with its own query time limit."""
    workdir = Path(tempfile.mkdtemp(prefix="ccmgraph-oxigraph-"))
    port = free_port()
    assert OXIGRAPH is not None
    args = [
        OXIGRAPH,
        "serve",
        "--location",
        str(workdir / "db"),
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout-s",
        str(max(1, round(timeout))),
    ]
    if union_default_graph:
        args.append("--union-default-graph")
    log = workdir / "stdout.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    name = "oxigraph-union" if union_default_graph else "oxigraph"
    running = Running(name, f"http://127.0.0.1:{port}/query", proc, workdir)
    try:
        _wait_http(running.endpoint, proc, log)
    except BaseException:
        running.stop()
        raise
    return running


ENGINES = ("virtuoso", "oxigraph", "oxigraph-union")


def missing(name: str) -> str | None:
    """Why ``name`` cannot run here (None: it can)."""
    if name == "virtuoso" and (VIRTUOSO is None or ISQL is None):
        return "Virtuoso is not installed (apt-get install virtuoso-opensource; .ci/run installs it)"
    if name.startswith("oxigraph") and OXIGRAPH is None:
        return "Oxigraph server is not installed (pip install oxigraph; it is in the dev extra)"
    return None


@functools.cache
def running(name: str) -> Running:
    """The engine ``name`` (one of ENGINES), started once per process and stopped at exit."""
    engine = start_virtuoso() if name == "virtuoso" else start_oxigraph(name == "oxigraph-union")
    atexit.register(engine.stop)
    return engine


def require(name: str) -> Running:
    """The running engine, or skip the test with the reason it cannot run."""
    reason = missing(name)
    if reason:
        pytest.skip(reason)
    return running(name)
