"""Real clients against a real server: SPARQLWrapper, rdflib's SPARQLStore, raw httpx."""

from __future__ import annotations

import time
import warnings
from xml.dom.minidom import Document

import httpx
import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, POST, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from support import FIXTURE_GRAPH, LAP_QUERY, RUNAWAY, process_gone

CONSTRUCT = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{FIXTURE_GRAPH}> {{ ?s ?p ?o }} }}"


@pytest.fixture
def wrapper(live_server) -> SPARQLWrapper:
    return SPARQLWrapper(live_server.url + "/sparql")


def test_sparqlwrapper_json(wrapper) -> None:
    wrapper.setQuery(LAP_QUERY)
    wrapper.setReturnFormat(JSON)
    data = wrapper.query().convert()
    numbers = [int(b["number"]["value"]) for b in data["results"]["bindings"]]
    assert numbers == list(range(1, 51))


def test_sparqlwrapper_post_and_xml(wrapper) -> None:
    wrapper.setQuery(LAP_QUERY)
    wrapper.setMethod(POST)
    wrapper.setReturnFormat(XML)
    doc = wrapper.query().convert()
    assert isinstance(doc, Document) and len(doc.getElementsByTagName("result")) == 50


def test_sparqlwrapper_csv(wrapper) -> None:
    wrapper.setQuery(LAP_QUERY)
    wrapper.setReturnFormat(CSV)
    lines = wrapper.query().convert().decode().splitlines()
    assert lines[0] == "action,number,label" and len(lines) == 51


def test_sparqlwrapper_ask(wrapper) -> None:
    wrapper.setQuery("ASK { ?a a <https://w3id.org/ccmgraph/ontology#LAPAction> }")
    wrapper.setReturnFormat(JSON)
    assert wrapper.query().convert()["boolean"] is True


def test_sparqlwrapper_construct_turtle(wrapper) -> None:
    wrapper.setQuery(CONSTRUCT)
    wrapper.setReturnFormat(TURTLE)
    body = wrapper.query().convert()
    graph = rdflib.Graph().parse(data=body, format="turtle")
    assert len(graph) == 8


def test_sparqlwrapper_construct_jsonld(wrapper) -> None:
    wrapper.setQuery(CONSTRUCT)
    wrapper.setReturnFormat(JSONLD)
    graph = wrapper.query().convert()
    assert isinstance(graph, rdflib.Graph) and len(graph) == 8
    labels = {str(o) for o in graph.objects(rdflib.URIRef("http://example.org/thing"), rdflib.RDFS.label)}
    assert labels == {"a thing", "une chose"}


def test_sparqlwrapper_sees_a_bad_query(wrapper) -> None:
    wrapper.setQuery("SELECT * WHERE { ?s ?p }")
    wrapper.setReturnFormat(JSON)
    with pytest.raises(QueryBadFormed, match="line 1, column"):
        wrapper.query()


def test_rdflib_sparqlstore(live_server) -> None:
    store = SPARQLStore(live_server.url + "/sparql", returnFormat="json")
    graph = rdflib.Graph(store=store)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = list(graph.query(LAP_QUERY))
        assert len(result) == 50 and int(result[0].number) == 1
        assert graph.query("ASK { ?s ?p ?o }").askAnswer is True
        triples = list(graph.triples((rdflib.URIRef("http://example.org/thing"), None, None)))
    assert len(triples) == 7


# -- raw HTTP edge cases --------------------------------------------------------------------


def test_keep_alive_many_requests_on_one_connection(live_server) -> None:
    with httpx.Client(base_url=live_server.url) as client:
        for i in range(30):
            r = client.get("/sparql", params={"query": f"SELECT ({i} AS ?i) WHERE {{}}"})
            assert r.json()["results"]["bindings"][0]["i"]["value"] == str(i)


def test_chunked_request_body(live_server) -> None:
    def chunks():
        yield b"SELECT (COUNT(*) AS ?n) "
        yield b"WHERE { ?a a <https://w3id.org/ccmgraph/ontology#LAPAction> }"

    r = httpx.post(live_server.url + "/sparql", content=chunks(), headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 200 and r.json()["results"]["bindings"][0]["n"]["value"] == "50"


def test_gzip_over_the_wire(live_server) -> None:
    with httpx.Client() as client:
        r = client.get(
            live_server.url + "/sparql",
            params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 200"},
            headers={"Accept-Encoding": "gzip"},
        )
        assert r.headers["content-encoding"] == "gzip" and len(r.json()["results"]["bindings"]) == 200


def test_conditional_get_over_the_wire(live_server) -> None:
    url = live_server.url + "/sparql"
    first = httpx.get(url, params={"query": LAP_QUERY})
    again = httpx.get(url, params={"query": LAP_QUERY}, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.headers["etag"] == first.headers["etag"]


def test_url_encoded_post_with_many_graphs(live_server) -> None:
    r = httpx.post(
        live_server.url + "/sparql",
        data={
            "query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g",
            "named-graph-uri": [FIXTURE_GRAPH, "https://w3id.org/ccmgraph/graph/reference"],
        },
    )
    assert [b["g"]["value"] for b in r.json()["results"]["bindings"]] == [
        FIXTURE_GRAPH,
        "https://w3id.org/ccmgraph/graph/reference",
    ]


def test_a_client_that_gives_up_stops_its_query(live_server) -> None:
    """The worker running a query whose client disconnected is killed: its CPU is freed."""
    engine = live_server.engine
    kills = engine.runner.pool.kills
    before = set(engine.runner.pool.pids)
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(live_server.url + "/sparql", params={"query": RUNAWAY + " # gives up"}, timeout=0.4)
    deadline = time.monotonic() + 1.0  # well before the 1.5 s limit
    while engine.runner.pool.kills == kills and time.monotonic() < deadline:
        time.sleep(0.02)
    assert engine.runner.pool.kills == kills + 1
    gone = before - set(engine.runner.pool.pids)
    assert gone and all(process_gone(pid) for pid in gone)


# -- over a remote engine: the same endpoint in front of Oxigraph server --------------------


@pytest.fixture(scope="module")
def oxigraph_server(sparql_dist, tmp_path_factory):
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    from support import free_port

    binary = Path(sys.executable).parent / "oxigraph"
    if not binary.exists():
        binary = Path(shutil.which("oxigraph") or binary)
    location = tmp_path_factory.mktemp("oxigraph") / "db"
    subprocess.run(
        [str(binary), "load", "--location", str(location), "--file", str(sparql_dist / "ccmgraph.nq")],
        check=True,
        capture_output=True,
    )
    port = free_port()
    proc = subprocess.Popen(
        [
            str(binary),
            "serve-read-only",
            "--location",
            str(location),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/query"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(url, params={"query": "ASK {}"}).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "oxigraph server did not start"
        time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


def test_the_endpoint_over_a_remote_store(oxigraph_server) -> None:
    from fastapi.testclient import TestClient

    from ccmgraph.web.app import create_app
    from support import SETTINGS

    with TestClient(create_app(endpoint=oxigraph_server, settings=SETTINGS)) as client:
        lap = client.get("/sparql", params={"query": LAP_QUERY})
        assert lap.status_code == 200 and len(lap.json()["results"]["bindings"]) == 50
        graph = client.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": "text/turtle"})
        assert graph.status_code == 200 and graph.headers["content-type"].startswith("text/turtle")
        assert rdflib.Graph().parse(data=graph.text, format="turtle").__len__() == 8
        refused = client.get("/sparql", params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> {} }"})
        assert refused.status_code == 400
        bad = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
        assert bad.status_code == 400
        assert client.post("/sparql", data={"update": "CLEAR ALL"}).status_code == 403
        assert client.get("/sparql").status_code == 200  # service description, with statistics from the remote
    with TestClient(create_app(endpoint="http://127.0.0.1:9/query", settings=SETTINGS)) as client:
        down = client.get("/sparql", params={"query": "ASK {}"})
        assert down.status_code == 503 and "did not answer" in down.text


# -- `ccmgraph serve`: the command-line server, with two HTTP processes ----------------------


@pytest.mark.slow
def test_ccmgraph_serve_with_options(sparql_dist, tmp_path) -> None:
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path

    from support import free_port

    cli = Path(sys.executable).parent / "ccmgraph"
    env = dict(os.environ, CCMGRAPH_ROOT=str(tmp_path), CCMGRAPH_DIST=str(sparql_dist))
    refused = subprocess.run([str(cli), "serve", "--allow-update"], env=env, capture_output=True, text=True)
    assert refused.returncode != 0 and "update_token" in refused.stderr
    port = free_port()
    proc = subprocess.Popen(
        [
            str(cli),
            "serve",
            "--port",
            str(port),
            "--http-workers",
            "2",
            "--timeout",
            "1",
            "--max-rows",
            "10",
            "--log-level",
            "warning",
        ],
        env=env,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/sparql"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url, params={"query": "ASK {}"}).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "ccmgraph serve did not start"
            time.sleep(0.2)
        cut = httpx.get(url, params={"query": LAP_QUERY})
        assert len(cut.json()["results"]["bindings"]) == 10 and cut.headers["x-sparql-truncated"] == "rows"
        slow = httpx.get(url, params={"query": RUNAWAY}, timeout=10)
        assert slow.status_code == 503 and "1 s" in slow.text
        assert httpx.get(url, params={"query": "SELECT * { SERVICE <http://127.0.0.1:9/> {} }"}).status_code == 400
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
