import json
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from ccmgraph.errors import QuerySyntaxError
from ccmgraph.store import QueryError, RemoteStore
from support import free_port

COUNT_ACTIONS = ("PREFIX ccm: <https://w3id.org/ccmgraph/ontology#> "
                 "SELECT (COUNT(?a) AS ?n) WHERE { ?a a ccm:LAPAction }")


def test_select_binds_parameters_as_terms(store):
    rows = store.select(
        "PREFIX ccm: <https://w3id.org/ccmgraph/ontology#> SELECT ?a WHERE { ?a ccm:actionNumber ?n }",
        {"n": ox.Literal("10", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))})
    assert rows == [{"a": "https://w3id.org/ccmgraph/id/lap-action/10"}]


def test_default_graph_is_the_union(store):
    assert store.select(COUNT_ACTIONS) == [{"n": 50}]


def test_named_default_graph_restricts(store):
    answer = store.query(COUNT_ACTIONS, default_graph_uris=["https://w3id.org/ccmgraph/graph/ontology"])
    assert json.loads(answer.body)["results"]["bindings"][0]["n"]["value"] == "0"


@pytest.mark.parametrize("media_type", ["application/sparql-results+xml", "text/csv", "text/tab-separated-values"])
def test_select_formats(store, media_type):
    assert store.query(COUNT_ACTIONS, media_type).body


def test_construct_formats(store):
    answer = store.query("CONSTRUCT WHERE { ?s a <https://w3id.org/ccmgraph/ontology#LAPAction> }",
                         "application/n-triples")
    assert answer.form == "graph" and answer.body.count(b"\n") == 50


def test_syntax_error_is_worded_for_people(store):
    with pytest.raises(QuerySyntaxError, match="Malformed query, line 1, column 15"):
        store.select("SELECT WHERE {")


@pytest.fixture
def oxigraph_server(tmp_path):
    """The real Oxigraph server from PyPI, on 127.0.0.1."""
    port = free_port()
    proc = subprocess.Popen([str(Path(sys.executable).with_name("oxigraph")), "serve",
                             "--location", str(tmp_path / "db"),
                             "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            httpx.get(url + "/query", params={"query": "ASK {}"})
            break
        except httpx.TransportError:
            time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(10)


def test_remote_store_publishes_and_queries(oxigraph_server, dist, store):
    remote = RemoteStore(oxigraph_server + "/query")
    remote.upload(dist / "ccmgraph.nq")
    assert remote.select(COUNT_ACTIONS) == store.select(COUNT_ACTIONS)
    bound = remote.select(
        "PREFIX ccm: <https://w3id.org/ccmgraph/ontology#> SELECT ?a WHERE { ?a ccm:actionNumber ?n }",
        {"n": ox.Literal("10", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))})
    assert bound == [{"a": "https://w3id.org/ccmgraph/id/lap-action/10"}]
    # the project's prefixes are predeclared for a remote store too (sent along with the query)
    assert remote.select("SELECT ?a WHERE { ?a ccm:actionNumber 10 }") == bound
    with pytest.raises(QueryError):
        remote.select("SELECT WHERE {")


def test_bind_places_values_where_filters_see_them(store):
    from ccmgraph.store import bind_parameters

    marked = ("PREFIX ccm: <https://w3id.org/ccmgraph/ontology#> SELECT ?a WHERE { # @bindings\n"
              "?a ccm:actionNumber ?m . FILTER(?m = ?n) }")
    ten = ox.Literal("10", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    assert "VALUES (?n)" in bind_parameters(marked, {"n": ten}).split("FILTER")[0]
    assert store.select(marked, {"n": ten}) == [{"a": "https://w3id.org/ccmgraph/id/lap-action/10"}]


def test_bound_values_cannot_change_the_query(store):
    sneaky = ox.Literal('x" } } SELECT * { ?s ?p ?o } #')
    rows = store.select("SELECT ?v WHERE { }", {"v": sneaky})
    assert rows == [{"v": 'x" } } SELECT * { ?s ?p ?o } #'}]
