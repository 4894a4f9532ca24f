"""Serving over a remote store: the same answers as the embedded engine, on every engine.

The built dataset is published once per engine (Virtuoso, and Oxigraph server without
--union-default-graph, so that nothing rests on the engine's default graph); then every named
query (queries/*.rq with its example parameters) and every analyst endpoint (/api/..., from the
app's OpenAPI description, with its example parameters and for every resource the lists name)
must answer the same over the store as over the embedded engine: the same rows in the same
order, the same bytes and the same ETag.

Then what serving over a shared store needs: the endpoint's time limit stops a runaway query
(the remote request is abandoned, the client gets a 503), and two `ccmgraph serve` processes
over one store answer identically, follow a publish that changes the data (new version, new
answers) and never serve a cached answer of the old data.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from _remote_engines import Running, require
from ccmgraph import catalog, formats, publish
from ccmgraph.analysis import service
from ccmgraph.execution.engine import SparqlSettings
from ccmgraph.store import EmbeddedStore, RemoteStore, version_of
from ccmgraph.web.app import create_app
from support import free_port

# real Virtuoso and Oxigraph servers: run by `make test-all` (CI), not by the quick `make test`
pytestmark = pytest.mark.slow

ENGINES = ("virtuoso", "oxigraph")
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module", params=ENGINES)
def published(request: pytest.FixtureRequest, dist: Path) -> Running:
    engine = require(request.param)
    publish.publish(engine.store(), dist / "ccmgraph.nq")
    return engine


def test_every_named_query_answers_the_same(published: Running, store: EmbeddedStore) -> None:
    """The rows of every named query (service.run_named_query: the rows /api/queries/NAME and
    `ccmgraph query` give) are the same values in the same order, over the store as embedded."""
    remote = published.store()
    differ = []
    for name, q in catalog.load().items():
        values = {p.name: p.example for p in q.parameters}
        here, there = service.run_named_query(store, name, values), service.run_named_query(remote, name, values)
        if here != there:
            differ.append(f"{name}: {len(here)} rows embedded, {len(there)} over {published.name}")
        assert here or name in ("curation-notes",), f"{name} answers nothing: the comparison would be empty"
    assert not differ, differ


def analyst_requests(client: TestClient) -> list[str]:
    """Every GET under /api: with its example parameters (and without the optional ones), as CSV
    too where it offers CSV; /api/queries/{name} for every named query; and the routes taking a
    resource for every work plan, LAP action, partner and State that the lists name."""
    urls = []
    for path, operations in client.get("/openapi.json").json()["paths"].items():
        get = operations.get("get")
        if not path.startswith("/api") or get is None:
            continue
        params = get.get("parameters", [])
        if path == "/api/queries/{name}":
            for name, q in catalog.load().items():
                url = str(httpx.URL(f"/api/queries/{name}", params={p.name: p.example for p in q.parameters}))
                urls += [url, url + ("&" if "?" in url else "?") + "format=csv"]
            continue
        filled = path
        for p in params:
            if p["in"] == "path":
                filled = filled.replace("{" + p["name"] + "}", str(_example(p)))
        required = {p["name"]: _example(p) for p in params if p["in"] == "query" and p.get("required")}
        every = {p["name"]: _example(p) for p in params if p["in"] == "query" and _example(p) is not None}
        urls.append(str(httpx.URL(filled, params=required)))
        if every != required:
            urls.append(str(httpx.URL(filled, params=every)))
        if any(p["name"] == "format" for p in params):
            urls.append(str(httpx.URL(filled, params={**required, "format": "csv"})))
    plans = [p["id"] for p in client.get("/api/workplans").json()["items"]]
    actions = [a["number"] for a in client.get("/api/lap-actions?limit=1000").json()["items"]]
    partners = client.get("/api/partners?limit=1000").json()["items"]
    urls += [f"/api/workplans/{key}" for key in plans]
    urls += [f"/api/lap-actions/{n}" for n in actions] + [f"/api/lap-actions/{n}?basis=curator" for n in (4, 10)]
    urls += [f"/api/partners/{p['id']}" for p in partners if p["kind"] in ("org", "working-group")]
    urls += [f"/api/states/{p['id']}" for p in partners if p["kind"] == "state"]
    return list(dict.fromkeys(urls))


def _example(parameter: dict[str, Any]) -> Any:
    schema = parameter.get("schema", {})
    for source in (parameter, schema, *schema.get("anyOf", [])):
        if "examples" in source:
            examples = source["examples"]
            return next(iter(examples.values()))["value"] if isinstance(examples, dict) else examples[0]
        if "example" in source:
            return source["example"]
    return None


def test_every_analyst_endpoint_answers_the_same_bytes(published: Running, store: EmbeddedStore) -> None:
    """Issue 18: "Every list in every answer has a total order [...] so the same request gives the
    same bytes, and the same ETag, on every engine"."""
    settings = SparqlSettings(workers=1, cache_bytes=0)
    with (
        TestClient(create_app(store, settings=settings)) as here,
        TestClient(create_app(published.store(), settings=settings)) as there,
    ):
        urls = analyst_requests(here)
        assert len(urls) > 100 and {"/api/lap-actions/4", "/api/lap-actions/10"} <= set(urls)
        assert "/api/queries/coordinators-per-workplan" in urls
        differ = []
        for url in urls:
            a, b = here.get(url), there.get(url)
            assert a.status_code == 200, f"{url}: {a.status_code} {a.text[:300]}"
            if b.status_code != 200 or b.content != a.content or b.headers["etag"] != a.headers["etag"]:
                differ.append(f"{url}: {b.status_code} over {published.name}")
        assert not differ, differ
        # the tag one engine gave is good on the other
        url = "/api/lap-actions/10"
        assert there.get(url, headers={"If-None-Match": here.get(url).headers["etag"]}).status_code == 304


def _count(response: httpx.Response) -> int:
    """Rows or triples in an answer, read with a parser of its format."""
    media_type = response.headers["content-type"].split(";")[0]
    if media_type == "text/csv":
        return len(list(csv.reader(io.StringIO(response.text, newline="")))) - 1
    if media_type == "text/tab-separated-values":  # a row a line; Virtuoso's header is not Oxigraph's
        return len(response.content.splitlines()) - 1
    if media_type in (f.media_type for f in formats.RESULTS):
        return len(list(ox.parse_query_results(response.content, format=formats.results_format(media_type))))  # type: ignore[arg-type]
    return len(list(ox.parse(response.content, format=formats.graph_format(media_type))))


@pytest.mark.parametrize(
    "query, accept",
    [
        ("SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 40", "application/sparql-results+json"),
        ("SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 40", "application/sparql-results+xml"),
        ("SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 40", "text/csv"),
        ("SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 40", "text/tab-separated-values"),
        ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 40", "text/turtle"),
        ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 40", "application/n-triples"),
    ],
)
def test_an_answer_over_the_row_limit_is_cut_as_the_embedded_engine_cuts_it(
    published: Running, store: EmbeddedStore, query: str, accept: str
) -> None:
    """The endpoint's max_rows holds over a remote store too: a whole number of rows, and the
    same headers saying so."""
    settings = SparqlSettings(workers=1, cache_bytes=0, max_rows=5)
    with (
        TestClient(create_app(store, settings=settings)) as here,
        TestClient(create_app(published.store(), settings=settings)) as there,
    ):
        answers = [c.get("/sparql", params={"query": query}, headers={"Accept": accept}) for c in (here, there)]
    for answer in answers:
        assert answer.status_code == 200, answer.text
        assert answer.headers["x-sparql-truncated"] == "rows" and "5 rows" in answer.headers["warning"]
        assert _count(answer) == 5


def test_a_runaway_query_is_stopped_and_the_client_told(published: Running) -> None:
    settings = SparqlSettings(timeout=2.0, workers=1)
    with TestClient(create_app(published.store(), settings=settings)) as client:
        started = time.monotonic()
        response = client.get(
            "/sparql", params={"query": RUNAWAY}, headers={"Accept": "application/sparql-results+json"}
        )
        assert response.status_code == 503 and "timed out" in response.text
        assert time.monotonic() - started < 8
        # and the endpoint serves on
        quick = client.get(
            "/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": "application/sparql-results+json"}
        )
        assert quick.status_code == 200 and quick.json()["boolean"] is True


def test_the_engines_own_time_limit_is_set(published: Running) -> None:
    """Virtuoso takes a time limit per request: it stops the query itself, and a cut answer is a
    timeout, never a partial answer."""
    if published.name != "virtuoso":
        pytest.skip("Oxigraph server's limit is set at its start (--timeout-s), not per request")
    store = published.store(engine_timeout=1.0)
    from ccmgraph.store import RemoteTimeout

    started = time.monotonic()
    with pytest.raises(RemoteTimeout) as stopped:
        store.query(RUNAWAY, "application/sparql-results+json")
    assert time.monotonic() - started < 6
    # one of the errors the app answers with a 503 wherever it surfaces (API, pages, /sparql)
    from ccmgraph import errors
    from ccmgraph.web.errors import status_of

    assert isinstance(stopped.value, errors.LimitExceeded) and status_of(stopped.value) == 503


def test_each_query_to_virtuoso_has_a_connection_of_its_own(published: Running) -> None:
    """Virtuoso writes an answer of more than 32 KB in pieces with Nagle's algorithm on: over a
    kept-alive connection the last piece waits for the client's delayed acknowledgement, 40 ms a
    query (bench/README.md). So its queries go on a new connection each; other engines' are kept
    alive (the same client port twice)."""
    remote = published.store()
    ports = []
    with httpx.Client(timeout=30, auth=remote.credentials.auth()) as client:
        for _ in range(2):
            with client.stream("POST", remote.endpoint, **_form_of(remote.request("ASK {}"))) as response:
                ports.append(response.extensions["network_stream"].get_extra_info("client_addr")[1])
                response.read()
    assert (ports[0] != ports[1]) == (published.name == "virtuoso"), ports


def _form_of(request: httpx.Request) -> dict[str, Any]:
    """The body and headers of a request the store built, to send again on another client."""
    return {"content": request.read(), "headers": dict(request.headers)}


def serve(endpoint: str, env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    port = free_port()
    cli = str(Path(sys.executable).with_name("ccmgraph"))
    proc = subprocess.Popen(
        [cli, "serve", "--sparql-endpoint", endpoint, "--port", str(port), "--log-level", "warning"],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(url + "/health", timeout=2).status_code == 200:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"ccmgraph serve did not start: {proc.stderr.read().decode() if proc.stderr else ''}")


def test_two_servers_over_one_store_answer_alike_and_follow_a_publish(
    published: Running, dist: Path, tmp_path: Path
) -> None:
    query = {"query": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"}
    accept = {"Accept": "application/sparql-results+json"}
    servers = [serve(published.endpoint, published.env) for _ in range(2)]
    try:
        urls = [url for _, url in servers]
        first = [httpx.get(u + "/sparql", params=query, headers=accept) for u in urls]
        again = [httpx.get(u + "/sparql", params=query, headers=accept) for u in urls]  # from the cache
        assert first[0].content == first[1].content == again[0].content == again[1].content
        assert first[0].headers["etag"] == first[1].headers["etag"]
        assert again[0].headers["x-cache"] == "hit"
        versions = {httpx.get(u + "/health").json()["version"] for u in urls}
        assert versions == {version_of(dist / "ccmgraph.nq")}
        # publish a dump with one graph fewer: both servers see the new version and new answers
        graphs = publish.graphs_of(dist / "ccmgraph.nq")
        import pyoxigraph as ox

        gone = next(g for g in graphs if g.endswith("gso-concept-note-2023-2024"))
        changed = tmp_path / "ccmgraph.nq"
        changed.write_bytes(
            ox.serialize(
                [
                    ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(g))
                    for g, ts in graphs.items()
                    if g != gone
                    for t in ts
                ],
                format=ox.RdfFormat.N_QUADS,
            )
            or b""
        )
        publish.publish(published.store(), changed)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if {httpx.get(u + "/health").json()["version"] for u in urls} == {version_of(changed)}:
                break
            time.sleep(0.3)
        after = [httpx.get(u + "/sparql", params=query, headers=accept) for u in urls]
        assert after[0].content == after[1].content != first[0].content
        assert gone not in after[0].text and gone in first[0].text
        assert after[0].headers["etag"] != first[0].headers["etag"]
    finally:
        for proc, _ in servers:
            proc.terminate()
            proc.wait(20)
        publish.publish(published.store(), dist / "ccmgraph.nq")


def test_remote_store_versions_are_shared_across_clients(published: Running, dist: Path) -> None:
    a, b = published.store(), RemoteStore(published.endpoint)
    assert a.version == b.version == version_of(dist / "ccmgraph.nq")


def test_a_store_that_does_not_answer_is_a_502_or_503_never_a_500() -> None:
    app = create_app(endpoint=f"http://127.0.0.1:{free_port()}/sparql", settings=SparqlSettings(workers=1))
    with TestClient(app, raise_server_exceptions=False) as client:
        sparql = client.get("/sparql", params={"query": "ASK {}"})
        assert sparql.status_code == 503 and "did not answer" in sparql.text
        for url in (
            "/health",
            "/dataset",
            "/api/coverage",
            "/api/queries/evidence-spans",
            "/coverage",
            "/id/lap-action/10",
        ):
            response = client.get(url)
            assert response.status_code == 502, (url, response.status_code)
            assert "Connection refused" in response.text or "ConnectError" in response.text


def test_query_command_over_a_dead_store_is_a_clear_error() -> None:
    cli = str(Path(sys.executable).with_name("ccmgraph"))
    done = subprocess.run(
        [cli, "query", "ASK {}", "--sparql-endpoint", f"http://127.0.0.1:{free_port()}/sparql"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1 and "the store did not answer" in done.stderr and "Traceback" not in done.stderr


def test_an_answer_the_store_cut_at_its_time_limit_is_never_passed_on(dist: Path) -> None:
    """Oxigraph server ends a streamed answer early at its --timeout-s, with a 200: ccmgraph
    checks that the document is whole, and says what happened instead of passing half of it on."""
    from _remote_engines import missing, start_oxigraph
    from ccmgraph.store import IncompleteAnswer

    if missing("oxigraph"):
        pytest.skip(missing("oxigraph"))
    engine = start_oxigraph(union_default_graph=False, timeout=1)
    try:
        store = engine.store()
        publish.publish(store, dist / "ccmgraph.nq")
        # a long search for rare matches: Oxigraph stops it after 1 s, in the middle of the answer
        slow = (
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT ?a ?d WHERE { "
            "?a rdfs:label ?c . ?d rdfs:label ?f FILTER(STRLEN(?c) + STRLEN(?f) = 7) }"
        )
        with pytest.raises(IncompleteAnswer):
            store.select(slow)
        with TestClient(create_app(store, settings=SparqlSettings(timeout=30, workers=1))) as client:
            response = client.get(
                "/sparql", params={"query": slow}, headers={"Accept": "application/sparql-results+json"}
            )
            assert response.status_code == 503 and "incomplete answer" in response.text
            # a graph answer is read whole too: a Turtle document cut short does not parse
            construct = slow.replace("SELECT ?a ?d WHERE", "CONSTRUCT { ?a rdfs:seeAlso ?d } WHERE")
            response = client.get("/sparql", params={"query": construct}, headers={"Accept": "text/turtle"})
            assert response.status_code == 503 and "does not parse" in response.text
    finally:
        engine.stop()
