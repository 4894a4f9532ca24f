"""The default graph is an RDF merge, a set, on every engine (issue 18, "Counts that are right").

SPARQL 1.1 Query §13.1: "The RDF merge of the graphs named by FROM clauses" makes the default
graph. Some triples of the build are stated in two or three named graphs (a work plan and the
plan that continues it state the same label); counted over the union they must count once, as
they do when the distinct triples of the dump are counted here in Python. The counts are asked
of the embedded store, of its SPARQL endpoint (the worker processes), and of each real remote
store after ``ccmgraph publish`` (slow tests).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from _remote_engines import ENGINES, missing, require, start_oxigraph
from ccmgraph import catalog, publish
from ccmgraph.execution.engine import SparqlSettings
from ccmgraph.store import PROJECT_GRAPHS, DefaultGraphMode, EmbeddedStore, RemoteStore, Store
from ccmgraph.web.app import create_app
from support import free_port

COUNT = "SELECT (COUNT(*) AS ?n) {} WHERE {{ ?s ?p ?o }}"
ROWS = "SELECT ?s ?p ?o {} WHERE {{ ?s ?p ?o }}"


def holders(dist: Path) -> dict[ox.Triple, set[str]]:
    """Each triple of the dump and the named graphs that state it."""
    found: dict[ox.Triple, set[str]] = defaultdict(set)
    for quad in ox.parse(path=str(dist / "ccmgraph.nq"), format=ox.RdfFormat.N_QUADS):
        assert isinstance(quad.graph_name, ox.NamedNode)
        found[quad.triple].add(quad.graph_name.value)
    return found


def overlapping_pair(found: dict[ox.Triple, set[str]]) -> tuple[str, str]:
    """Two named graphs that state a triple in common (the build has such pairs)."""
    shared = sorted(sorted(g) for g in found.values() if len(g) > 1)
    assert shared, "the build no longer states any triple twice: this test guards nothing"
    return shared[0][0], shared[0][1]


def count(store: Store, text: str) -> int:
    body = json.loads(store.query(text, "application/sparql-results+json").body)
    return int(body["results"]["bindings"][0]["n"]["value"])


def expected_counts(dist: Path) -> tuple[int, tuple[str, str], int]:
    """(distinct triples of the dump, a pair of graphs sharing triples, distinct triples of the pair)."""
    found = holders(dist)
    a, b = overlapping_pair(found)
    return len(found), (a, b), sum(1 for g in found.values() if a in g or b in g)


def check_counts(store: Store, dist: Path) -> None:
    distinct, (a, b), pair = expected_counts(dist)
    quads = sum(1 for _ in ox.parse(path=str(dist / "ccmgraph.nq"), format=ox.RdfFormat.N_QUADS))
    assert quads > distinct  # a multiset count would differ from the set's
    assert count(store, COUNT.format("")) == distinct
    assert count(store, COUNT.format(f"FROM <{a}> FROM <{b}>")) == pair
    # the protocol's default-graph-uri merges the same way
    body = store.query(COUNT.format(""), "application/sparql-results+json", default_graph_uris=(a, b)).body
    assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) == pair
    # GRAPH still reaches each named graph with every triple it states
    assert count(store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }") == quads
    named = f"SELECT (COUNT(*) AS ?n) FROM <{a}> FROM NAMED <{a}> FROM NAMED <{b}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    sizes = defaultdict(int)
    for graphs in holders(dist).values():
        for g in graphs:
            sizes[g] += 1
    assert count(store, named) == sizes[a] + sizes[b]


def test_embedded_counts_each_triple_once(store: EmbeddedStore, dist: Path) -> None:
    check_counts(store, dist)


def test_plain_select_returns_no_duplicate_rows(store: EmbeddedStore, dist: Path) -> None:
    rows = store.select(ROWS.format(""))
    assert len(rows) == len({(r["s"], r["p"], r["o"]) for r in rows}) == len(holders(dist))


@pytest.fixture(scope="module")
def endpoint(dist: Path) -> Iterator[TestClient]:
    app = create_app(EmbeddedStore(dist), settings=SparqlSettings(workers=1, cache_bytes=0))
    with TestClient(app) as client:
        yield client


def test_the_sparql_endpoint_counts_each_triple_once(endpoint: TestClient, dist: Path) -> None:
    distinct, (a, b), pair = expected_counts(dist)

    def n(query: str) -> int:
        response = endpoint.get(
            "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"}
        )
        assert response.status_code == 200, response.text
        return int(response.json()["results"]["bindings"][0]["n"]["value"])

    assert n(COUNT.format("")) == distinct
    assert n(COUNT.format(f"FROM <{a}> FROM <{b}>")) == pair


def test_an_update_keeps_the_default_graph_the_union(dist: Path) -> None:
    settings = SparqlSettings(workers=1, cache_bytes=0, allow_update=True, update_token="t")
    app = create_app(EmbeddedStore(dist), settings=settings)
    distinct, (a, _), _ = expected_counts(dist)
    with TestClient(app) as client:
        response = client.post(
            "/sparql",
            data={"update": f"INSERT DATA {{ GRAPH <{a}> {{ <http://example.org/s> <http://example.org/p> 1 }} }}"},
            headers={"Authorization": "Bearer t"},
        )
        assert response.status_code in (200, 204), response.text
        after = client.get(
            "/sparql", params={"query": COUNT.format("")}, headers={"Accept": "application/sparql-results+json"}
        )
        assert int(after.json()["results"]["bindings"][0]["n"]["value"]) == distinct + 1


# -- over the real remote stores (slow: they start Virtuoso and Oxigraph server) ------------------

OTHER = "http://other.example.org/graph/a"  # another project's graph in a shared store
OTHER_TRIPLES = (
    b"<http://other.example.org/s1> <http://other.example.org/p> <https://w3id.org/ccmgraph/id/lap-action/10> .\n"
    b'<http://other.example.org/s2> <http://www.w3.org/2000/01/rdf-schema#label> "not ours" .\n'
)


@pytest.fixture(scope="module", params=ENGINES)
def published(request: pytest.FixtureRequest, dist: Path) -> Iterator[RemoteStore]:
    """Each real store holding another project's graph, and the build published beside it."""
    store = require(request.param).store()
    store.put_graph(OTHER, OTHER_TRIPLES)
    publish.publish(store, dist / "ccmgraph.nq")
    yield store
    store.delete_graph(OTHER)


@pytest.mark.slow
def test_remote_stores_count_each_triple_once(published: RemoteStore, dist: Path) -> None:
    check_counts(published, dist)
    assert published.default_graph_mode == DefaultGraphMode.UNION_GRAPH


@pytest.mark.slow
def test_a_shared_store_answers_as_embedded_and_never_shows_the_other_graphs(
    published: RemoteStore, store: EmbeddedStore
) -> None:
    other = 'SELECT ?s WHERE { ?s ?p ?o FILTER(STRSTARTS(STR(?s), "http://other.example.org/")) }'
    assert published.select(other) == []
    assert published.select("SELECT ?s WHERE { ?s ?p 'not ours' }") == []
    graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
    assert published.select(graphs) == store.select(graphs)
    assert all(str(r["g"]).startswith(PROJECT_GRAPHS) for r in published.select(graphs))
    for name in ("workplans-overview", "isu-budget-lines", "organisation-roles", "evidence-spans"):
        text = catalog.load()[name].sparql
        assert sorted(map(repr, published.select(text))) == sorted(map(repr, store.select(text))), name


@pytest.mark.slow
def test_an_unpublished_store_alone_uses_the_engines_union_and_a_shared_one_the_graph_list() -> None:
    if missing("oxigraph-union"):
        pytest.skip(missing("oxigraph-union"))
    server = start_oxigraph(union_default_graph=True)
    try:
        store = server.store()
        a, b = PROJECT_GRAPHS + "test-a", PROJECT_GRAPHS + "test-b"
        store.put_graph(a, b'<http://example.org/s> <http://example.org/p> "1" .\n')
        store.put_graph(b, b'<http://example.org/s> <http://example.org/p> "2" .\n')
        assert store.default_graph_mode == DefaultGraphMode.ENGINE_UNION
        assert count(store, COUNT.format("")) == 2
        store.put_graph(OTHER, OTHER_TRIPLES)
        shared = server.store()  # as a server started now sees it
        assert shared.default_graph_mode == DefaultGraphMode.GRAPH_LIST
        assert count(shared, COUNT.format("")) == 2
    finally:
        server.stop()


@pytest.mark.slow
def test_serve_reports_the_default_graph_it_reads(published: RemoteStore, request: pytest.FixtureRequest) -> None:
    """At start (its log) and in the service description."""
    running = require(request.node.callspec.params["published"])
    port = free_port()
    cli = str(Path(sys.executable).with_name("ccmgraph"))
    proc = subprocess.Popen(
        [cli, "serve", "--sparql-endpoint", published.endpoint, "--port", str(port), "--log-level", "info"],
        env={**os.environ, **running.env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if httpx.get(url + "/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        described = httpx.get(url + "/sparql", headers={"Accept": "text/turtle"}, timeout=60)
        assert described.status_code == 200
        assert DefaultGraphMode.UNION_GRAPH.value in described.text
    finally:
        proc.terminate()
        _, log = proc.communicate(timeout=30)
    assert f"default graph: {DefaultGraphMode.UNION_GRAPH.value}" in log.decode(), log.decode()[-2000:]
