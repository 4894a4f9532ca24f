"""Fair under load (issue 19): one client cannot take the whole engine, the busy answers say when
to come back, runaway queries yield the CPU, and pages and API answers are built once per graph
version.

The endpoint tests run real uvicorn servers (support.LiveServer) and real HTTP clients, each
client from its own loopback address (all of 127/8 is the loopback on Linux), as the server sees
different machines.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.requests import Request

from ccmgraph import errors
from ccmgraph.execution.admission import Admission
from ccmgraph.execution.engine import EngineUnavailable, SparqlSettings
from ccmgraph.execution.workers import SLOW_NICENESS, WorkerPool
from ccmgraph.settings import Settings
from ccmgraph.store import EmbeddedStore
from ccmgraph.web.app import create_app
from ccmgraph.web.deps import client_of
from support import LAP_QUERY, RUNAWAY, SETTINGS, TOKEN, LiveServer, make_app

RESULTS = {"Accept": "application/sparql-results+json"}


def client(address: str, timeout: float = 30) -> httpx.Client:
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=timeout)


def wait_until(condition, within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, "the condition did not come true"
        time.sleep(0.02)


# -- the admission of queries, without HTTP ------------------------------------------------------


def test_each_client_has_its_own_slots_and_gives_them_back() -> None:
    admission = Admission(per_client=2, total=10, time_limit=10)
    with admission.admit("a"), admission.admit("a"):
        with (
            pytest.raises(errors.TooManyRequests, match="this client has 2 queries running") as refused,
            admission.admit("a"),
        ):
            pass
        assert 9 <= refused.value.retry_after <= 10  # when its oldest query stops at the latest
        with admission.admit("b"):  # another client is not held back
            assert admission.running("a") == 2 and admission.running() == 3
    with pytest.raises(RuntimeError), admission.admit("a"):  # a query that fails gives its slot back
        raise RuntimeError("the query failed")
    assert admission.running() == 0 and admission.running("a") == 0
    assert admission.refused == {429: 1, 503: 0}


def test_every_slot_taken_is_a_503_with_retry_after() -> None:
    admission = Admission(per_client=0, total=2, time_limit=4)
    with admission.admit("a"), admission.admit("b"):
        with pytest.raises(EngineUnavailable, match="as many as it takes at once") as busy, admission.admit("c"):
            pass
        assert not isinstance(busy.value, errors.TooManyRequests)
        assert 1 <= busy.value.retry_after <= 4
    with admission.admit("c"):
        assert admission.running("c") == 1


@pytest.mark.parametrize("setting", ["client_queries", "max_queries", "slow_after", "page_cache_mb"])
def test_a_negative_limit_is_refused_naming_it(setting: str) -> None:
    with pytest.raises(errors.SettingError, match=setting):
        SparqlSettings.of(Settings.from_environment({"CCMGRAPH_" + setting.upper(): "-1"}))


# -- who the client is ------------------------------------------------------------------------


def request_from(app, address: str, headers: dict[str, str]) -> Request:
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    return Request({"type": "http", "app": app, "client": (address, 40000), "headers": raw, "method": "GET"})


def test_the_client_is_the_remote_address_or_the_declared_header(sparql_store) -> None:
    plain = create_app(store=sparql_store, settings=SETTINGS)
    proxied = create_app(store=sparql_store, settings=dataclasses.replace(SETTINGS, client_header="X-Forwarded-For"))
    forwarded = {"X-Forwarded-For": "203.0.113.9, 198.51.100.7"}
    assert client_of(request_from(plain, "127.0.0.5", forwarded)) == "127.0.0.5"  # a header nobody declared
    assert client_of(request_from(proxied, "127.0.0.5", forwarded)) == "198.51.100.7"  # the proxy's own entry
    assert client_of(request_from(proxied, "127.0.0.5", {})) == "127.0.0.5"  # not through the proxy


# -- over HTTP -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fair_server(sparql_store) -> Iterator[LiveServer]:
    """Two queries at once per client, a 5 s limit (room for a loaded machine), runaways lowered after 0.2 s."""
    settings = dataclasses.replace(SETTINGS, timeout=5.0, client_queries=2, slow_after=0.2)
    server = LiveServer(make_app(settings, store=sparql_store)).start()
    yield server
    server.stop()


def test_a_client_beyond_its_limit_gets_429_while_another_is_answered(fair_server: LiveServer) -> None:
    url = fair_server.url + "/sparql"
    admission = fair_server.engine.admission
    with (
        client("127.0.0.2") as greedy,
        client("127.0.0.3") as other,
        concurrent.futures.ThreadPoolExecutor(2) as executor,
    ):
        running = [
            executor.submit(greedy.get, url, params={"query": RUNAWAY + f" # 429 test {i}"}, headers=RESULTS)
            for i in range(2)
        ]
        wait_until(lambda: admission.running("127.0.0.2") == 2)
        third = greedy.get(url, params={"query": RUNAWAY + " # one too many"}, headers=RESULTS)
        answered = other.get(url, params={"query": LAP_QUERY + " # while the greedy client waits"})
        assert admission.running("127.0.0.2") == 2  # the runaways still run: the other did not wait for them
        assert [f.result().status_code for f in running] == [503, 503]  # stopped at the time limit
    assert third.status_code == 429
    assert 1 <= int(third.headers["retry-after"]) <= 5
    assert "this client has 2 queries running" in third.text
    assert third.headers["content-type"].startswith("text/plain")  # the protocol's errors are text
    assert answered.status_code == 200 and len(answered.json()["results"]["bindings"]) == 50


def test_the_service_description_states_the_limit(fair_server: LiveServer) -> None:
    with client("127.0.0.12") as http:
        description = http.get(fair_server.url + "/sparql", headers={"Accept": "text/turtle"}).text
    assert "One client may have 2 queries running at once" in description


def test_a_429_is_a_page_for_a_browser(fair_server: LiveServer) -> None:
    url = fair_server.url + "/sparql"
    admission = fair_server.engine.admission
    with client("127.0.0.4") as greedy, concurrent.futures.ThreadPoolExecutor(2) as executor:
        running = [executor.submit(greedy.get, url, params={"query": RUNAWAY + f" # json {i}"}) for i in range(2)]
        wait_until(lambda: admission.running("127.0.0.4") == 2)
        accept = "text/html, application/sparql-results+json;q=0.9"
        refused = greedy.get(url, params={"query": "ASK {}"}, headers={"Accept": accept})
        for f in running:
            f.result()
    assert refused.status_code == 429 and refused.headers["content-type"].startswith("text/html")
    assert "Too many requests" in refused.text and "this client has 2 queries running" in refused.text


def test_a_runaway_query_yields_the_cpu(fair_server: LiveServer) -> None:
    url = fair_server.url + "/sparql"
    pool = fair_server.engine.runner.pool
    with client("127.0.0.6") as http, concurrent.futures.ThreadPoolExecutor(1) as executor:
        runaway = executor.submit(http.get, url, params={"query": RUNAWAY + " # lowered"})
        wait_until(lambda: any(niceness(pid) == SLOW_NICENESS for pid in pool.pids), within=4.5)
        quick = http.get(url, params={"query": LAP_QUERY + " # beside the lowered one"})
        assert quick.status_code == 200
        assert runaway.result().status_code == 503
    wait_until(lambda: pool.pids and all(niceness(pid) == 0 for pid in pool.pids))  # lowered ones are replaced


def test_a_quick_query_finds_a_worker_of_normal_priority_beside_lowered_ones(sparql_dist: Path) -> None:
    """Even when the pool has forked all the workers it may, those lowered for running long do not
    count: a quick query gets a fresh one instead of waiting for a runaway to end."""

    async def main() -> tuple[bool, dict]:
        pool = WorkerPool(sparql_dist / "store", size=1, max_size=1, slow_after=0.1)
        await pool.start()
        try:
            runaway = asyncio.ensure_future(
                pool.query(timeout=3, text=RUNAWAY, results_type=RESULTS["Accept"], graph_type=None)
            )
            while not any(niceness(pid) == SLOW_NICENESS for pid in pool.pids):
                await asyncio.sleep(0.02)
            quick = await pool.query(timeout=3, text="ASK {}", results_type=RESULTS["Accept"], graph_type=None)
            still_running = not runaway.done()
            runaway.cancel()
            return still_running, json.loads(quick.body)
        finally:
            await pool.close()

    still_running, quick = asyncio.run(main())
    assert quick == {"head": {}, "boolean": True} and still_running


def niceness(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])
    except (OSError, IndexError, ValueError):
        return None


def test_every_slot_taken_answers_503_at_once(sparql_store) -> None:
    settings = dataclasses.replace(SETTINGS, timeout=3.0, max_queries=1, client_queries=0)
    server = LiveServer(make_app(settings, store=sparql_store)).start()
    url = server.url + "/sparql"
    try:
        with client("127.0.0.7") as one, client("127.0.0.8") as two, concurrent.futures.ThreadPoolExecutor(1) as ex:
            runaway = ex.submit(one.get, url, params={"query": RUNAWAY + " # takes the only slot"})
            wait_until(lambda: server.engine.admission.running() == 1)
            busy = two.get(url, params={"query": LAP_QUERY + " # no slot left"})
            assert runaway.result().status_code == 503
            after = two.get(url, params={"query": LAP_QUERY + " # a slot again"})
    finally:
        server.stop()
    assert busy.status_code == 503 and "as many as it takes at once" in busy.text
    assert 1 <= int(busy.headers["retry-after"]) <= 3
    assert after.status_code == 200


# -- pages and API answers, kept per graph version ------------------------------------------------


@pytest.fixture(scope="module")
def updatable(sparql_dist) -> Iterator[LiveServer]:
    settings = dataclasses.replace(SETTINGS, allow_update=True, update_token=TOKEN)
    server = LiveServer(make_app(settings, store=EmbeddedStore(sparql_dist))).start()
    yield server
    server.stop()


def test_an_api_answer_is_kept_with_an_etag_and_304(updatable: LiveServer) -> None:
    with client("127.0.0.9") as http:
        first = http.get(updatable.url + "/api/lap-actions/10")
        second = http.get(updatable.url + "/api/lap-actions/10")
        again = http.get(updatable.url + "/api/lap-actions/10", headers={"If-None-Match": first.headers["etag"]})
        csv = http.get(updatable.url + "/api/lap-actions/10", headers={"Accept": "text/csv"})
        head = http.head(updatable.url + "/api/lap-actions/10")
    assert first.status_code == 200 and first.json()["number"] == 10
    assert second.content == first.content and second.headers["etag"] == first.headers["etag"]
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == first.headers["etag"]
    assert csv.headers["content-type"].startswith("text/csv")  # the negotiation is part of the key
    assert csv.headers["etag"] != first.headers["etag"]
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["content-length"]) == len(first.content)
    assert "content-security-policy" in second.headers  # a kept answer gets the security headers too


def test_a_new_graph_version_is_never_answered_from_the_old(updatable: LiveServer) -> None:
    url = updatable.url + "/id/lap-action/10.ttl"  # the resource's description: every statement about it
    auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"}
    update = (
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "INSERT DATA { GRAPH <https://w3id.org/ccmgraph/graph/endpoint-test> { "
        '<https://w3id.org/ccmgraph/id/lap-action/10> rdfs:comment "written for the tests" } }'
    )
    with client("127.0.0.10") as http:
        before = http.get(url)
        assert http.post(updatable.url + "/sparql", content=update.encode(), headers=auth).status_code == 204
        after = http.get(url)
        revalidated = http.get(url, headers={"If-None-Match": before.headers["etag"]})
    assert before.status_code == after.status_code == 200
    assert after.content != before.content and "written for the tests" in after.text
    assert revalidated.status_code == 200 and revalidated.headers["etag"] == after.headers["etag"]


def test_errors_are_not_kept(updatable: LiveServer) -> None:
    with client("127.0.0.11") as http:
        missing = [http.get(updatable.url + "/api/lap-actions/99") for _ in range(2)]
    assert [r.status_code for r in missing] == [404, 404]
    assert all("etag" not in r.headers for r in missing)


def test_identical_requests_at_once_all_get_the_answer(updatable: LiveServer) -> None:
    """Requests arriving while an answer is being built wait for it; when it is not kept (a 404),
    each builds its own."""
    paths = ["/api/coverage?cycle=2025"] * 8 + ["/api/lap-actions/98"] * 8
    with client("127.0.0.13") as http, concurrent.futures.ThreadPoolExecutor(16) as executor:
        answers = list(executor.map(lambda path: http.get(updatable.url + path), paths))
    kept, missing = answers[:8], answers[8:]
    assert {r.status_code for r in kept} == {200} and len({r.headers["etag"] for r in kept}) == 1
    assert len({r.content for r in kept}) == 1
    assert {r.status_code for r in missing} == {404}
