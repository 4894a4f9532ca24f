"""The README's promise: "A parameter the route does not know, or a value it does not allow, is a
422 naming the parameter and the allowed values", on the pages and the SPARQL endpoint too."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from ccmgraph.web.app import create_app


@pytest.fixture(scope="module")
def client(store, dist):
    with TestClient(create_app(store=store, dist=dist)) as c:
        yield c


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("/coverage?cycel=2025", "cycle"),
        ("/timeline?from=2025", ""),
        ("/search?q=gender&pgae=2", "page"),
        ("/sparql?query=ASK%20%7B%7D&default-graph=x", "default-graph-uri"),
    ],
)
def test_an_unknown_parameter_is_a_422_naming_it(client, url, allowed):
    name = url.rsplit("&", 1)[-1].split("?")[-1].split("=")[0]
    response = client.get(url, headers={"Accept": "text/html"})
    assert response.status_code == 422, response.text[:300]
    assert name in response.text and allowed in response.text


def test_known_parameters_still_pass(client):
    assert client.get("/coverage?cycle=2025").status_code == 200
    assert client.get("/search?q=gender&page=1").status_code == 200
    ask = client.get("/sparql", params={"query": "ASK {}", "format": "json"})
    assert ask.status_code == 200 and ask.json()["boolean"] is True
