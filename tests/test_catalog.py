import pytest

from ccmgraph import catalog


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
    """NamedQuery.unordered (what the LAP review asks when it sorts the rows itself): the query's
    closing ORDER BY gone, a subquery's kept, the same rows."""
    for q in catalog.load().values():
        values = q.bindings({p.name: p.example for p in q.parameters})
        assert "\nORDER BY" in q.sparql, q.name
        assert "\nORDER BY" not in q.unordered and q.unordered.count("ORDER BY") == q.sparql.count("ORDER BY") - 1
        ordered, unordered = store.select(q.sparql, values), store.select(q.unordered, values)
        assert sorted(map(repr, unordered)) == sorted(map(repr, ordered)), q.name


def test_unordered_keeps_an_order_by_a_limit_or_offset_needs(tmp_path):
    text = "# title: T\n# description: d\nSELECT ?s { ?s ?p ?o }\nORDER BY ?s\n  ?p\n"
    assert catalog.read_query(write(tmp_path, text)).unordered == "SELECT ?s { ?s ?p ?o }\n"
    for tail in ("LIMIT 3", "OFFSET 1"):
        q = catalog.read_query(write(tmp_path, text + tail + "\n"))
        assert q.unordered == q.sparql
