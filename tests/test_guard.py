"""ccmgraph.sparql.guard: SERVICE (and LOAD in updates) refused in every spelling; nothing else is.

The spellings are checked twice: the guard refuses them, and (for those the engine parses)
Oxigraph really does call the URL, proved with a listener on 127.0.0.1. So the list is a
list of real attacks, and a guard that let one through would be caught.
"""

from __future__ import annotations

import socket
import threading
import time

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ccmgraph.errors import QueryRefused, QuerySyntaxError
from ccmgraph.sparql import guard
from ccmgraph.web.errors import status_of


class Listener:
    """A TCP listener on 127.0.0.1 that counts the connections it receives."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        self.hits = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.hits += 1
            conn.close()


@pytest.fixture(scope="module")
def listener() -> Listener:
    return Listener()


def esc(word: str) -> str:
    return "".join(f"\\u{ord(c):04X}" for c in word)


def attacks(url: str) -> dict[str, str]:
    host = url.rsplit("/", 1)[0] + "/"
    return {
        "plain": f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "lowercase": f"select * where {{ service <{url}> {{ ?s ?p ?o }} }}",
        "mixed case": f"SELECT * WHERE {{ sErViCe <{url}> {{ ?s ?p ?o }} }}",
        "silent": f"SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
        "no spaces": f"SELECT*WHERE{{SERVICE<{url}>{{?s ?p ?o}}}}",
        "keywords glued": f"SELECT*WHERE{{SERVICESILENT<{url}>{{?s ?p ?o}}}}",
        "prefixed name": f"PREFIX ex: <{host}> SELECT * WHERE {{ SERVICE ex:sparql {{ ?s ?p ?o }} }}",
        "empty prefix glued": f"PREFIX : <{host}> SELECT*WHERE{{SERVICE:sparql{{?s ?p ?o}}}}",
        "relative IRI + BASE": f"BASE <{host}> SELECT * WHERE {{ SERVICE <sparql> {{ ?s ?p ?o }} }}",
        "variable": f"SELECT * WHERE {{ BIND(<{url}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
        "variable from VALUES": f"SELECT * WHERE {{ SERVICE ?e {{ ?s ?p ?o }} }} VALUES ?e {{ <{url}> }}",
        "in OPTIONAL": f"SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ SERVICE <{url}> {{ ?s ?p ?x }} }} }}",
        "in subquery": f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
        "in EXISTS": f"SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ SERVICE <{url}> {{ ?s ?p ?x }} }} }}",
        "in MINUS": f"SELECT * WHERE {{ ?s ?p ?o MINUS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
        "in UNION": f"SELECT * WHERE {{ {{ ?s ?p ?o }} UNION {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
        "in GRAPH": f"SELECT * WHERE {{ GRAPH ?g {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
        "in LATERAL": f"SELECT * WHERE {{ ?s ?p ?o LATERAL {{ SERVICE <{url}> {{ ?s ?p ?x }} }} }}",
        "after a dot": f"SELECT * WHERE {{ ?s ?p ?o.SERVICE <{url}> {{ ?s ?p ?x }} }}",
        "after FILTER()": f"SELECT * WHERE {{ ?s ?p ?o FILTER(true)SERVICE<{url}>{{ ?s ?p ?x }} }}",
        "comments around": f"SELECT * WHERE {{ #x\nSERVICE#y\n<{url}> {{ ?s ?p ?o }} }}",
        "comment ends with CR": f"SELECT * WHERE {{ ?s ?p ?o #c\rSERVICE <{url}> {{ ?s ?p ?x }} }}",
        "tabs": f"SELECT * WHERE {{ ?s ?p ?o\tSERVICE\t<{url}>\t{{ ?s ?p ?x }} }}",
        "IRI with escape before": f"SELECT * WHERE {{ ?s ?p <http://e/\\u006f> SERVICE<{url}>{{ ?s ?p ?x }} }}",
        "CONSTRUCT": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "ASK": f"ASK {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "DESCRIBE": f"DESCRIBE ?s WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        # spellings the engine does not parse today; refused all the same
        "unicode escape": f"SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
        "all escaped": f"SELECT * WHERE {{ {esc('service')} <{url}> {{ ?s ?p ?o }} }}",
        "long escape": f"SELECT * WHERE {{ \\U00000053ERVICE <{url}> {{ ?s ?p ?o }} }}",
        "after a number": f"SELECT * WHERE {{ ?s ?p 1.SERVICE<{url}>{{ ?s ?p ?x }} }}",
        "after a blank node": f"SELECT * WHERE {{ ?s ?p _:b.SERVICE<{url}>{{ ?s ?p ?x }} }}",
        "after a local name": f"PREFIX ex: <http://e/> SELECT * WHERE {{ ?s ?p ex:o.SERVICE<{url}>{{ ?s ?p ?x }} }}",
        "no-break space": f"SELECT * WHERE {{ ?s ?p ?o\u00a0SERVICE <{url}> {{ ?s ?p ?x }} }}",
        "long s": f"SELECT * WHERE {{ ?s ?p ?o \u017fERVICE <{url}> {{ ?s ?p ?x }} }}",
        "unterminated string": f'SELECT * WHERE {{ ?s ?p "x SERVICE <{url}> {{ ?s ?p ?x }} }}',
    }


BENIGN = {
    "word in a string": 'SELECT * WHERE { ?s ?p "SERVICE <http://127.0.0.1/> { }" }',
    "long string": "SELECT * WHERE { ?s ?p '''a\nSERVICE <http://x/> { ?a ?b ?c }\n''' }",
    "escaped quote": 'SELECT * WHERE { ?s ?p "say \\"service\\" twice" }',
    "in an IRI": "SELECT * WHERE { ?s <http://example.org/service> ?o }",
    "in a comment": "SELECT * WHERE { ?s ?p ?o } # uses no SERVICE at all",
    "variable": "SELECT ?service WHERE { ?service ?p ?o }",
    "dollar variable": "SELECT $service WHERE { $service ?p ?o }",
    "local name": (
        "PREFIX sd: <http://www.w3.org/ns/sparql-service-description#> "
        "SELECT * WHERE { ?s a sd:Service ; sd:serviceArea ?a }"
    ),
    "language tag": 'SELECT * WHERE { ?s ?p "x"@en-service }',
}


@pytest.mark.parametrize("name", sorted(attacks("http://127.0.0.1:1/sparql")))
def test_every_spelling_of_service_is_refused(name: str) -> None:
    text = attacks("http://127.0.0.1:1/sparql")[name]
    with pytest.raises(guard.Refused) as refused:
        guard.check_query(text)
    assert isinstance(refused.value, QueryRefused)  # answered 400 (ccmgraph.web.errors)
    assert "SERVICE" in str(refused.value) and refused.value.line is not None


def test_the_attacks_are_real_and_all_refused(listener: Listener) -> None:
    """Oxigraph, unguarded, calls the URL for the spellings it parses; the guard refuses them all."""
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.NamedNode("http://e/o")))
    fetched = []
    for name, text in attacks(listener.url).items():
        before = listener.hits
        try:
            result = store.query(text, use_default_graph_as_union=True)
            if not isinstance(result, ox.QueryBoolean):
                list(result)
        except (SyntaxError, OSError, RuntimeError, ValueError):
            pass
        time.sleep(0.02)
        if listener.hits > before:
            fetched.append(name)
        with pytest.raises(guard.Refused):
            guard.check_query(text)
    # the engine really is dangerous without the guard: most spellings made it call out
    assert len(fetched) >= 20, fetched
    assert "keywords glued" in fetched and "empty prefix glued" in fetched


@pytest.mark.parametrize("name", sorted(BENIGN))
def test_service_as_data_is_not_refused(name: str) -> None:
    assert guard.check_query(BENIGN[name]).kind == "query"


def test_refusal_gives_the_position() -> None:
    with pytest.raises(guard.Refused) as refused:
        guard.check_query("SELECT * WHERE {\n  ?s ?p ?o .\n  SERVICE <http://x/> { }\n}")
    assert (refused.value.line, refused.value.column) == (3, 3)


@pytest.mark.parametrize(
    "text, kind, form",
    [
        ("SELECT * WHERE { ?s ?p ?o }", "query", "select"),
        ("# a comment\nPREFIX ex: <http://e/>\nBASE <http://b/>\nconstruct where { ?s ?p ?o }", "query", "construct"),
        ("PREFIX : <http://e/> DESCRIBE :x", "query", "describe"),
        ("ASK{}", "query", "ask"),
        ("INSERT DATA { <http://a> <http://b> <http://c> }", "update", None),
        ("PREFIX ex: <http://e/> DELETE WHERE { ?s ?p ?o }", "update", None),
        ("WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "update", None),
        ("CLEAR ALL", "update", None),
        ("nonsense", "unknown", None),
        ("", "unknown", None),
    ],
)
def test_inspect_tells_queries_from_updates(text: str, kind: str, form: str | None) -> None:
    assert guard.inspect(text) == guard.Inspection(kind, form)


@pytest.mark.parametrize(
    "text",
    [
        "LOAD <http://127.0.0.1/data.ttl>",
        "load silent <http://127.0.0.1/data.ttl> into graph <http://g>",
        "LOADSILENT<http://127.0.0.1/data.ttl>",
        "INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1/sparql> { ?s ?p ?o } }",
        "\\u004cOAD <http://127.0.0.1/data.ttl>",
    ],
)
def test_updates_that_fetch_are_refused(text: str) -> None:
    with pytest.raises(guard.Refused):
        guard.check_update(text)


def test_ordinary_updates_pass() -> None:
    guard.check_update('INSERT DATA { <http://a> <http://b> "load the service" }')
    guard.check_update("DELETE WHERE { ?s <http://e/download> ?o }")


# ----------------------------------------------------------------------------------------
# property tests: generated spellings and positions


def _case(word: str, flips: list[bool]) -> str:
    return "".join(c.upper() if f else c.lower() for c, f in zip(word, flips, strict=True))


separators = st.sampled_from(["", " ", "\n", "\t", "\r\n", " #c\n", "#\n", "  "])
endpoints = st.sampled_from(["<http://127.0.0.1:9/sparql>", "?ep", "$ep", "ex:ep", ":ep", "<sparql>"])
wrappers = st.sampled_from(
    [
        "SELECT * WHERE {{ {0} }}",
        "SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ {0} }} }}",
        "SELECT * WHERE {{ {{ SELECT * WHERE {{ {0} }} }} }}",
        "ASK {{ FILTER NOT EXISTS {{ {0} }} }}",
        "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ {0} }} }}",
        "SELECT * WHERE {{ ?s ?p ?o .{0} }}",
        "PREFIX ex: <http://127.0.0.1:9/> SELECT * WHERE {{ {{ }} UNION {{ {0} }} }}",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    flips=st.lists(st.booleans(), min_size=7, max_size=7),
    silent=st.booleans(),
    silent_flips=st.lists(st.booleans(), min_size=6, max_size=6),
    sep1=separators,
    sep2=separators,
    sep3=separators,
    endpoint=endpoints,
    wrapper=wrappers,
    escape_at=st.one_of(st.none(), st.integers(0, 6)),
)
def test_generated_service_clauses_are_refused(
    flips, silent, silent_flips, sep1, sep2, sep3, endpoint, wrapper, escape_at
) -> None:
    keyword = _case("service", flips)
    if escape_at is not None:
        keyword = keyword[:escape_at] + f"\\u{ord(keyword[escape_at]):04x}" + keyword[escape_at + 1 :]
    silent_word = _case("silent", silent_flips) + sep2 if silent else ""
    clause = keyword + sep1 + silent_word + endpoint + sep3 + "{ ?s ?p ?o }"
    with pytest.raises(guard.Refused):
        guard.check_query(wrapper.format(clause))


@settings(max_examples=300, deadline=None)
@given(
    inside=st.text(
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters='"\\\n\r'), max_size=40
    ).map(lambda t: t + " SERVICE <http://127.0.0.1/> {}")
)
def test_service_inside_strings_is_data(inside: str) -> None:
    text = f'SELECT * WHERE {{ ?s ?p "{inside}" }}'
    assert guard.check_query(text).form == "select"


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=200))
def test_the_guard_never_crashes(text: str) -> None:
    try:
        guard.check_query(text)
        guard.check_update(text)
    except (guard.Refused, QuerySyntaxError) as refused:
        assert 400 <= status_of(refused) < 500
