"""SPARQL dataset semantics on every engine (SPARQL 1.1 Query §13.2, Protocol §2.1.4).

A small dataset of three named graphs (sizes 1, 2 and 3, so that every sum is distinct) is
served by the embedded engine and published to each real remote store; every combination of
the query's FROM / FROM NAMED and the protocol's default-graph-uri / named-graph-uri must give
the answer the specification gives, whatever the engine's own defaults (Oxigraph server with
and without --union-default-graph, Virtuoso whose default graph is every graph it holds).
"""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from _remote_engines import ENGINES, require
from ccmgraph import disk_store, publish
from ccmgraph.sparql import dataset
from ccmgraph.store import EmbeddedStore, Store

G = "https://w3id.org/ccmgraph/graph/"
A, B, C = G + "test-a", G + "test-b", G + "test-c"
SIZES = {A: 1, B: 2, C: 3}
EX = "http://example.org/"
COUNT = "SELECT (COUNT(*) AS ?n) {} WHERE {{ ?s ?p ?o }}"
GRAPHS = "SELECT DISTINCT ?g {} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"


@pytest.fixture(scope="module")
def small_dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("dataset") / "dist"
    target.mkdir()
    quads = [
        ox.Quad(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(EX + "p"), ox.Literal(f"{g} {i}"), ox.NamedNode(g))
        for g, n in SIZES.items()
        for i in range(n)
    ]
    (target / "ccmgraph.nq").write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"")
    disk_store.write(target)
    return target


@pytest.fixture(scope="module", params=["embedded", *ENGINES])
def engine(request: pytest.FixtureRequest, small_dist: Path) -> Store:
    if request.param == "embedded":
        return EmbeddedStore(small_dist)
    store = require(request.param).store()
    publish.publish(store, small_dist / "ccmgraph.nq")
    return store


def count(store: Store, text: str, default: tuple[str, ...] = (), named: tuple[str, ...] = ()) -> int:
    body = json.loads(
        store.query(text, "application/sparql-results+json", default_graph_uris=default, named_graph_uris=named).body
    )
    return int(body["results"]["bindings"][0]["n"]["value"])


def graphs(store: Store, text: str, default: tuple[str, ...] = (), named: tuple[str, ...] = ()) -> set[str]:
    body = json.loads(
        store.query(text, "application/sparql-results+json", default_graph_uris=default, named_graph_uris=named).body
    )
    return {b["g"]["value"] for b in body["results"]["bindings"]}


def test_no_dataset_named_the_default_graph_is_the_union_and_graph_sees_every_graph(engine: Store) -> None:
    assert count(engine, COUNT.format("")) == 6
    assert graphs(engine, GRAPHS.format("")) == {A, B, C}


def test_from_makes_the_default_graph_and_leaves_no_named_graph(engine: Store) -> None:
    assert count(engine, COUNT.format(f"FROM <{B}>")) == 2
    assert count(engine, COUNT.format(f"FROM <{A}> FROM <{C}>")) == 4  # merged
    assert graphs(engine, GRAPHS.format(f"FROM <{B}>")) == set()


def test_from_named_alone_leaves_the_default_graph_empty(engine: Store) -> None:
    assert count(engine, COUNT.format(f"FROM NAMED <{A}>")) == 0
    assert graphs(engine, GRAPHS.format(f"FROM NAMED <{A}> FROM NAMED <{C}>")) == {A, C}


def test_from_and_from_named_together(engine: Store) -> None:
    assert count(engine, COUNT.format(f"FROM <{C}> FROM NAMED <{A}>")) == 3
    assert graphs(engine, GRAPHS.format(f"FROM <{C}> FROM NAMED <{A}>")) == {A}


def test_prefixed_names_and_base_in_dataset_clauses(engine: Store) -> None:
    text = f"BASE <{G}> PREFIX g: <{G}> SELECT (COUNT(*) AS ?n) FROM g:test-b FROM <test-a> WHERE {{ ?s ?p ?o }}"
    assert count(engine, text) == 3


def test_protocol_graphs_replace_the_querys_own(engine: Store) -> None:
    # default-graph-uri alone: that default graph, no named graph, whatever the query says
    assert count(engine, COUNT.format(f"FROM <{A}>"), default=(C,)) == 3
    assert count(engine, COUNT.format(""), default=(A, B)) == 3
    assert graphs(engine, GRAPHS.format(f"FROM NAMED <{A}>"), default=(C,)) == set()
    # named-graph-uri alone: those named graphs, an empty default graph
    assert graphs(engine, GRAPHS.format(f"FROM NAMED <{A}>"), named=(B,)) == {B}
    assert count(engine, COUNT.format(f"FROM <{A}>"), named=(B,)) == 0
    # both
    both = {"default": (B,), "named": (A, C)}
    assert count(engine, COUNT.format(f"FROM <{C}> FROM NAMED <{B}>"), **both) == 2
    assert graphs(engine, GRAPHS.format(f"FROM <{C}> FROM NAMED <{B}>"), **both) == {A, C}


def test_ask_and_construct_honour_from(engine: Store) -> None:
    ask = json.loads(engine.query(f'ASK FROM <{A}> {{ ?s ?p "{B} 0" }}', "application/sparql-results+json").body)
    assert ask["boolean"] is False
    built = engine.query(f"CONSTRUCT {{ ?s ?p ?o }} FROM <{C}> WHERE {{ ?s ?p ?o }}", "application/n-triples")
    assert built.body.decode().count(f"{C} ") == 3 and A not in built.body.decode()


def test_from_in_a_string_comment_or_variable_is_not_a_dataset_clause(engine: Store) -> None:
    text = f'SELECT (COUNT(*) AS ?n) WHERE {{ # FROM <{A}>\n ?s ?p ?from FILTER(?from != "FROM <{A}>") }}'
    assert count(engine, text) == 6


# -- how the text is read ------------------------------------------------------------------


def test_parse_finds_the_clauses_and_strips_them() -> None:
    parsed = dataset.read_clauses(
        f"PREFIX g: <{G}>\nSELECT * FROM g:test-a FROM NAMED <{B}> FROM\n<{C}> WHERE {{ ?s ?p ?o }}"
    )
    assert parsed.dataset == dataset.Dataset((A, C), (B,))
    assert "FROM" not in parsed.text_without_clauses and "WHERE { ?s ?p ?o }" in parsed.text_without_clauses
    assert dataset.read_clauses("SELECT * WHERE { ?s ?p 'FROM <x>' }").dataset is None
    assert dataset.read_clauses("SELECT ?from WHERE { ?from ?p ?o }").dataset is None
    # a CONSTRUCT template comes before the dataset clause; a subquery cannot have one
    construct = dataset.read_clauses(f"CONSTRUCT {{ ?s ?p ?o }} FROM <{A}> WHERE {{ ?s ?p ?o }}")
    assert construct.dataset == dataset.Dataset((A,), ())


def test_protocol_takes_precedence() -> None:
    resolved, text = dataset.resolve(f"SELECT * FROM <{A}> WHERE {{}}", (B,), ())
    assert resolved == dataset.Dataset((B,), ()) and A not in text


# -- as users meet it: the SPARQL endpoint and the command line ----------------------------


def test_sparql_endpoint_honours_from(engine: Store) -> None:
    from ccmgraph.execution.engine import SparqlSettings
    from ccmgraph.web.app import create_app

    app = create_app(engine, settings=SparqlSettings(workers=1, cache_bytes=0))
    with TestClient(app) as client:

        def n(params: dict[str, object]) -> int:
            response = client.get("/sparql", params=params, headers={"Accept": "application/sparql-results+json"})
            assert response.status_code == 200, response.text
            return int(response.json()["results"]["bindings"][0]["n"]["value"])

        assert n({"query": COUNT.format("")}) == 6
        assert n({"query": COUNT.format(f"FROM <{C}>")}) == 3
        assert n({"query": COUNT.format(f"FROM NAMED <{C}>")}) == 0
        assert n({"query": COUNT.format(f"FROM <{C}>"), "default-graph-uri": A}) == 1
        assert n({"query": COUNT.format(""), "named-graph-uri": A}) == 0


def test_command_line_honours_from(small_dist: Path) -> None:
    import os
    import subprocess
    import sys

    cli = str(Path(sys.executable).with_name("ccmgraph"))
    env = {**os.environ, "CCMGRAPH_DIST": str(small_dist)}
    # the ontology graph's own count, not the union's (the example, on the built graph)
    done = subprocess.run(
        [cli, "query", COUNT.format(f"FROM <{B}>"), "-f", "csv"], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["n", "2"]


def test_from_the_ontology_graph_counts_that_graph_on_the_built_graph(store: EmbeddedStore) -> None:
    """The issue's example: 552 triples in the ontology graph, not the 20,327 of the union."""
    ontology = store.select(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/ccmgraph/graph/ontology> { ?s ?p ?o } }"
    )[0]["n"]
    union = store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"]
    from_ontology = store.select(
        "SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/ccmgraph/graph/ontology> WHERE { ?s ?p ?o }"
    )[0]["n"]
    assert from_ontology == ontology and from_ontology != union


def test_a_predeclared_prefix_names_a_graph_in_from() -> None:
    # the project's prefixes need no PREFIX line (ccmgraph.sparql.syntax): FROM id:x is a clause
    parsed = dataset.read_clauses("SELECT * FROM id:x FROM NAMED <http://example.org/y> WHERE { ?s ?p ?o }")
    assert parsed.dataset == dataset.Dataset(("https://w3id.org/ccmgraph/id/x",), ("http://example.org/y",))
