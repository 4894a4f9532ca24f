"""ccmgraph.formats: the one table of media types and the one negotiation, and the
interfaces that use it (linked data, the analyst API, error answers)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from ccmgraph import formats
from ccmgraph.errors import NotAcceptable
from ccmgraph.formats import CSV, GRAPHS, HTML, JSON, JSON_LD, N_TRIPLES, RDF_XML, RESOURCE_PAGES, TABLES, TURTLE
from ccmgraph.web.app import create_app

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize(
    "accept, expected",
    [
        (None, TURTLE),  # no preference: the family's first
        ("*/*", TURTLE),
        ("application/ld+json;q=0.5, text/turtle;q=0.4", JSON_LD),  # q-values, not the order of the header
        ("text/turtle;q=0.4, application/ld+json;q=0.5", JSON_LD),
        ("application/json", JSON_LD),  # an alias
        ("application/xml", RDF_XML),
        ("text/plain", N_TRIPLES),
        ("text/*;q=0.9, application/rdf+xml;q=0.2", TURTLE),  # a type's own name before an alias (text/plain)
        ("application/*", RDF_XML),
        ("*/*;q=0.1, application/n-triples", N_TRIPLES),
        (BROWSER, HTML),
        ("text/html;q=0, */*", TURTLE),  # q=0: not acceptable, even when */* would allow it
        ("garbage;;, application/ld+json", JSON_LD),  # a malformed range is ignored
    ],
)
def test_accept_with_q_values(accept: str | None, expected: formats.Format) -> None:
    assert formats.negotiate(RESOURCE_PAGES, accept) is expected


def test_suffix_then_name_then_accept() -> None:
    assert formats.negotiate(RESOURCE_PAGES, "text/turtle", suffix="jsonld") is JSON_LD
    assert formats.negotiate(RESOURCE_PAGES, "text/turtle", name="nt") is N_TRIPLES
    assert formats.negotiate(RESOURCE_PAGES, "text/turtle", name="application/rdf+xml") is RDF_XML
    assert formats.negotiate(TABLES, "application/json", name="CSV") is CSV


def test_nothing_acceptable_is_406_listing_what_is() -> None:
    with pytest.raises(NotAcceptable) as unknown:
        formats.negotiate(RESOURCE_PAGES, name="yaml")
    assert "text/turtle" in str(unknown.value) and "jsonld" in str(unknown.value)
    with pytest.raises(NotAcceptable, match=r"image/png.*application/ld\+json"):
        formats.negotiate(RESOURCE_PAGES, "image/png")
    with pytest.raises(NotAcceptable, match=r"no format \.csv"):
        formats.negotiate(RESOURCE_PAGES, suffix="csv")
    assert formats.negotiate(TABLES, "image/png", otherwise=JSON) is JSON  # an interface's habit
    with pytest.raises(NotAcceptable):  # a name is never overridden by the habit
        formats.negotiate(TABLES, None, name="yaml", otherwise=JSON)


def test_the_sparql_choice_negotiates_both_families() -> None:
    choice = formats.sparql_choice("text/csv;q=0.5, text/turtle")
    assert choice.results == "text/csv" and choice.graph == "text/turtle"
    assert formats.sparql_choice(None, "json") == formats.Choice(
        "application/sparql-results+json", "application/ld+json"
    )
    assert formats.sparql_choice(None, "csv").graph is None
    with pytest.raises(NotAcceptable, match="format 'yaml'"):
        formats.sparql_choice(None, "yaml")


def test_the_table_knows_every_format_once() -> None:
    media = [f.media_type for f in formats.ALL]
    assert len(media) == len(set(media))
    assert all(f.oxigraph is not None and f.w3c for f in (*formats.RESULTS, *GRAPHS))
    assert formats.by_suffix(".nq") is formats.N_QUADS and formats.by_suffix("xyz") is None
    assert TURTLE.content_type == "text/turtle; charset=utf-8" and JSON_LD.content_type == "application/ld+json"


# -- the interfaces use it --------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(store):
    with TestClient(create_app(store)) as c:
        yield c


def test_linked_data_follows_q_values(client) -> None:
    page = client.get("/id/lap-action/10", headers={"Accept": "text/turtle;q=0.5, application/ld+json"})
    assert page.headers["content-type"].startswith("application/ld+json")
    refused = client.get("/id/lap-action/10", headers={"Accept": "image/png"})
    assert refused.status_code == 406 and "text/turtle" in refused.text


def test_analyst_csv_by_q_values_format_and_suffix(client) -> None:
    # the first Accept item is not the preferred one: q-values decide
    by_q = client.get("/api/lap-actions", headers={"Accept": "application/json;q=0.5, text/csv"})
    assert by_q.headers["content-type"].startswith("text/csv")
    not_first = client.get("/api/lap-actions", headers={"Accept": "text/csv;q=0.1, application/json"})
    assert not_first.headers["content-type"].startswith("application/json")
    by_name = client.get("/api/lap-actions", params={"format": "csv"})
    assert by_name.headers["content-type"].startswith("text/csv")
    assert by_name.text.splitlines()[0].startswith("number,")
    by_suffix = client.get("/api/queries/workplans-overview.csv")
    assert by_suffix.headers["content-type"].startswith("text/csv")
    browser = client.get("/api/lap-actions", headers={"Accept": BROWSER})
    assert browser.headers["content-type"].startswith("application/json")


def test_downloads_page_or_json(client) -> None:
    assert client.get("/downloads", headers={"Accept": BROWSER}).headers["content-type"].startswith("text/html")
    assert client.get("/downloads").headers["content-type"].startswith("application/json")


@pytest.mark.parametrize(
    "path, accept, expected",
    [
        ("/sparql?query=SELECT", None, "text/plain"),
        ("/sparql?query=SELECT", BROWSER, "text/html"),
        ("/api/lap-actions/99", None, "application/json"),
        ("/api/lap-actions/99", BROWSER, "text/html"),
        ("/api/lap-actions/99", "text/plain", "text/plain"),
        ("/id/nothing-here", BROWSER, "text/html"),
        ("/id/nothing-here", "application/json", "application/json"),
    ],
)
def test_errors_answer_in_the_format_asked_for(client, path: str, accept: str | None, expected: str) -> None:
    response = client.get(path, headers={"Accept": accept} if accept else {})
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"].split(";")[0] == expected
