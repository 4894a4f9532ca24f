import re

import pytest

from ccmgraph import catalog
from ccmgraph.analysis import service


def write(tmp_path, text):
    path = tmp_path / "q.rq"
    path.write_text(text)
    return path


def test_header_and_parameters(tmp_path):
    q = catalog.read_query(
        write(
            tmp_path,
            "# title: T\n# description: first\n#   second\n# param: action integer 10 -- LAP action\nSELECT * {}\n",
        )
    )
    assert (q.title, q.description) == ("T", "first second")
    assert q.parameters[0].name == "action" and q.parameters[0].example == "10"
    assert str(q.bindings({"action": "7"})["action"].value) == "7"


def test_wrong_type_names_the_parameter(tmp_path):
    q = catalog.read_query(write(tmp_path, "# title: T\n# description: d\n# param: action integer 10\nSELECT * {}\n"))
    with pytest.raises(catalog.ParameterError, match="'action'"):
        q.bindings({"action": "ten"})
    with pytest.raises(catalog.ParameterError, match="required"):
        q.bindings({})


def test_malformed_header_names_file_and_line(tmp_path):
    with pytest.raises(catalog.CatalogError, match=r"q.rq:3"):
        catalog.read_query(write(tmp_path, "# title: T\n# description: d\n# param: x float 1\nSELECT * {}\n"))


def test_every_query_in_the_catalog_parses_and_runs(store):
    queries = catalog.load()
    for q in queries.values():
        rows = store.select(q.sparql, q.bindings({p.name: p.example for p in q.parameters}))
        assert isinstance(rows, list), q.name


def test_parameter_with_a_default(tmp_path):
    q = catalog.read_query(
        write(
            tmp_path,
            "# title: T\n# description: d\n# param: match (containment|overlap)=containment -- how\nSELECT * {}\n",
        )
    )
    [p] = q.parameters
    assert (p.required, p.default, p.example) == (False, "containment", "containment")
    assert str(q.bindings({})["match"].value) == "containment"
    assert str(q.bindings({"match": "overlap"})["match"].value) == "overlap"
    with pytest.raises(catalog.CatalogError, match=r"q.rq:3"):  # a default outside the values
        catalog.read_query(write(tmp_path, "# title: T\n# description: d\n# param: match (a|b)=c\nSELECT * {}\n"))


def test_every_named_query_unordered_answers_the_same_rows_without_its_order_by(store):
    """NamedQuery.text(ordered=False) (what the LAP review asks when it sorts the rows itself): the
    query's closing ORDER BY gone, a subquery's kept, the same rows."""
    for q in catalog.load().values():
        values = q.bindings({p.name: p.example for p in q.parameters})
        unordered = q.text(ordered=False)
        assert "\nORDER BY" in q.sparql, q.name
        assert "\nORDER BY" not in unordered and unordered.count("ORDER BY") == q.sparql.count("ORDER BY") - 1
        assert sorted(map(repr, store.select(unordered, values))) == sorted(map(repr, store.select(q.sparql, values)))


def test_unordered_keeps_an_order_by_a_limit_or_offset_needs(tmp_path):
    text = "# title: T\n# description: d\nSELECT ?s { ?s ?p ?o }\nORDER BY ?s\n  ?p\n"
    assert catalog.read_query(write(tmp_path, text)).text(ordered=False) == "SELECT ?s { ?s ?p ?o }\n"
    for tail in ("LIMIT 3", "OFFSET 1"):
        q = catalog.read_query(write(tmp_path, text + tail + "\n"))
        assert q.text(ordered=False) == q.sparql


def test_every_named_query_of_all_rows_narrowed_answers_its_rows_with_the_columns_asked(store):
    """NamedQuery.text(columns=...) (what the LAP review asks of lap-review-actions): each row the
    same, in the order of the query's ORDER BY, with only the columns asked (every second one, the
    others, the last: a variable's or an expression's). Refused: a query of DISTINCT rows, which
    fewer columns would merge, and leaving out an aggregate its ORDER BY sorts by."""
    narrowed = 0
    for q in catalog.load().values():
        values = {p.name: p.example for p in q.parameters}
        rows = service.run_named_query(store, q.name, values)
        columns = list(rows[0]) if rows else ["n"]  # as the engine names them
        if re.search(r"^SELECT\s+DISTINCT\b", q.sparql, re.M):
            with pytest.raises(ValueError, match="DISTINCT"):
                q.text(columns=columns[:1])
            continue
        assert rows, q.name  # each example answers something
        for chosen in (columns[::2], columns[1::2], columns[-1:]):
            try:
                answer = service.run_named_query(store, q.name, values, columns=chosen)
            except ValueError as exc:
                [left_out] = re.findall(r"reads \?(\w+) after", str(exc))
                order_by = q.sparql[q.sparql.rindex("\nORDER BY") :]
                assert left_out not in chosen and f"?{left_out}" in order_by, q.name
                assert f"AS ?{left_out})" in q.sparql, q.name
                continue
            assert answer == [{c: r[c] for c in chosen} for r in rows], q.name
            narrowed += 1
    assert narrowed >= 20  # lap-review-actions among them


def test_a_column_the_query_does_not_select_is_named_in_the_error(tmp_path):
    q = catalog.read_query(
        write(tmp_path, "# title: T\n# description: d\nSELECT ?s (COUNT(?o) AS ?n) { ?s ?p ?o } GROUP BY ?s\n")
    )
    assert q.text(columns=["n"]) == "SELECT (COUNT(?o) AS ?n) { ?s ?p ?o } GROUP BY ?s\n"
    with pytest.raises(ValueError, match=r"does not select o \(it selects s, n\)"):
        q.text(columns=["o"])
