"""Answers that name their release (issue 18: "every answer (/sparql, /api, pages, dumps) names the
version it came from in a header; ... every page has a "cite this" block (title, version, date,
permanent link) and the query page gives a permanent link to a query pinned to the release it ran
on"), over every GET route of the app."""

from __future__ import annotations

import gzip
import hashlib
import html
import re

import pytest
from fastapi.testclient import TestClient

from ccmgraph import release_history
from ccmgraph.web.app import create_app
from ccmgraph.web.citation import HEADER

# an example of each route with a path parameter (a new route must add one here)
EXAMPLES = {
    "/api/queries/{name}": "/api/queries/coordinators-per-workplan",
    "/api/lap-actions/{n}": "/api/lap-actions/10",
    "/api/workplans/{id}": "/api/workplans/gso-2024-2025",
    "/api/states/{iso3}": "/api/states/DEU",
    "/api/partners/{id}": "/api/partners/unidir",
    "/dataset/releases/{version}": "/dataset/releases/{served}",
    "/dataset/releases/{version}/ccmgraph.nq.gz": "/dataset/releases/{kept}/ccmgraph.nq.gz",
    "/id/{path}": "/id/lap-action/10",
    "/downloads/{name}": "/downloads/ccmgraph.nq",
    "/review/{stem}": "/review/gso-workplan-2024-2025",
}
# answers outside the OpenAPI document: hidden routes, the static mount, errors
OTHERS = [
    "/",
    "/ontology.ttl",
    "/id/lap-action/10.jsonld",
    "/static/site.css",
    "/favicon.ico",
    "/docs",
    "/openapi.json",
    "/no-such-page",
    "/id/no-such/resource",
    "/api/lap-actions/10?no-such-parameter=1",
    "/sparql?query=SELECT",
]
NOT_OURS = {"/docs"}  # Swagger UI's page, not one of the site's templates


@pytest.fixture(scope="module")
def client(store, dist) -> TestClient:
    return TestClient(create_app(store=store, dist=dist))


@pytest.fixture(scope="module")
def paths(client, store) -> list[str]:
    """Every GET route of the app, its parameters filled in, and the answers outside the OpenAPI."""
    kept = release_history.history()[-1].version
    out = []
    for template, operations in client.app.openapi()["paths"].items():
        if "get" not in operations:
            continue
        if "{" in template:
            assert template in EXAMPLES, f"no example of {template} in EXAMPLES"
            out.append(EXAMPLES[template].format(served=store.version, kept=kept))
        else:
            out.append(template)
    return out + OTHERS


def test_every_answer_names_its_release(client, store, paths):
    assert len(paths) > 40
    for path in paths:
        for accept in ("text/html", "application/json", "*/*"):
            r = client.get(path, headers={"Accept": accept})
            assert r.status_code < 500, (path, r.status_code)
            assert r.headers[HEADER] == store.version, (path, accept)
            assert f'</dataset/releases/{store.version}>; rel="version-history"' in r.headers["link"], path
    for method, kwargs in (("POST", {"data": {"query": "ASK {}"}}), ("HEAD", {}), ("OPTIONS", {})):
        r = client.request(method, "/sparql", **kwargs)
        assert r.headers[HEADER] == store.version, method


def test_the_release_an_answer_names_is_listed_with_its_checksums(client, store, dist):
    r = client.get(f"/dataset/releases/{store.version}").json()
    manifest = client.get("/downloads").json()
    assert r["version"] == store.version and r["served"] is True
    assert r["files"] == {f["name"]: f["sha256"] for f in manifest}
    assert r["triples"] == release_history.built(dist).triples and r["total"] == sum(r["triples"].values())
    assert r["changes"] is not None and set(r["changes"]) >= set(r["triples"])
    listed = client.get("/dataset/releases").json()
    assert listed[0]["version"] == store.version  # newest first
    assert [x["version"] for x in reversed(listed)][: len(release_history.history())] == [
        x.version for x in release_history.history()
    ]
    assert client.get("/dataset/releases/0123456789abcdef").status_code == 404
    page = client.get("/dataset", headers={"Accept": "text/html"}).text
    assert f'<a href="/dataset/releases/{store.version}"><code>{store.version}</code></a>' in page
    turtle = client.get("/dataset", headers={"Accept": "text/turtle"}).text
    assert f'dcat:version "{store.version}"' in turtle and "dcat:hasVersion" in turtle


def test_the_kept_dump_is_the_latest_releases(client):
    latest = release_history.history()[-1]
    r = client.get(f"/dataset/releases/{latest.version}/ccmgraph.nq.gz")
    assert r.status_code == 200 and r.headers["content-type"] == "application/gzip"
    assert hashlib.sha256(gzip.decompress(r.content)).hexdigest() == latest.files["ccmgraph.nq"]
    assert client.get("/dataset/releases/..%2F..%2Fsecret/ccmgraph.nq.gz").status_code == 404


def _cite(page: str) -> str:
    found = re.search(r'<footer class="cite" id="cite">(.*?)</footer>', page, re.S)
    assert found, "no cite block"
    return html.unescape(found.group(1))


def test_every_page_has_a_cite_this_block(client, store, dist, paths):
    release = release_history.built(dist)
    pages = 0
    for path in paths:
        r = client.get(path, headers={"Accept": "text/html"})
        if not r.headers.get("content-type", "").startswith("text/html") or path in NOT_OURS:
            continue
        pages += 1
        cite = _cite(r.text)
        title = re.search(r"<title>(.*?)(?: · ccmgraph)?</title>", r.text, re.S)
        assert title and html.unescape(title.group(1)).strip() in cite, path
        assert store.version in cite and release.date in cite, path
        if r.url.path.startswith("/id/"):
            assert f"https://w3id.org/ccmgraph{r.url.path}" in cite, path  # the resource's own IRI
        else:
            assert f"http://testserver{r.url.path}" in cite, path  # the page answered (after redirects)
    assert pages > 15


def test_the_query_page_pins_a_query_to_its_release(client, store):
    query = "ASK { ?s ?p ?o }"
    page = client.get("/query", params={"query": query}).text
    link = html.unescape(re.search(r'class="permalink" href="([^"]*)"', page).group(1))
    assert link.startswith("http://testserver/query?") and f"release={store.version}" in link
    same = client.get(link.removeprefix("http://testserver")).text
    assert "the release served here" in same and "may differ" not in same
    other = client.get("/query", params={"query": query, "release": "0123456789abcdef"}).text
    assert "which this server does not know" in other
    assert f'serves release <a href="/dataset/releases/{store.version}">' in other and "may differ" in other
    assert f"{query}</textarea>" in html.unescape(other)


@pytest.mark.slow
def test_over_a_remote_store_the_answers_name_the_same_release(store, dist):
    """Published into Oxigraph server, the graph is the same release: the same header and citation."""
    from _remote_engines import require
    from ccmgraph import publish

    engine = require("oxigraph")
    publish.publish(engine.store(), dist / "ccmgraph.nq")
    remote = TestClient(create_app(store=engine.store(), dist=dist))
    date = release_history.built(dist).date
    for path in ("/api/lap-actions/10", "/sparql?query=ASK%7B%7D"):
        r = remote.get(path)
        assert r.status_code == 200 and r.headers[HEADER] == store.version, path
    for path in ("/id/lap-action/10", "/coverage"):
        r = remote.get(path, headers={"Accept": "text/html"})
        assert r.status_code == 200 and r.headers[HEADER] == store.version, path
        assert store.version in _cite(r.text) and date in _cite(r.text), path
