import json

import httpx
import pyoxigraph as ox
import pytest

from ccmgraph import errors
from ccmgraph.errors import QuerySyntaxError
from ccmgraph.store import Credentials, RemoteStore, StoreUnreachable, default_graph_store
from support import free_port

COUNT_ACTIONS = (
    "PREFIX ccm: <https://w3id.org/ccmgraph/ontology#> SELECT (COUNT(?a) AS ?n) WHERE { ?a a ccm:LAPAction }"
)


def test_select_binds_parameters_as_terms(store):
    rows = store.select(
        "PREFIX ccm: <https://w3id.org/ccmgraph/ontology#> SELECT ?a WHERE { ?a ccm:actionNumber ?n }",
        {"n": ox.Literal("10", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))},
    )
    assert rows == [{"a": "https://w3id.org/ccmgraph/id/lap-action/10"}]


def test_a_list_of_terms_binds_a_row_each(store):
    """What the LAP review binds to ask for the quotes of many evidence nodes at once."""
    integer = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    rows = store.select(
        "PREFIX ccm: <https://w3id.org/ccmgraph/ontology#> SELECT ?a WHERE { ?a ccm:actionNumber ?n } ORDER BY ?a",
        {"n": [ox.Literal(str(n), datatype=integer) for n in (10, 3, 10)]},
    )
    assert rows == [{"a": f"https://w3id.org/ccmgraph/id/lap-action/{n}"} for n in (10, 10, 3)]
    assert store.select("SELECT ?v WHERE { }", {"v": []}) == []


def test_default_graph_is_the_union(store):
    assert store.select(COUNT_ACTIONS) == [{"n": 50}]


def test_named_default_graph_restricts(store):
    answer = store.query(COUNT_ACTIONS, default_graph_uris=["https://w3id.org/ccmgraph/graph/ontology"])
    assert json.loads(answer.body)["results"]["bindings"][0]["n"]["value"] == "0"


@pytest.mark.parametrize("media_type", ["application/sparql-results+xml", "text/csv", "text/tab-separated-values"])
def test_select_formats(store, media_type):
    assert store.query(COUNT_ACTIONS, media_type).body


def test_construct_formats(store):
    answer = store.query(
        "CONSTRUCT WHERE { ?s a <https://w3id.org/ccmgraph/ontology#LAPAction> }", "application/n-triples"
    )
    assert answer.form == "graph" and answer.body.count(b"\n") == 50


def test_syntax_error_is_worded_for_people(store):
    with pytest.raises(QuerySyntaxError, match="Malformed query, line 1, column 15"):
        store.select("SELECT WHERE {")


def test_remote_store_publishes_and_queries(dist, store):
    """Over Oxigraph server started with its union default graph: the answers come from the
    project's graphs as the store resolves them, not from the engine's union."""
    from _remote_engines import require
    from ccmgraph import publish

    remote = require("oxigraph-union").store()
    publish.publish(remote, dist / "ccmgraph.nq")
    assert remote.select(COUNT_ACTIONS) == store.select(COUNT_ACTIONS)
    bound = remote.select(
        "PREFIX ccm: <https://w3id.org/ccmgraph/ontology#> SELECT ?a WHERE { ?a ccm:actionNumber ?n }",
        {"n": ox.Literal("10", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))},
    )
    assert bound == [{"a": "https://w3id.org/ccmgraph/id/lap-action/10"}]
    # the publication graph is in the engine's union, but not in the dataset a query sees
    every = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert remote.select(every) == store.select(every)
    # the project's prefixes are predeclared for a remote store too (sent along with the query)
    assert remote.select("SELECT ?a WHERE { ?a ccm:actionNumber 10 }") == bound
    with pytest.raises(errors.QueryEvaluationError):
        remote.select("SELECT WHERE {")


def test_remote_store_that_does_not_answer_is_a_store_error():
    with pytest.raises(StoreUnreachable):
        RemoteStore(f"http://127.0.0.1:{free_port()}/sparql").select("ASK {}")


def test_credentials_come_from_the_environment_and_are_never_printed():
    creds = Credentials.from_environment(
        {"CCMGRAPH_STORE_USER": "dba", "CCMGRAPH_STORE_PASSWORD": "s3cret", "CCMGRAPH_STORE_AUTH": "digest"}
    )
    assert creds.user == "dba" and creds.scheme == "digest" and "s3cret" not in repr(creds)
    assert isinstance(creds.auth(), httpx.DigestAuth)
    token = Credentials.from_environment({"CCMGRAPH_STORE_TOKEN": "t0k"})
    request = httpx.Request("GET", "http://127.0.0.1/")
    assert next(token.auth().sync_auth_flow(request)).headers["Authorization"] == "Bearer t0k"
    with pytest.raises(errors.SettingError):
        Credentials.from_environment({"CCMGRAPH_STORE_AUTH": "kerberos"})


@pytest.mark.parametrize(
    ("endpoint", "graph_store"),
    [
        ("http://127.0.0.1:8890/sparql", "http://127.0.0.1:8890/sparql-graph-crud-auth"),
        ("http://127.0.0.1:7878/query", "http://127.0.0.1:7878/store"),
        ("http://127.0.0.1:3030/ds/sparql", "http://127.0.0.1:3030/ds/data"),
    ],
)
def test_graph_store_address_follows_the_engines_convention(endpoint, graph_store):
    assert default_graph_store(endpoint) == graph_store


def test_bind_places_values_where_filters_see_them(store):
    from ccmgraph.store import bind_parameters

    marked = (
        "PREFIX ccm: <https://w3id.org/ccmgraph/ontology#> SELECT ?a WHERE { # @bindings\n"
        "?a ccm:actionNumber ?m . FILTER(?m = ?n) }"
    )
    ten = ox.Literal("10", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    assert "VALUES ?n {" in bind_parameters(marked, {"n": ten}).split("FILTER")[0]
    assert store.select(marked, {"n": ten}) == [{"a": "https://w3id.org/ccmgraph/id/lap-action/10"}]


def test_bound_values_cannot_change_the_query(store):
    sneaky = ox.Literal('x" } } SELECT * { ?s ?p ?o } #')
    rows = store.select("SELECT ?v WHERE { }", {"v": sneaky})
    assert rows == [{"v": 'x" } } SELECT * { ?s ?p ?o } #'}]
