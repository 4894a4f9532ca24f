"""A remote store's answer is held to the endpoint's limits as the embedded engine's is
(ccmgraph.execution.execute.cap): cut at a whole row or triple, saying so, whatever the format,
and a graph answer cut short by the store is found. The answers here are written by Oxigraph's
own serializers (the engine of Oxigraph server), and one in Virtuoso's SPARQL 1.0 JSON."""

from __future__ import annotations

import csv
import io
import json
from xml.etree import ElementTree

import pyoxigraph as ox
import pytest

from ccmgraph import formats
from ccmgraph.execution.execute import Limits, cap
from ccmgraph.sparql.answer import Answer
from ccmgraph.store import IncompleteAnswer

EX = "http://example.org/"
LIMITS = Limits(max_rows=3)


@pytest.fixture(scope="module")
def store() -> ox.Store:
    """Ten statements; one value holds a line break and a comma (CSV must quote it)."""
    store = ox.Store()
    for n in range(10):
        value = f"line one of {n},\nline two" if n == 0 else f"value {n}"
        store.add(ox.Quad(ox.NamedNode(f"{EX}s{n}"), ox.NamedNode(f"{EX}p"), ox.Literal(value)))
    return store


def _select(store: ox.Store, media_type: str) -> Answer:
    solutions = store.query("SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s")
    assert isinstance(solutions, ox.QuerySolutions)
    body = solutions.serialize(format=formats.results_format(media_type))
    assert body is not None
    return Answer("select", media_type, body)


def _rows(answer: Answer) -> list[str]:
    """The ?s of each row, read back with a reader other than the one that cut it."""
    fmt = formats.results_format(answer.media_type)
    if fmt == ox.QueryResultsFormat.CSV:
        return [row[0] for row in list(csv.reader(io.StringIO(answer.body.decode(), newline="")))[1:]]
    return [s["s"].value for s in ox.parse_query_results(answer.body, format=fmt)]  # type: ignore[union-attr]


@pytest.mark.parametrize("media_type", [f.media_type for f in formats.RESULTS if f.oxigraph is not None])
def test_a_select_answer_over_the_row_limit_is_cut_at_a_whole_row(store: ox.Store, media_type: str) -> None:
    answer = cap(_select(store, media_type), LIMITS)
    assert answer.truncated == "rows" and answer.rows == 3
    assert _rows(answer) == [f"{EX}s0", f"{EX}s1", f"{EX}s2"]


@pytest.mark.parametrize("media_type", [f.media_type for f in formats.RESULTS if f.oxigraph is not None])
def test_an_answer_within_the_limit_is_passed_on_as_the_store_wrote_it(store: ox.Store, media_type: str) -> None:
    whole = _select(store, media_type)
    answer = cap(whole, Limits(max_rows=10))
    assert answer.body == whole.body and answer.truncated is None


def test_virtuosos_sparql_1_0_json_is_cut_in_its_own_form() -> None:
    """Virtuoso writes typed literals as "typed-literal" (SPARQL 1.0 JSON); the cut keeps them."""
    bindings = [
        {"n": {"type": "typed-literal", "datatype": "http://www.w3.org/2001/XMLSchema#integer", "value": str(n)}}
        for n in range(5)
    ]
    body = json.dumps({"head": {"link": [], "vars": ["n"]}, "results": {"distinct": False, "bindings": bindings}})
    answer = cap(Answer("select", formats.SPARQL_JSON.media_type, body.encode()), LIMITS)
    assert answer.truncated == "rows"
    assert json.loads(answer.body)["results"]["bindings"] == bindings[:3]


def test_an_xml_answer_over_the_limit_keeps_every_blank_of_its_literals() -> None:
    """Virtuoso's answers come as SPARQL XML: the cut keeps each literal as written, blanks around
    it included (a reader that trims them, as pyoxigraph 0.5's does, would change the quotes)."""
    cells = [f"  quote {n} \n" for n in range(5)]
    results = "".join(
        f'<result><binding name="o"><literal xml:lang="en">{c}</literal></binding></result>' for c in cells
    )
    body = (
        '<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">'
        f'<head><variable name="o"/></head><results>{results}</results></sparql>'
    )
    answer = cap(Answer("select", formats.SPARQL_XML.media_type, body.encode()), LIMITS)
    assert answer.truncated == "rows" and answer.rows == 3
    read = ElementTree.fromstring(answer.body)  # another reader than the one that cut it
    literals = read.iter("{http://www.w3.org/2005/sparql-results#}literal")
    assert [(e.text, e.get("{http://www.w3.org/XML/1998/namespace}lang")) for e in literals] == [
        (c, "en") for c in cells[:3]
    ]


@pytest.mark.parametrize("media_type", [f.media_type for f in formats.GRAPHS if f.oxigraph is not None])
def test_a_graph_answer_over_the_row_limit_is_cut_at_a_whole_triple(store: ox.Store, media_type: str) -> None:
    fmt = formats.graph_format(media_type)
    triples = list(store.query("CONSTRUCT WHERE { ?s ?p ?o }"))  # type: ignore[arg-type]
    body = ox.serialize(triples, format=fmt)
    assert body is not None
    answer = cap(Answer("graph", media_type, body), LIMITS)
    assert answer.truncated == "rows" and answer.rows == 3
    assert len(list(ox.parse(answer.body, format=fmt))) == 3


def test_a_graph_answer_cut_short_by_the_store_is_found(store: ox.Store) -> None:
    triples = list(store.query("CONSTRUCT WHERE { ?s ?p ?o }"))  # type: ignore[arg-type]
    body = ox.serialize(triples, format=ox.RdfFormat.TURTLE)
    assert body is not None
    with pytest.raises(IncompleteAnswer, match="does not parse"):
        cap(Answer("graph", formats.TURTLE.media_type, body[: len(body) // 2]), LIMITS)
