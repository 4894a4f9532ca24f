"""The public endpoint under abuse: no outbound requests, a time limit that really stops the
work while others are served, read-only, and no input that produces a 5xx."""

from __future__ import annotations

import concurrent.futures
import string
import time

import httpx
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support import LAP_QUERY, RUNAWAY, SETTINGS, make_app, process_gone
from test_guard import BENIGN, Listener, attacks


@pytest.fixture(scope="module")
def listener() -> Listener:
    return Listener()


@pytest.fixture(scope="module")
def client():
    with TestClient(make_app()) as c:
        yield c


# -- no outbound requests -------------------------------------------------------------------


def test_service_in_every_spelling_is_refused_and_nothing_is_fetched(live_server, listener) -> None:
    url = live_server.url + "/sparql"
    with httpx.Client() as http:
        for name, text in attacks(listener.url).items():
            by_get = http.get(url, params={"query": text})
            by_post = http.post(url, data={"query": text})
            by_body = http.post(url, content=text.encode(), headers={"Content-Type": "application/sparql-query"})
            for response in (by_get, by_post, by_body):
                assert response.status_code == 400, (name, response.text)
                assert "SERVICE is not allowed" in response.text
    time.sleep(0.2)
    assert listener.hits == 0


def test_from_clauses_do_not_fetch(live_server, listener) -> None:
    for text in (
        f"SELECT * FROM <{listener.url}> WHERE {{ ?s ?p ?o }} LIMIT 1",
        f"SELECT * FROM NAMED <{listener.url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} LIMIT 1",
        f"DESCRIBE <{listener.url}>",
    ):
        assert httpx.get(live_server.url + "/sparql", params={"query": text}).status_code == 200
    time.sleep(0.2)
    assert listener.hits == 0


def test_benign_uses_of_the_word_are_answered(live_server) -> None:
    for text in BENIGN.values():
        assert httpx.get(live_server.url + "/sparql", params={"query": text}).status_code == 200, text


# -- the time limit --------------------------------------------------------------------------


def test_runaway_is_stopped_at_the_limit_while_others_are_served(live_server) -> None:
    url = live_server.url + "/sparql"
    pool = live_server.engine.runner.pool
    with concurrent.futures.ThreadPoolExecutor(1) as executor:
        started = time.monotonic()
        runaway = executor.submit(httpx.get, url, params={"query": RUNAWAY}, timeout=30)
        time.sleep(0.2)
        busy = set(pool.pids)
        answered = []
        while not runaway.done():
            t = time.monotonic()
            r = httpx.get(url, params={"query": LAP_QUERY + f" # {len(answered)}"}, timeout=5)
            assert r.status_code == 200 and len(r.json()["results"]["bindings"]) == 50
            answered.append(time.monotonic() - t)
        response = runaway.result()
        elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert f"{SETTINGS.timeout:g} s" in response.text
    assert response.headers["x-sparql-timeout"] == f"{SETTINGS.timeout:g}"
    assert SETTINGS.timeout <= elapsed < SETTINGS.timeout + 1.5
    assert len(answered) >= 5 and max(answered) < 1.0  # nobody waited for the runaway
    killed = busy - set(pool.pids)
    assert killed and all(process_gone(pid) for pid in killed)  # its CPU is freed


def test_several_runaways_do_not_stall_others(live_server) -> None:
    url = live_server.url + "/sparql"
    with concurrent.futures.ThreadPoolExecutor(3) as executor:
        runaways = [
            executor.submit(httpx.get, url, params={"query": RUNAWAY + f" # {i}"}, timeout=30) for i in range(3)
        ]
        time.sleep(0.3)
        t = time.monotonic()
        r = httpx.get(url, params={"query": "ASK { ?s ?p ?o } # while three run away"}, timeout=5)
        waited = time.monotonic() - t
        statuses = [f.result().status_code for f in runaways]
    assert r.status_code == 200 and waited < 1.0
    assert statuses == [503, 503, 503]


# -- read-only --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "method, kwargs",
    [
        ("post", {"data": {"update": "DROP ALL"}}),
        ("post", {"content": b"CLEAR ALL", "headers": {"Content-Type": "application/sparql-update"}}),
        ("post", {"data": {"query": "DELETE WHERE { ?s ?p ?o }"}}),
        ("get", {"params": {"query": "INSERT DATA { <http://a> <http://b> <http://c> }"}}),
        ("get", {"params": {"update": "DROP ALL"}}),
        ("post", {"data": {"update": "LOAD <http://127.0.0.1:9/x.ttl>"}, "headers": {"Authorization": "Bearer guess"}}),
    ],
)
def test_updates_are_refused_with_403(live_server, method: str, kwargs) -> None:
    response = getattr(httpx, method)(live_server.url + "/sparql", **kwargs)
    assert response.status_code == 403 and "read-only" in response.text
    count = httpx.get(live_server.url + "/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})
    assert int(count.json()["results"]["bindings"][0]["n"]["value"]) > 2000


# -- fuzzing: no input gets a 5xx ----------------------------------------------------------------

FRAGMENTS = [
    "SELECT",
    "*",
    "WHERE",
    "{",
    "}",
    "?s",
    "?p",
    "?o",
    "ASK",
    "CONSTRUCT",
    "DESCRIBE",
    "GRAPH",
    "?g",
    "OPTIONAL",
    "FILTER",
    "(",
    ")",
    "LIMIT",
    "10",
    "ORDER BY",
    "GROUP BY",
    "COUNT(*)",
    "AS",
    "?n",
    "<http://example.org/thing>",
    '"x"',
    '"x"@en',
    "1.5",
    "PREFIX ex: <http://e/>",
    "ex:a",
    "BIND",
    "VALUES",
    "UNION",
    "MINUS",
    ".",
    ";",
    ",",
    "a",
    "DISTINCT",
    'REGEX(?o, "a")',
    "<<",
    ">>",
    "#",
    "\\u0041",
    "'''",
    "\n",
    "BASE <http://b/>",
    "LATERAL",
    "SERVICE",
    "INSERT",
    "DATA",
    "_:b",
    "[]",
]
queries = st.one_of(
    st.lists(st.sampled_from(FRAGMENTS), max_size=25).map(" ".join),
    st.text(max_size=300),
    st.text(alphabet=string.printable, max_size=300),
)
param_names = st.sampled_from(
    ["query", "update", "default-graph-uri", "named-graph-uri", "format", "output", "timeout", "results", "x", ""]
)
param_values = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["json", "csv", "ttl", "nope", "0", "-1", "1e309", "nan", "http://e/g", "urn:x", "ü"]),
)
accepts = st.one_of(
    st.none(),
    st.text(max_size=80),
    st.sampled_from(
        ["*/*", "text/csv;q=0", "application/sparql-results+json;q=abc", "text/turtle, */*;q=0.1", ";;;,,,", "*", "/"]
    ),
)
content_types = st.sampled_from(
    [
        None,
        "application/x-www-form-urlencoded",
        "application/sparql-query",
        "application/sparql-update",
        "multipart/form-data",
        "multipart/form-data; boundary=x",
        "text/plain",
        "application/sparql-query; charset=latin-1",
        "application/sparql-query; charset=bogus",
        "",
    ]
)


def _ok(response) -> bool:
    if response.status_code < 500:
        return True
    # the only 5xx the endpoint gives: a query stopped at the time limit, or every worker busy
    return response.status_code == 503 and ("timed out" in response.text or "busy" in response.text)


@settings(
    max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(query=queries, accept=accepts, method=st.sampled_from(["GET", "POST", "HEAD"]))
def test_fuzzed_queries_never_get_a_5xx(client, query: str, accept, method: str) -> None:
    headers = {"Accept": accept} if accept is not None else {}
    try:
        if method == "POST":
            response = client.post("/sparql", data={"query": query}, headers=headers)
        else:
            response = client.request(method, "/sparql", params={"query": query}, headers=headers)
    except (httpx.InvalidURL, UnicodeEncodeError, ValueError):
        return  # the client could not even send it
    assert _ok(response), (response.status_code, response.text)


@settings(
    max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(
    params=st.lists(st.tuples(param_names, param_values), max_size=6),
    content_type=content_types,
    body=st.one_of(st.binary(max_size=200), st.text(max_size=200).map(str.encode)),
    method=st.sampled_from(["GET", "POST", "OPTIONS", "DELETE"]),
)
def test_fuzzed_parameters_and_bodies_never_get_a_5xx(client, params, content_type, body: bytes, method: str) -> None:
    headers = {"Content-Type": content_type} if content_type is not None else {}
    try:
        response = client.request(
            method, "/sparql", params=params, content=body if method == "POST" else None, headers=headers
        )
    except (httpx.InvalidURL, UnicodeEncodeError, ValueError):
        return
    assert _ok(response), (response.status_code, response.text)
