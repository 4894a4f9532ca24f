"""HTTP behaviour every answer shares, over a real server and httpx: HEAD wherever GET answers,
the security headers (also on errors and on the SPARQL fast path), the favicon, /?query=."""

from __future__ import annotations

import re

import httpx
import pytest

PATHS = [
    "/",
    "/api",
    "/id",
    "/query",
    "/coverage",
    "/timeline",
    "/workplans",
    "/dataset",
    "/downloads",
    "/docs",
    "/search?q=gender",
    "/api/search?q=gender",
    "/id/lap-action/10",
    "/api/lap-actions/10",
    "/health",
    "/sparql?query=ASK%7B%7D",
    "/static/site.css",
    "/favicon.ico",
    "/openapi.json",
    "/ontology",
    "/no-such-page",
]


@pytest.mark.parametrize("path", PATHS)
def test_head_answers_like_get_without_a_body(site, path):
    get = httpx.get(site + path, headers={"Accept": "text/html"})
    head = httpx.head(site + path, headers={"Accept": "text/html"})
    assert head.status_code == get.status_code != 405
    assert head.content == b""
    assert head.headers.get("content-type") == get.headers.get("content-type")


@pytest.mark.parametrize("path", PATHS)
def test_security_headers_on_every_answer(site, path):
    r = httpx.get(site + path)
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert r.headers["x-frame-options"] == "DENY"
    csp = r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp


def test_ontology_page_allows_only_its_own_style_block(site):
    r = httpx.get(site + "/ontology", headers={"Accept": "text/html"})
    assert r.status_code == 200
    assert "style-src 'self' 'sha256-" in r.headers["content-security-policy"]


def test_query_parameter_on_home_fills_the_query_page(site):
    r = httpx.get(site + "/", params={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": "text/html"})
    assert r.status_code == 308 and r.headers["location"].startswith("/query?query=")
    r = httpx.get(site + "/", params={"query": "ASK { ?s ?p ?o }"}, follow_redirects=True)
    assert r.status_code == 200 and "ASK { ?s ?p ?o }</textarea>" in r.text


def test_favicon_and_brand_link(site):
    icon = httpx.get(site + "/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/svg+xml"
    assert icon.text.startswith("<svg")
    page = httpx.get(site + "/coverage").text
    assert '<a class="brand" href="/"' in page and 'rel="icon" href="/static/favicon.svg"' in page


def test_docs_page_loads_nothing_from_elsewhere(site):
    r = httpx.get(site + "/docs")
    assert r.status_code == 200
    assert "cdn" not in r.text.lower() and "https://" not in r.text
    for asset in ("/static/swagger-ui-bundle.js", "/static/swagger-ui.css", "/static/docs.js"):
        assert asset in r.text and httpx.get(site + asset).status_code == 200
    assert httpx.get(site + "/redoc").status_code == 404  # ReDoc came from a CDN: gone


def page_routes(app) -> list[str]:
    """Every GET route of the app without path parameters, and one of each with them filled in
    (the pages a person reaches), read from the app's routes."""
    from fastapi.routing import APIRoute

    def routes(found):  # FastAPI 0.165 keeps an included router whole (no prefixes here)
        for route in found:
            yield from routes(route.original_router.routes) if hasattr(route, "original_router") else [route]

    examples = {"{stem}": "no-such-plan", "{name}": "site.css", "{path:path}": "lap-action/10"}
    out = []
    for route in routes(app.routes):
        if isinstance(route, APIRoute) and "GET" in route.methods:
            path = route.path
            for param, value in examples.items():
                path = path.replace(param, value)
            if "{" not in path:
                out.append(path)
    return sorted(set(out))


def test_one_policy_on_every_page(site):
    """The same Content-Security-Policy on every route's answer, / and /query included; only the
    ontology page adds the hash of its own style block."""
    from ccmgraph.web import security
    from ccmgraph.web.app import create_app

    routes = [*page_routes(create_app(endpoint="http://127.0.0.1:9/sparql")), "/static/site.css"]
    assert {"/", "/query", "/coverage", "/docs"} <= set(routes)
    for path in routes:
        r = httpx.get(site + path, headers={"Accept": "text/html"})
        csp = re.sub(r" 'sha256-[^']+'", "", r.headers["content-security-policy"])
        assert csp == security.policy(), (path, r.status_code, csp)
