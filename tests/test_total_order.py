"""Every list in every answer has one order, the same on every engine.

SPARQL gives a result the order of its ORDER BY and leaves ties, and the parts of a GROUP_CONCAT,
to the engine; Virtuoso also compares long literals by their first characters only (so two
notes that start alike come in storage order). So every query the project runs (queries/,
views/, service/) orders by every variable it projects, a string by ``STR()``; lists that SPARQL
cannot order (a GROUP_CONCAT, a plan's coordinators) are put in order in Python. The answers over
the real Virtuoso and Oxigraph servers are compared byte for byte in tests/test_remote_serve.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ccmgraph import catalog, formats, paths
from ccmgraph.analysis import service
from ccmgraph.store import EmbeddedStore, bind_parameters
from ccmgraph.web.app import create_app

ID = "https://w3id.org/ccmgraph/id/"
# queries whose answer is no list: a graph (DESCRIBE-like CONSTRUCT), one row of totals, the
# search index's input (read whole by the build, never shown in order)
UNORDERED = {"describe": "a graph", "void-totals": "one row", "search-documents": "the build's index input"}
# queries whose rows a few variables identify (Virtuoso sorts by 20 keys at most): they order by
# those, and the answer shows them unique, so the order is total all the same
KEYED = {
    "lap-review-actions": ("n", "workplan", "element", "linkBasis"),
    "lap-review-links": ("n", "workplan", "element", "linkBasis", "evidence"),
}
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def every_query() -> list[catalog.NamedQuery]:
    files = [*paths.QUERIES.glob("*.rq"), *paths.VIEWS.glob("*.rq"), *(paths.QUERIES / "service").glob("*.rq")]
    return [catalog.read_query(f) for f in sorted(files)]


def projected(sparql: str) -> list[str]:
    """The variables of the outermost SELECT clause, but those it computes (``(... AS ?v)``): a
    function of the others or of the group, they need no key of their own (and Virtuoso refuses
    an ORDER BY expression over an aggregate's alias)."""
    body = re.sub(r"#[^\n]*", "", sparql)
    clause = re.search(r"\bSELECT\b(.*?)\bWHERE\b", body, re.S | re.I)
    assert clause, "no SELECT ... WHERE"
    names, depth = [], 0
    for char in clause[1]:
        depth += char == "("
        names.append(" " if depth else char)
        depth -= char == ")"
    return re.findall(r"\?(\w+)", "".join(names))


def order_keys(sparql: str) -> str:
    body = re.sub(r"#[^\n]*", "", sparql)
    found = re.findall(r"\bORDER BY\b(.*?)(?:\bLIMIT\b|\bOFFSET\b|$)", body, re.S | re.I)
    return found[-1] if found else ""


@pytest.mark.parametrize("q", every_query(), ids=lambda q: str(q.path.relative_to(paths.QUERIES)))
def test_every_query_orders_by_every_variable_it_projects(q: catalog.NamedQuery, store: EmbeddedStore) -> None:
    if q.name in UNORDERED:
        return
    keys = order_keys(q.sparql)
    identifying = KEYED.get(q.name, projected(q.sparql))
    missing = [v for v in identifying if not re.search(rf"\?{v}\b", keys)]
    assert not missing, f"{q.path.name}: ORDER BY leaves ties between rows differing in {missing}"
    # a string compared bare is compared by its first characters only on Virtuoso: STR() it
    text = bind_parameters(q.sparql, q.bindings({p.name: p.example for p in q.parameters}))
    answer = json.loads(store.query(text, formats.SPARQL_JSON.media_type).body)
    if q.name in KEYED:
        rows = answer["results"]["bindings"]
        assert rows and len({tuple(str(r.get(v)) for v in identifying) for r in rows}) == len(rows), q.name
    strings = {
        var
        for row in answer["results"]["bindings"]
        for var, cell in row.items()
        if cell["type"] == "literal" and cell.get("datatype", XSD_STRING) in (XSD_STRING, RDF_LANG_STRING)
    }
    bare = [v for v in sorted(strings) if re.search(rf"(?<!STR\()\?{v}\b", keys)]
    assert not bare, f"{q.path.name}: ORDER BY compares strings {bare} without STR()"


def test_the_projection_reader_reads_aliases_and_order_keys() -> None:
    sparql = 'SELECT ?a (COUNT(DISTINCT ?x) AS ?n) (GROUP_CONCAT(?y; separator=" ") AS ?ys) WHERE { } ORDER BY ?a'
    assert projected(sparql) == ["a"]
    assert order_keys(sparql + " DESC(?n) STR(?ys) LIMIT 5").split() == ["?a", "DESC(?n)", "STR(?ys)"]


def test_coordinators_in_the_order_the_documents_name_them(store: EmbeddedStore) -> None:
    coordinated = service.coordinators(store)
    # gso-workplan-2024-2025.txt: "Coordinators:  Germany and Austria"
    assert coordinated[ID + "workplan/gso-2024-2025"] == ["Germany", "Austria"]
    # gso-workplan-2025-2026.txt: "Austria and Cameroon"
    assert coordinated[ID + "workplan/gso-2025-2026"] == ["Austria", "Cameroon"]
    # universalization-workplan-2024-2025.txt: "### **Peru and Norway**"
    assert coordinated[ID + "workplan/universalization-2024-2025"] == ["Peru", "Norway"]
    # gso-concept-note-2023-2024.txt: "Belgium and Germany as the CCM Gender Focal Points."
    assert coordinated[ID + "workplan/gso-2023-2024"] == ["Belgium", "Germany"]
    plan = service.workplan(store, "gso-2024-2025")
    assert plan.coordinators == ["Germany", "Austria"]
    detail = service.lap_action(store, 10, workplan="gso-2024-2025")
    assert detail.elements and {tuple(e.coordinators) for e in detail.elements} == {("Germany", "Austria")}


def test_named_query_rows_name_coordinators_in_document_order(store: EmbeddedStore) -> None:
    rows = service.run_named_query(store, "coordinators-per-workplan", {})
    uni = [r["iso3"] for r in rows if r["workplan"] == ID + "workplan/universalization-2024-2025"]
    # "### **Peru and Norway**" (the heading) and "Peru and Norway Coordinators on Universalization;"
    assert uni == ["PER", "NOR", "PER", "NOR"]


def test_group_concat_parts_in_one_order(store: EmbeddedStore) -> None:
    rows = service.run_named_query(store, "actions-by-section", {"basis": "workplan"})
    # the bases counted, strongest first, as the API's countedBases
    assert {r["countedBases"] for r in rows} == {"stated objective workplan"}
    rows = service.run_named_query(store, "partners-in-several-workplans", {})
    for r in rows:
        for column in ("workplanLabels", "namedAs"):
            parts = r[column].split(" | ")
            assert parts == sorted(parts), (r["partner"], column)


def test_api_answers_carry_an_etag_of_their_bytes(store: EmbeddedStore, dist: Path) -> None:
    client = TestClient(create_app(store=store, dist=dist))
    first = client.get("/api/workplans")
    etag = first.headers["etag"]
    again = client.get("/api/workplans")
    assert again.headers["etag"] == etag and again.content == first.content
    assert client.get("/api/workplans?format=csv").headers["etag"] != etag
    cached = client.get("/api/workplans", headers={"If-None-Match": etag})
    assert cached.status_code == 304 and cached.content == b"" and cached.headers["etag"] == etag
    assert client.get("/api/workplans", headers={"If-None-Match": '"other"'}).status_code == 200
    missing = client.get("/api/workplans/no-such-plan")
    assert missing.status_code == 404 and "etag" not in missing.headers
