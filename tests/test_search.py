"""Full-text search: the FTS5 index the build writes into dist/, read by /api/search (same answer
shape as before: total, limit, offset, items with resource, label, type, rank; plus snippets)."""

from __future__ import annotations

import sqlite3

import pytest
from fastapi.testclient import TestClient

from ccmgraph import search_index
from ccmgraph.web.app import create_app


@pytest.fixture(scope="module")
def client(store, dist) -> TestClient:
    app = create_app(store=store)
    app.state.dist = dist
    return TestClient(app)


def test_the_build_writes_the_index(dist):
    with sqlite3.connect(dist / search_index.FILE) as db:
        n = db.execute("SELECT count(*) FROM docs").fetchone()[0]
        row = db.execute(
            "SELECT label, quotes, notes FROM docs WHERE resource = ?",
            ("https://w3id.org/ccmgraph/id/workplan/gso-2024-2025/activity/2c",),
        ).fetchone()
    assert n > 500
    label, quotes, notes = row
    assert label == "Work with the IPU and parliamentarians on the norms of the CCM"
    # gso-workplan-2024-2025.txt: "c) work with IPU and dedicated parliamentarians on the promotion ..."
    assert "c) work with IPU and dedicated parliamentarians" in quotes
    assert notes.count("matches the unlabelled second paragraph of objective 2a") == 1  # notes once


def test_several_words_all_match_ranked_with_snippets(client):
    r = client.get("/api/search", params={"q": "gender UNIDIR"})
    assert r.status_code == 200
    page = r.json()
    assert set(page) == {"total", "limit", "offset", "items"}
    assert 5 <= page["total"] <= 60
    first = page["items"][0]
    assert set(first) >= {"resource", "label", "type", "rank", "snippet"}
    # organizations.ttl / gso-workplan-2024-2025.txt: "UNIDIR Gender and Disarmament Research Programme"
    assert first["label"] == "UNIDIR Gender and Disarmament Research Programme"
    ranks = [i["rank"] for i in page["items"]]
    assert ranks == sorted(ranks, reverse=True)
    for item in page["items"][:5]:
        assert "<mark>" in item["snippet"]


def test_word_beginnings_match(client):
    # gso-workplan-2025-2026: "Facilitate communication to encourage strengthened partnerships among States"
    labels = " ".join(i["snippet"] for i in client.get("/api/search", params={"q": "partner"}).json()["items"])
    assert "<mark>partnerships</mark>" in labels


def test_a_common_word_alone_finds_nothing(client):
    for q in ("a", "the", "of and"):
        assert client.get("/api/search", params={"q": q}).json()["total"] == 0


def test_the_name_ranks_first(client):
    items = client.get("/api/search", params={"q": "Germany"}).json()["items"]
    assert items[0]["resource"] == "https://w3id.org/ccmgraph/id/state/DEU"


def test_paging_and_csv(client):
    full = client.get("/api/search", params={"q": "gender", "limit": 1000}).json()
    second = client.get("/api/search", params={"q": "gender", "limit": 10, "offset": 10}).json()
    assert second["total"] == full["total"] and second["items"] == full["items"][10:20]
    csv = client.get("/api/search.csv", params={"q": "gender UNIDIR", "limit": 3})
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0] == "resource,label,type,rank,snippet" and len(csv.text.splitlines()) == 4


def test_syntax_of_the_index_cannot_be_injected(client):
    for q in ('"', "gender OR", "NEAR(", "*", "label:gender", "-"):
        r = client.get("/api/search", params={"q": q})
        assert r.status_code == 200, q


def test_without_an_index_the_sparql_view_answers(store, tmp_path):
    app = create_app(store=store)
    app.state.dist = tmp_path  # a server over a remote store has no dist/
    page = TestClient(app).get("/api/search", params={"q": "UNIDIR"}).json()
    assert page["total"] > 0 and page["items"][0]["resource"] == "https://w3id.org/ccmgraph/id/org/unidir"


def test_search_page_says_rdf_terms_in_words(client):
    """A curator's note in data/workplans/gso-concept-note-2023-2024.ttl writes "with Germany as funder
    (ccm:funder, not a ...)": the search page shows the term in words, the API keeps the note's text."""
    api = client.get("/api/search", params={"q": "funder germany"}).json()["items"]
    assert any("ccm:" in h["snippet"] for h in api)
    page = client.get("/search", params={"q": "funder germany"}).text
    hits = page[page.index('<ol class="hits"') :]
    assert "ccm:" not in hits and "(<mark>funder</mark>, not a" in hits
    assert '<a href="/reports/lap-review">' in page and '<a href="/">Home</a>' in page  # the way back
