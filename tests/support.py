"""Helpers the test modules import: the SPARQL endpoint tests' dataset, settings and queries, a
live uvicorn server, a free port, process probes. The fixtures themselves are in conftest.py.

The endpoint tests do not depend on the curated work plans: they serve the ontology and the
reference graph (stable: 50 LAP actions, the States...) plus a small graph of their own, so
they pass whatever state the curation is in. That dataset is written once per process.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from ccmgraph import disk_store, paths
from ccmgraph.execution.engine import SparqlSettings
from ccmgraph.store import EmbeddedStore

GRAPH = "https://w3id.org/ccmgraph/graph/"
FIXTURE_GRAPH = GRAPH + "endpoint-test"
TOKEN = "test-token-8c1f"
# small limits, so that the limit tests are quick
SETTINGS = SparqlSettings(
    timeout=1.5,
    workers=2,
    max_rows=1000,
    max_result_bytes=2 * 1024 * 1024,
    max_request_bytes=32 * 1024,
    memory_limit=1024 * 1024 * 1024,
)
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
LAP_QUERY = (
    "PREFIX ccm: <https://w3id.org/ccmgraph/ontology#>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "SELECT ?action ?number ?label WHERE { ?action a ccm:LAPAction ; ccm:actionNumber ?number ; "
    "rdfs:label ?label } ORDER BY ?number"
)

FIXTURE_TTL = """
@prefix ex: <http://example.org/> .
@prefix id: <https://w3id.org/ccmgraph/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:thing rdfs:label "a thing"@en, "une chose"@fr ; ex:count 42 ; ex:when "2025-03-01"^^xsd:date ;
    ex:note "line one\\nline two, with \\"quotes\\", commas and a tab\\tchar" ;
    ex:link <https://w3id.org/ccmgraph/id/lap-action/10> ; ex:blank [ rdfs:label "anonymous" ] .
"""

NAMED_QUERY = """# title: LAP action by number
# description: One LAP action and its label (an endpoint-test query).
# param: number integer 10 -- the action number
PREFIX ccm: <https://w3id.org/ccmgraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?action ?label WHERE { ?action ccm:actionNumber ?number ; rdfs:label ?label }
"""


@functools.cache
def endpoint_dataset() -> Path:
    """A dist/-like directory with ccmgraph.nq and its store: ontology + reference + a small test graph."""
    target = Path(tempfile.mkdtemp(prefix="ccmgraph-endpoint-test-"))
    atexit.register(shutil.rmtree, target, True)
    atexit.register(shutil.rmtree, disk_store.serving_root(target), True)  # the servers' copies
    store = ox.Store()
    store.load(path=str(paths.ONTOLOGY), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(GRAPH + "ontology"))
    for ttl in sorted(paths.REFERENCE.glob("*.ttl")):
        store.load(path=str(ttl), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(GRAPH + "reference"))
    store.load(input=FIXTURE_TTL.encode(), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(FIXTURE_GRAPH))
    store.dump(str(target / "ccmgraph.nq"), format=ox.RdfFormat.N_QUADS)
    disk_store.write(target)
    queries = target / "queries"
    queries.mkdir()
    (queries / "lap-action-by-number.rq").write_text(NAMED_QUERY, encoding="utf-8")
    return target


def make_app(settings: SparqlSettings = SETTINGS, store: EmbeddedStore | None = None):
    """The app over the endpoint tests' dataset (a store of its own unless ``store`` is given)."""
    from ccmgraph.web.app import create_app

    dataset = endpoint_dataset()
    return create_app(store=store or EmbeddedStore(dataset), settings=settings, queries_dir=dataset / "queries")


def free_port() -> int:
    """A TCP port free on 127.0.0.1 (for a server started by a test)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """The app served by uvicorn on 127.0.0.1 in a thread of this process."""

    def __init__(self, app) -> None:
        import uvicorn

        self.app = app
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def start(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if not self.thread.is_alive():
            return
        self.server.should_exit = True
        self.thread.join(timeout=15)
        self.sock.close()

    @property
    def engine(self):
        return self.app.state.engine


def process_gone(pid: int, within: float = 5.0) -> bool:
    """Has the process exited (and been reaped) within ``within`` seconds?"""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
                if stat.read().split(") ", 1)[1].startswith("Z"):
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.02)
    return False


def cpu_seconds(pid: int) -> float:
    """CPU time used so far by a process (user + system), or 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().split(") ", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (FileNotFoundError, IndexError):
        return 0.0


# ------------------------------------------------------------------ Debian's chromium

CHROMIUM = Path("/usr/bin/chromium")
# no background traffic: this machine reaches nothing beyond 127.0.0.1
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")


@contextlib.contextmanager
def browser_page(
    base: str,
    width: int,
    height: int = 900,
    *,
    javascript: bool = True,
    outside: list[str] | None = None,
    csp_errors: list[str] | None = None,
):
    """A chromium page at ``width`` px; requests outside ``base`` go to ``outside`` and are aborted;
    console messages about the Content-Security-Policy go to ``csp_errors``."""
    from playwright.sync_api import sync_playwright

    outside = [] if outside is None else outside
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": width, "height": height}, java_script_enabled=javascript)
        context.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith(base)
                else (outside.append(route.request.url), route.abort())
            ),
        )
        page = context.new_page()
        page.set_default_timeout(20_000)
        if csp_errors is not None:
            page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)
        try:
            yield page
        finally:
            browser.close()
