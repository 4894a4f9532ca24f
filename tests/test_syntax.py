"""ccmgraph.sparql.syntax: predeclared prefixes, parse errors worded for people, nesting limit."""

from __future__ import annotations

import pytest

from ccmgraph.errors import QuerySyntaxError
from ccmgraph.sparql import syntax

CCM = "https://w3id.org/ccmgraph/ontology#"


def test_predeclared_prefixes_are_the_query_pages(store) -> None:
    assert syntax.PREDECLARED["ccm"] == CCM and syntax.PREDECLARED["rdfs"].endswith("rdf-schema#")
    # the README's first example, without a single PREFIX line
    rows = store.select("SELECT ?a ?label WHERE { ?a a ccm:Activity ; rdfs:label ?label }")
    assert len(rows) > 20 and all(r["a"].startswith("https://w3id.org/ccmgraph/id/workplan/") for r in rows)


def test_a_prefix_the_query_declares_wins(store) -> None:
    rows = store.select("PREFIX ccm: <http://example.org/mine#> SELECT (ccm:x AS ?x) WHERE {}")
    assert rows == [{"x": "http://example.org/mine#x"}]


def test_declare_prefixes_adds_only_the_missing_on_the_first_line() -> None:
    text = "PREFIX ccm: <http://example.org/mine#>\nSELECT * WHERE { ?s a ccm:X }"
    declared = syntax.declare_prefixes(text)
    assert declared.endswith(text) and "\n" not in declared[: -len(text)]
    assert "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>" in declared
    assert declared.count("PREFIX ccm:") == 1


def test_undeclared_known_prefix_says_which_line_to_add(store) -> None:
    with pytest.raises(QuerySyntaxError) as error:
        store.select("SELECT * WHERE {\n  ?d a void:Dataset }")
    message = error.value.message
    assert message.startswith("Malformed query, line 2, column 8: the prefix void: is not declared")
    assert "PREFIX void: <http://rdfs.org/ns/void#>" in message
    assert "    2 |   ?d a void:Dataset }\n      |        ^" in message


def test_undeclared_unknown_prefix_says_to_declare_it(store) -> None:
    with pytest.raises(QuerySyntaxError, match=r"the prefix foo: is not declared.*PREFIX foo: <"):
        store.select("SELECT * WHERE { ?s a foo:Bar }")


def test_other_errors_name_line_column_and_what_was_expected() -> None:
    text = "SELECT * WHERE { ?s ?p ?o } LIMIT x"
    message = syntax.explain(text, "error at 1:35: expected one of HAVING, OFFSET, ['0'..='9']")
    assert message.startswith("Malformed query, line 1, column 35: unexpected 'x'; expected HAVING or OFFSET.")
    assert "[" not in message.split("\n")[0]  # no character classes of the parser's grammar
    assert message.endswith("^")
    # the parser counts bytes, people count characters
    assert "column 5" in syntax.explain('"é" }', "error at 1:6: expected OPTIONAL")


def test_deep_nesting_is_refused_before_the_parser_overflows(store) -> None:
    deep = "SELECT * WHERE " + "{" * 5000 + "?s ?p ?o" + "}" * 5000
    with pytest.raises(QuerySyntaxError, match="nested too deeply"):
        store.select(deep)
    syntax.check_nesting("SELECT * WHERE " + "{" * 100 + "?s ?p ?o" + "}" * 100)
    syntax.check_nesting('SELECT * WHERE { ?s ?p "' + "{" * 5000 + '" }')  # inside a string: not nesting


def test_declare_prefixes_goes_after_a_leading_base() -> None:
    # Virtuoso refuses a PREFIX before BASE; the line numbers stay the user's
    text = "BASE <http://example.org/>\nSELECT * WHERE { ?s a ccm:X }"
    declared = syntax.declare_prefixes(text)
    assert declared.startswith("BASE <http://example.org/> PREFIX ") and declared.count("\n") == 1
    assert declared.endswith("\nSELECT * WHERE { ?s a ccm:X }")
