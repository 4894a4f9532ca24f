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
