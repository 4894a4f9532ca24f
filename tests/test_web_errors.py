"""Errors as a new user meets them: every error a browser can reach is an HTML page with the site's
navigation and the right status; the same URL asked for ``application/json`` is a JSON error
document ({"error", "status", "message", ...}); the SPARQL protocol answers errors in text.
One fixed status per error kind (ccmgraph.web.errors.STATUS), whatever route raises it.
The last tests open an unknown resource and a bad query in Debian's chromium."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient

from ccmgraph import errors
from ccmgraph.web.app import create_app
from ccmgraph.web.errors import STATUS
from ccmgraph.web.rendering import TEMPLATES
from support import CHROMIUM, CHROMIUM_ARGS, LiveServer

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
JSON = "application/json"
# what SPARQLWrapper sends for JSON results: a SPARQL client, not an API client
SPARQL_CLIENT = "application/sparql-results+json,application/json,text/javascript,application/javascript"


class _NavLinks(HTMLParser):
    """The href of every link inside the <nav> of the page's <header>."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = {"header": 0, "nav": 0}
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.depth:
            self.depth[tag] += 1
        elif tag == "a" and self.depth["header"] and self.depth["nav"]:
            self.links += [v for k, v in attrs if k == "href" and v]

    def handle_endtag(self, tag: str) -> None:
        if tag in self.depth:
            self.depth[tag] -= 1


def nav_links(page: str) -> list[str]:
    parser = _NavLinks()
    parser.feed(page)
    return parser.links


# the site's navigation: the literal links of the header nav every page includes (templates/header.html)
SITE_NAV = [href for href in nav_links((TEMPLATES / "header.html").read_text(encoding="utf-8")) if "{" not in href]


def main_text(page: str) -> str:
    """The text of <main>, unescaped (what a reader sees)."""
    found = re.search(r"<main[^>]*>(.*)</main>", page, re.S)
    assert found, "the page has no <main>"
    return html.unescape(re.sub(r"<[^>]+>", " ", found.group(1)))


def assert_error_page(response, status: int, *fragments: str) -> None:
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert SITE_NAV and set(SITE_NAV) <= set(nav_links(page)), f"navigation missing: {nav_links(page)}"
    text = main_text(page)
    for fragment in fragments:
        assert fragment in text, (fragment, text)


def assert_error_json(response, status: int, kind: str, *fragments: str) -> dict:
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["error"] == kind and body["status"] == status and isinstance(body["message"], str)
    for fragment in fragments:
        assert fragment in body["message"], (fragment, body["message"])
    return body


def assert_error_text(response, status: int, *fragments: str) -> None:
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"].startswith("text/plain")
    for fragment in fragments:
        assert fragment in response.text, (fragment, response.text)


@pytest.fixture(scope="module")
def client(store, dist) -> TestClient:
    return TestClient(create_app(store=store, dist=dist))


def test_the_site_navigation_is_known() -> None:
    # guards the checks below: the navigation they look for is the one header.html has
    assert "/coverage" in SITE_NAV and "/query" in SITE_NAV and len(SITE_NAV) >= 5


# ------------------------------------------------------------------ what a new user meets

REACHABLE = [
    # (url, status, kind, what the message says)
    ("/id/state/XXX", 404, "NotFound", ["id/state/XXX"]),
    ("/id/nope", 404, "NotFound", ["id/nope"]),
    ("/api/lap-actions/99", 404, "NotFound", ["no LAP action 99"]),
    ("/api/lap-actions/10?basis=bogus", 422, "InvalidParameter", ["'basis'", "bogus", "stated", "curator"]),
    ("/coverage?basis=bogus", 422, "InvalidParameter", ["'basis'", "bogus", "stated", "curator"]),
    ("/api/timeline?start=x", 422, "InvalidParameter", ["'start'", "from", "to"]),
    ("/api/timeline?from=x", 422, "InvalidParameter", ["'from'"]),
    ("/api/lap-actions/ten", 422, "InvalidParameter", ["'n'"]),
    ("/nope", 404, "NotFound", ["/nope"]),
    ("/api/nope", 404, "NotFound", ["/api/nope"]),
]


@pytest.mark.parametrize("url, status, kind, fragments", REACHABLE)
def test_browser_gets_a_page_with_the_navigation(client, url, status, kind, fragments) -> None:
    assert_error_page(client.get(url, headers={"Accept": BROWSER}), status, *fragments)


@pytest.mark.parametrize("url, status, kind, fragments", REACHABLE)
def test_same_url_as_json_gets_an_error_document(client, url, status, kind, fragments) -> None:
    body = assert_error_json(client.get(url, headers={"Accept": JSON}), status, kind, *fragments)
    if status == 422:
        assert body["parameter"] == fragments[0].strip("'")


def test_422_names_the_allowed_values(client) -> None:
    body = client.get("/api/lap-actions/10?basis=bogus", headers={"Accept": JSON}).json()
    assert body["parameter"] == "basis" and body["allowed"] == ["stated", "objective", "workplan", "curator"]
    body = client.get("/api/timeline?start=x", headers={"Accept": JSON}).json()
    assert body["parameter"] == "start" and {"from", "to", "match"} <= set(body["allowed"])


def test_messages_are_escaped_in_the_page(client) -> None:
    r = client.get("/id/%3Cscript%3Ealert(1)%3C%2Fscript%3E", headers={"Accept": BROWSER})
    assert_error_page(r, 404, "<script>alert(1)</script>")  # shown as text...
    assert "<script>" not in r.text and "&lt;script&gt;" in r.text  # ...never as markup
    r = client.get("/api/partners/%3Cb%3Ex", headers={"Accept": BROWSER})
    assert_error_page(r, 422, "'<b>x'")
    assert "<b>x" not in r.text


# ------------------------------------------------------------------ the query page and /sparql


def test_bad_query_on_the_query_page(client) -> None:
    # the page opens with the query in its editor (the error shows when it runs: see the browser test)
    page = client.get("/query", params={"query": "SELEC <x>"}, headers={"Accept": BROWSER})
    assert page.status_code == 200 and "SELEC &lt;x&gt;</textarea>" in page.text
    # what the page's script gets from /sparql: 400, in text, saying where the query breaks
    for accept in (None, "application/sparql-results+json, application/n-triples;q=0.9", JSON, SPARQL_CLIENT):
        headers = {"Accept": accept} if accept else {}
        assert_error_text(client.post("/sparql", data={"query": "SELEC"}, headers=headers), 400, "line 1, column 6")
        assert_error_text(client.get("/sparql", params={"query": "SELEC"}, headers=headers), 400, "line 1, column 6")
    # a browser opening a bad /sparql link gets the page
    assert_error_page(
        client.get("/sparql", params={"query": "SELEC"}, headers={"Accept": BROWSER}), 400, "line 1, column 6"
    )


# ------------------------------------------------------------------ 405 and 406


@pytest.mark.parametrize("method, url", [("PUT", "/api/coverage"), ("POST", "/coverage"), ("DELETE", "/id/state/DEU")])
def test_method_not_allowed(client, method, url) -> None:
    r = client.request(method, url, headers={"Accept": BROWSER})
    assert_error_page(r, 405, method, url)
    assert "GET" in [m.strip() for m in r.headers["allow"].split(",")]
    r = client.request(method, url, headers={"Accept": JSON})
    assert_error_json(r, 405, "MethodNotAllowed", f"{method} is not supported at {url}; use GET")
    assert "GET" in r.headers["allow"]


def test_method_not_allowed_on_sparql_is_text(client) -> None:
    r = client.request("DELETE", "/sparql", headers={"Accept": JSON})
    assert_error_text(r, 405, "DELETE")
    assert {"GET", "POST"} <= {m.strip() for m in r.headers["allow"].split(",")}


def test_not_acceptable(client) -> None:
    assert_error_page(client.get("/id/state/DEU", headers={"Accept": "image/png"}), 406, "image/png", "text/turtle")
    assert_error_page(client.get("/ontology", headers={"Accept": "image/png"}), 406, "image/png")
    assert_error_text(
        client.get("/sparql", params={"query": "ASK {}", "format": "png"}),
        406,
        "'png'",
        "application/sparql-results+json",
    )


# ------------------------------------------------------------------ one status per kind


def public_kinds() -> list[type[errors.CcmgraphError]]:
    return [v for v in vars(errors).values() if isinstance(v, type) and issubclass(v, errors.CcmgraphError)]


def make(kind: type[errors.CcmgraphError]) -> errors.CcmgraphError:
    """An instance of the kind, with a message holding markup (to see it escaped)."""
    message = f"{kind.__name__} <i>happened</i>"
    if issubclass(kind, errors.InvalidParameter):
        return kind("p", message, ["a", "b"])
    if issubclass(kind, errors.MethodNotAllowed):
        return kind(message, "GET, HEAD")
    if issubclass(kind, errors.LimitExceeded):
        return kind(message, 2.5)
    if issubclass(kind, errors.Unavailable):
        return kind(message, retry_after=1.2)
    return kind(message)


class PrivateSyntaxError(errors.QuerySyntaxError):
    """A module's own subclass (as the SPARQL engine has): answered as its public kind."""


RAISED = {k.__name__: k for k in (*public_kinds(), PrivateSyntaxError)}


@pytest.fixture(scope="module")
def raising(store, dist) -> TestClient:
    """A fresh app with one more router, whose routes raise the error named in their path."""
    app = create_app(store=store, dist=dist)
    router = APIRouter()

    def raise_it(kind: str) -> None:
        raise make(RAISED[kind])

    for prefix in ("/raise", "/api/raise", "/sparql/raise"):
        router.add_api_route(prefix + "/{kind}", raise_it, methods=["GET"])

    def bug() -> None:
        raise RuntimeError("secret detail of a bug")

    router.add_api_route("/api/bug", bug)
    router.add_api_route("/bug", bug)
    app.include_router(router)
    return TestClient(app, raise_server_exceptions=False)


def test_every_public_kind_has_a_status() -> None:
    assert set(public_kinds()) == set(STATUS), "a class of ccmgraph.errors without a fixed status (or the reverse)"


# (client's Accept, the prefix of the route, the content type answered)
CLIENTS = [
    (BROWSER, "/raise", "text/html"),
    (BROWSER, "/api/raise", "text/html"),
    (BROWSER, "/sparql/raise", "text/html"),
    (JSON, "/raise", "application/json"),
    (JSON, "/api/raise", "application/json"),
    (JSON, "/sparql/raise", "text/plain"),  # the SPARQL protocol answers text
    (SPARQL_CLIENT, "/sparql/raise", "text/plain"),
    ("text/plain", "/raise", "text/plain"),
    ("text/plain", "/api/raise", "text/plain"),
    ("text/plain", "/sparql/raise", "text/plain"),
    (None, "/raise", "text/html"),  # no preference: the path's habit
    (None, "/api/raise", "application/json"),
    (None, "/sparql/raise", "text/plain"),
]


@pytest.mark.parametrize("kind", sorted(RAISED))
@pytest.mark.parametrize("accept, prefix, content_type", CLIENTS)
def test_one_status_per_kind_in_the_format_asked_for(raising, kind, accept, prefix, content_type) -> None:
    cls = RAISED[kind]
    public = next(c for c in cls.__mro__ if c in STATUS)
    status = STATUS[public]
    r = raising.get(f"{prefix}/{kind}", headers={"Accept": accept} if accept else {})
    assert r.status_code == status
    assert r.headers["content-type"].split(";")[0] == content_type
    assert r.headers["cache-control"] == "no-store"
    message = f"{kind} <i>happened</i>"
    if content_type == "text/html":
        assert_error_page(r, status, message)
        assert "<i>happened" not in r.text
    elif content_type == "application/json":
        body = assert_error_json(r, status, public.__name__, message)
        if public is errors.InvalidParameter:
            assert body["parameter"] == "p" and body["allowed"] == ["a", "b"]
    else:
        assert_error_text(r, status, message)
    expected_headers = {
        errors.MethodNotAllowed: ("allow", "GET, HEAD"),
        errors.Unavailable: ("retry-after", "2"),
        errors.LimitExceeded: ("x-sparql-timeout", "2.5"),
        errors.Unauthorized: ("www-authenticate", "Bearer"),
    }
    if public in expected_headers:
        name, value = expected_headers[public]
        assert r.headers[name] == value
    if public is errors.LimitExceeded:
        assert "retry-after" not in r.headers  # the same query would stop at the limit again


@pytest.mark.parametrize(
    "accept, url, content_type",
    [(BROWSER, "/bug", "text/html"), (JSON, "/api/bug", "application/json"), ("text/plain", "/bug", "text/plain")],
)
def test_a_bug_is_a_500_in_the_format_asked_for_without_its_detail(raising, accept, url, content_type) -> None:
    r = raising.get(url, headers={"Accept": accept})
    assert r.status_code == 500 and r.headers["content-type"].split(";")[0] == content_type
    assert "secret detail" not in r.text and "Traceback" not in r.text
    if content_type == "text/html":
        assert_error_page(r, 500, "failed")
    if content_type == "application/json":
        assert r.json()["error"] == "ServerError" and r.json()["status"] == 500


# ------------------------------------------------------------------ in the browser


@pytest.fixture(scope="module")
def browser_page(store, dist):
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed")
    server = LiveServer(create_app(store=store, dist=dist)).start()
    try:
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            outside: list[str] = []

            def only_local(route) -> None:
                """Nothing may leave 127.0.0.1: every other request is recorded and aborted."""
                if route.request.url.startswith(server.url):
                    route.continue_()
                else:
                    outside.append(route.request.url)
                    route.abort()

            context.route("**/*", only_local)
            yield server.url, context.new_page()
            assert outside == [], f"requests outside the server: {outside}"
            browser.close()
    finally:
        server.stop()


def test_unknown_resource_in_the_browser(browser_page) -> None:
    url, page = browser_page
    response = page.goto(f"{url}/id/state/XXX")
    assert response is not None and response.status == 404
    assert page.locator("[role=alert]").inner_text() == "no resource https://w3id.org/ccmgraph/id/state/XXX"
    nav = page.locator("header nav a")
    assert set(SITE_NAV) <= {nav.nth(i).get_attribute("href") for i in range(nav.count())}
    page.click("header nav a[href='/coverage']")  # the way on from the error
    page.wait_for_load_state()
    assert page.url.endswith("/coverage") and page.locator("tr").count() > 50


def test_bad_query_in_the_browser(browser_page) -> None:
    url, page = browser_page
    page.goto(f"{url}/query?query=SELEC")
    page.click("#run")
    error = page.locator("#error")
    error.wait_for(state="visible")
    assert "line 1, column 6" in error.inner_text()
    assert "400" in page.locator("#status").inner_text()
