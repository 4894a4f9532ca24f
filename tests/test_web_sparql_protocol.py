"""The SPARQL 1.1 Protocol endpoint (/sparql), its Service Description and the query page,
through the ASGI app (the live-server tests are in test_endpoint_clients and _safety)."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from ccmgraph.execution.engine import EngineUnavailable, QueryTimeout, SparqlSettings
from ccmgraph.store import DefaultGraphMode
from ccmgraph.web.errors import headers_of
from support import FIXTURE_GRAPH, GRAPH, LAP_QUERY, RUNAWAY, SETTINGS, TOKEN, make_app

SRJ = "application/sparql-results+json"
SRX = "application/sparql-results+xml"
CONSTRUCT = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{FIXTURE_GRAPH}> {{ ?s ?p ?o }} }}"
RESULTS_NS = "{http://www.w3.org/2005/sparql-results#}"


@pytest.fixture(scope="module")
def client(sparql_store):
    with TestClient(make_app(store=sparql_store)) as c:
        yield c


def rows(response) -> list[dict]:
    assert response.status_code == 200, response.text
    return response.json()["results"]["bindings"]


# -- the three ways to send a query ------------------------------------------------------


def test_get_post_form_and_post_direct_agree(client) -> None:
    by_get = client.get("/sparql", params={"query": LAP_QUERY})
    by_form = client.post("/sparql", data={"query": LAP_QUERY})
    by_body = client.post(
        "/sparql", content=LAP_QUERY.encode(), headers={"Content-Type": "application/sparql-query; charset=utf-8"}
    )
    by_multipart = client.post("/sparql", files={"query": (None, LAP_QUERY)})
    assert len(rows(by_get)) == 50
    assert rows(by_get) == rows(by_form) == rows(by_body) == rows(by_multipart)
    assert by_get.headers["content-type"] == SRJ


def test_default_graph_is_the_union_and_graph_reaches_each(client) -> None:
    union = rows(
        client.get(
            "/sparql",
            params={
                "query": "SELECT ?l WHERE { <http://example.org/thing> "
                "<http://www.w3.org/2000/01/rdf-schema#label> ?l }"
            },
        )
    )
    assert len(union) == 2
    graphs = rows(client.get("/sparql", params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"}))
    assert {g["g"]["value"] for g in graphs} == {GRAPH + "ontology", GRAPH + "reference", FIXTURE_GRAPH}


def test_default_and_named_graph_uri_select_the_dataset(client) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    only_fixture = rows(client.get("/sparql", params={"query": count, "default-graph-uri": FIXTURE_GRAPH}))
    assert int(only_fixture[0]["n"]["value"]) == 8
    named = rows(
        client.post(
            "/sparql",
            data={
                "query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
                "named-graph-uri": [FIXTURE_GRAPH, GRAPH + "ontology"],
            },
        )
    )
    assert {g["g"]["value"] for g in named} == {FIXTURE_GRAPH, GRAPH + "ontology"}
    bad = client.get("/sparql", params={"query": count, "default-graph-uri": "not an iri"})
    assert bad.status_code == 400 and "default-graph-uri" in bad.text


# -- formats -------------------------------------------------------------------------------


def test_select_in_every_results_format(client) -> None:
    q = "SELECT ?l WHERE { <http://example.org/thing> <http://example.org/note> ?l }"
    as_json = client.get("/sparql", params={"query": q}, headers={"Accept": SRJ})
    assert as_json.json()["results"]["bindings"][0]["l"]["value"].startswith("line one\nline two")
    as_xml = client.get("/sparql", params={"query": q}, headers={"Accept": SRX})
    assert as_xml.headers["content-type"] == SRX
    assert ET.fromstring(as_xml.content).find(f"{RESULTS_NS}results/{RESULTS_NS}result") is not None
    as_csv = client.get("/sparql", params={"query": q}, headers={"Accept": "text/csv"})
    assert as_csv.headers["content-type"] == "text/csv; charset=utf-8"
    table = list(csv.reader(io.StringIO(as_csv.text)))
    assert table[0] == ["l"] and table[1][0].startswith('line one\nline two, with "quotes"')
    as_tsv = client.get("/sparql", params={"query": q}, headers={"Accept": "text/tab-separated-values"})
    assert as_tsv.text.splitlines()[0] == "?l" and "\\n" in as_tsv.text


def test_ask_in_json_and_xml(client) -> None:
    assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json() == {"head": {}, "boolean": True}
    xml = client.get("/sparql", params={"query": "ASK { <http://nothing> ?p ?o }"}, headers={"Accept": SRX})
    assert ET.fromstring(xml.content).find(f"{RESULTS_NS}boolean").text == "false"


@pytest.mark.parametrize(
    "media_type, fmt",
    [
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("application/trig", ox.RdfFormat.TRIG),
        ("application/n-quads", ox.RdfFormat.N_QUADS),
    ],
)
def test_construct_in_every_graph_format(client, media_type: str, fmt) -> None:
    response = client.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": media_type})
    assert response.status_code == 200 and response.headers["content-type"].split(";")[0] == media_type
    assert len(list(ox.parse(response.content, format=fmt))) == 8


def test_describe(client) -> None:
    response = client.get("/sparql", params={"query": "DESCRIBE <http://example.org/thing>"})
    assert response.headers["content-type"].startswith("text/turtle")
    assert len(list(ox.parse(response.content, format=ox.RdfFormat.TURTLE))) >= 8


@pytest.mark.parametrize(
    "accept, expected",
    [
        ("text/csv;q=0.5, application/sparql-results+xml", SRX),
        ("text/csv, application/sparql-results+xml;q=0.9", "text/csv"),
        ("application/json", SRJ),
        ("application/xml", SRX),
        ("*/*", SRJ),
        ("text/*", "text/csv"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", SRX),
        ("garbage;;, text/tab-separated-values", "text/tab-separated-values"),
    ],
)
def test_negotiation_follows_q_values(client, accept: str, expected: str) -> None:
    response = client.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": accept})
    assert response.status_code == 200 and response.headers["content-type"].split(";")[0] == expected


@pytest.mark.parametrize(
    "name, media_type",
    [("json", SRJ), ("xml", SRX), ("csv", "text/csv"), ("tsv", "text/tab-separated-values"), ("text/csv", "text/csv")],
)
def test_format_parameter_for_select(client, name: str, media_type: str) -> None:
    response = client.get(
        "/sparql",
        params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "format": name},
        headers={"Accept": "text/turtle"},
    )
    assert response.headers["content-type"].split(";")[0] == media_type


@pytest.mark.parametrize(
    "name, media_type",
    [
        ("ttl", "text/turtle"),
        ("nt", "application/n-triples"),
        ("jsonld", "application/ld+json"),
        ("json", "application/ld+json"),
        ("rdfxml", "application/rdf+xml"),
        ("trig", "application/trig"),
        ("nq", "application/n-quads"),
    ],
)
def test_format_parameter_for_construct(client, name: str, media_type: str) -> None:
    response = client.get("/sparql", params={"query": CONSTRUCT, "format": name})
    assert response.headers["content-type"].split(";")[0] == media_type


def test_unsupported_formats_get_406_with_the_list(client) -> None:
    unknown = client.get("/sparql", params={"query": "ASK {}", "format": "yaml"})
    assert unknown.status_code == 406 and "application/sparql-results+json" in unknown.text and "ttl" in unknown.text
    wrong_family = client.get(
        "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"}, headers={"Accept": "text/turtle"}
    )
    assert wrong_family.status_code == 406 and "text/csv" in wrong_family.text
    graph_as_csv = client.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": "text/csv"})
    assert graph_as_csv.status_code == 406 and "text/turtle" in graph_as_csv.text
    nothing = client.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": "image/png"})
    assert nothing.status_code == 406


# -- service description ----------------------------------------------------------------


def test_service_description(client) -> None:
    response = client.get("/sparql")
    assert response.status_code == 200 and response.headers["content-type"] == "text/turtle; charset=utf-8"
    sd = ox.Store()
    sd.load(response.content, format=ox.RdfFormat.TURTLE)

    def one(q):
        result = sd.query(q)
        return bool(result) if isinstance(result, ox.QueryBoolean) else list(result)

    prefixes = "PREFIX sd: <http://www.w3.org/ns/sparql-service-description#> PREFIX void: <http://rdfs.org/ns/void#> "
    assert one(
        prefixes + "ASK { ?s a sd:Service ; sd:endpoint <http://testserver/sparql> ; "
        "sd:supportedLanguage sd:SPARQL11Query ; sd:feature sd:UnionDefaultGraph }"
    )
    formats = one(prefixes + "SELECT ?f WHERE { ?s sd:resultFormat ?f }")
    assert len(formats) == 10
    graphs = {
        r["name"].value: int(r["n"].value)
        for r in one(
            prefixes + "SELECT ?name ?n WHERE { ?s sd:defaultDataset/sd:namedGraph "
            "[ sd:name ?name ; sd:graph/void:triples ?n ] }"
        )
    }
    assert graphs[FIXTURE_GRAPH] == 8 and set(graphs) == {GRAPH + "ontology", GRAPH + "reference", FIXTURE_GRAPH}
    classes = one(prefixes + "SELECT ?n WHERE { ?s sd:defaultDataset/sd:defaultGraph/void:classes ?n }")
    assert int(classes[0]["n"].value) >= 10
    partition = one(
        prefixes + "SELECT ?n WHERE { ?d void:classPartition [ void:class "
        "<https://w3id.org/ccmgraph/ontology#LAPAction> ; void:entities ?n ] }"
    )
    assert int(partition[0]["n"].value) == 50
    assert not one(prefixes + "ASK { ?s sd:supportedLanguage sd:SPARQL11Update }")
    # which default graph the endpoint reads (issue 19: the choice reported)
    described = one(
        prefixes + "SELECT ?d WHERE { ?s sd:defaultDataset/sd:defaultGraph/<http://purl.org/dc/terms/description> ?d }"
    )
    assert DefaultGraphMode.STORE_DEFAULT.value in described[0]["d"].value


def test_service_description_formats_and_browsers(client) -> None:
    as_jsonld = client.get("/sparql", headers={"Accept": "application/ld+json"})
    assert as_jsonld.headers["content-type"] == "application/ld+json" and as_jsonld.json()
    browser = client.get(
        "/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}, follow_redirects=False
    )
    assert browser.status_code == 303 and browser.headers["location"] == "/query"
    assert client.get("/sparql", headers={"Accept": "text/csv"}).status_code == 406


# -- HTTP: CORS, compression, caching, HEAD ------------------------------------------------


def test_cors_is_open_for_reading(client) -> None:
    simple = client.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://example.net"})
    assert simple.headers["access-control-allow-origin"] == "*"
    assert "ETag" in simple.headers["access-control-expose-headers"]
    preflight = client.options(
        "/sparql",
        headers={
            "Origin": "https://example.net",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200 and "POST" in preflight.headers["access-control-allow-methods"]
    with_token = client.options(
        "/sparql",
        headers={
            "Origin": "https://example.net",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert with_token.status_code == 400  # no cross-origin updates with a token
    assert client.options("/sparql").headers["allow"] == "GET, HEAD, POST, OPTIONS"


def test_gzip_when_asked(client) -> None:
    q = {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 500"}
    zipped = client.get("/sparql", params=q, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip" and len(zipped.json()["results"]["bindings"]) == 500
    plain = client.get("/sparql", params=q, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.json() == zipped.json()
    raw = client.get("/sparql", params=q, headers={"Accept-Encoding": "gzip"})
    assert int(raw.headers["content-length"]) < len(plain.content) / 3  # httpx decoded it


def test_etag_and_cache_control(client) -> None:
    q = {"query": "SELECT ?s WHERE { ?s a <https://w3id.org/ccmgraph/ontology#LAPAction> } LIMIT 3"}
    first = client.get("/sparql", params=q)
    second = client.get("/sparql", params=q)
    assert first.headers["etag"] == second.headers["etag"]
    assert first.headers["cache-control"] == f"public, max-age={SETTINGS.max_age}"
    assert "Accept" in first.headers["vary"] and second.headers["x-cache"] == "hit"
    revalidated = client.get("/sparql", params=q, headers={"If-None-Match": first.headers["etag"]})
    assert revalidated.status_code == 304 and revalidated.content == b""
    other_type = client.get("/sparql", params=q, headers={"Accept": "text/csv"})
    assert other_type.headers["etag"] != first.headers["etag"]
    stale = client.get("/sparql", params=q, headers={"If-None-Match": '"something-else"'})
    assert stale.status_code == 200


def test_head(client) -> None:
    response = client.head("/sparql", params={"query": "ASK {}"})
    assert response.status_code == 200 and response.content == b"" and int(response.headers["content-length"]) > 0


def test_answers_over_max_rows_are_cut_and_say_so(client) -> None:
    response = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert len(rows(response)) == SETTINGS.max_rows
    assert response.headers["x-sparql-truncated"] == "rows"
    assert response.headers["x-sparql-maxrows"] == str(SETTINGS.max_rows) and "1000 rows" in response.headers["warning"]
    small = client.get("/sparql", params={"query": LAP_QUERY})
    assert "x-sparql-truncated" not in small.headers


# -- bad input: always a 4xx with a reason -------------------------------------------------


def test_malformed_query_gets_400_with_the_position(client) -> None:
    response = client.get("/sparql", params={"query": "SELECT * WHERE {\n  ?s ?p \n}"})
    assert response.status_code == 400 and response.headers["content-type"].startswith("text/plain")
    assert "line 3, column 2" in response.text and "^" in response.text


@pytest.mark.parametrize(
    "request_kwargs, status, words",
    [
        ({"params": {"query": ["ASK {}", "ASK {}"]}}, 400, "exactly one"),
        ({"params": {"query": ""}}, 400, "empty"),
        ({"params": {"query": "ASK {}", "timeout": "soon"}}, 400, "timeout"),
        ({"params": {"query": "ASK {}", "timeout": "-1"}}, 400, "timeout"),
        ({"params": {"query": "ASK {}", "update": "CLEAR ALL"}}, 400, "either"),
        ({"params": {"query": "ASK {}\x00"}}, 400, "NUL"),
    ],
)
def test_bad_parameters(client, request_kwargs, status: int, words: str) -> None:
    response = client.get("/sparql", **request_kwargs)
    assert response.status_code == status and words in response.text


def test_bad_bodies(client) -> None:
    wrong_type = client.post("/sparql", content=b"ASK {}", headers={"Content-Type": "text/plain"})
    assert wrong_type.status_code == 415 and "application/sparql-query" in wrong_type.text
    bad_utf8 = client.post("/sparql", content=b"ASK { \xff }", headers={"Content-Type": "application/sparql-query"})
    assert bad_utf8.status_code == 400 and "UTF-8" in bad_utf8.text.upper()
    bad_charset = client.post(
        "/sparql", content=b"ASK {}", headers={"Content-Type": "application/sparql-query; charset=nope"}
    )
    assert bad_charset.status_code == 415
    bad_percent = client.get("/sparql?query=ASK%20%7B%7D%FF")
    assert bad_percent.status_code == 400
    assert client.put("/sparql", content=b"x").status_code == 405


def test_oversized_requests_get_413(client) -> None:
    big = "ASK {} #" + "x" * SETTINGS.max_request_bytes
    too_big = client.post("/sparql", content=big.encode(), headers={"Content-Type": "application/sparql-query"})
    assert too_big.status_code == 413
    assert client.post("/sparql", data={"query": big}).status_code == 413
    assert client.get("/sparql", params={"query": big}).status_code == 413


def test_timeout_parameter_lowers_the_limit(client) -> None:
    response = client.get("/sparql", params={"query": RUNAWAY, "timeout": "0.3"})
    assert response.status_code == 503 and "0.3 s" in response.text and response.headers["x-sparql-timeout"] == "0.3"
    # retrying the same query would stop at the same limit: no Retry-After, and the message says so
    assert "retry-after" not in response.headers
    assert "timed out" in response.text and "sending it again will not help" in response.text


def test_retry_after_only_when_retrying_can_help() -> None:
    assert headers_of(EngineUnavailable("all engine workers are busy", retry_after=2.5))["Retry-After"] == "3"
    assert "Retry-After" not in headers_of(QueryTimeout(10))
    assert "Retry-After" not in headers_of(EngineUnavailable("the worker stopped"))


# -- the project's prefixes, and errors worded for people ------------------------------------


def test_project_prefixes_are_predeclared(client) -> None:
    bare = client.get("/sparql", params={"query": "SELECT ?a WHERE { ?a a ccm:LAPAction ; ccm:actionNumber 10 }"})
    assert [r["a"]["value"] for r in rows(bare)] == ["https://w3id.org/ccmgraph/id/lap-action/10"]
    own = client.get(
        "/sparql", params={"query": "PREFIX ccm: <http://example.org/mine#> SELECT ?a WHERE { ?a a ccm:LAPAction }"}
    )
    assert rows(own) == []  # the query's own ccm: wins


def test_undeclared_prefix_gets_the_prefix_line_to_add(client) -> None:
    response = client.get("/sparql", params={"query": "SELECT * WHERE {\n  ?d a void:Dataset\n}"})
    assert response.status_code == 400 and response.headers["content-type"].startswith("text/plain")
    assert "line 2, column 8: the prefix void: is not declared" in response.text
    assert "PREFIX void: <http://rdfs.org/ns/void#>" in response.text


def test_a_query_nested_too_deeply_is_a_400(client) -> None:
    deep = "SELECT * WHERE " + "{" * 5000 + "?s ?p ?o" + "}" * 5000
    response = client.post("/sparql", data={"query": deep})
    assert response.status_code == 400 and "nested too deeply" in response.text
    # 20,000 negations are no brackets, but the engine recurses over them too and its worker dies
    chain = client.post(
        "/sparql",
        content="ASK { FILTER(" + "!" * 20_000 + "true) }",
        headers={"Content-Type": "application/sparql-query"},
    )
    assert chain.status_code == 400 and "too deeply nested or too long" in chain.text
    assert "retry-after" not in chain.headers
    assert client.get("/sparql", params={"query": "ASK {}"}).json()["boolean"] is True


# -- updates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"data": {"update": "INSERT DATA { <http://a> <http://b> <http://c> }"}},
        {
            "content": b"INSERT DATA { <http://a> <http://b> <http://c> }",
            "headers": {"Content-Type": "application/sparql-update"},
        },
        {"data": {"query": "INSERT DATA { <http://a> <http://b> <http://c> }"}},
        {"data": {"query": "DROP ALL"}},
    ],
)
def test_updates_are_refused_when_read_only(client, request_kwargs) -> None:
    response = client.post("/sparql", **request_kwargs)
    assert response.status_code == 403 and "read-only" in response.text
    assert client.get("/sparql", params={"update": "CLEAR ALL"}).status_code == 403


def test_updates_with_the_flag_and_the_token(sparql_store) -> None:
    settings = SparqlSettings(timeout=2, workers=2, allow_update=True, update_token=TOKEN)
    update = "INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/new> <http://example.org/p> 'added' } }"
    ask = {"query": "ASK { <http://example.org/new> ?p ?o }"}
    with TestClient(make_app(settings)) as c:
        before = c.get("/sparql", params=ask)
        assert before.json()["boolean"] is False and before.headers["cache-control"] == "no-cache"
        no_token = c.post("/sparql", data={"update": update})
        assert no_token.status_code == 401 and "Bearer" in no_token.headers["www-authenticate"]
        wrong = c.post("/sparql", data={"update": update}, headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 403
        load = c.post(
            "/sparql", data={"update": "LOAD <http://127.0.0.1:9/x.ttl>"}, headers={"Authorization": f"Bearer {TOKEN}"}
        )
        assert load.status_code == 400 and "LOAD" in load.text
        bad = c.post("/sparql", data={"update": "INSERT DATA {"}, headers={"Authorization": f"Bearer {TOKEN}"})
        assert bad.status_code == 400 and "Malformed update, line 1, column" in bad.text
        ok = c.post(
            "/sparql",
            content=update.encode(),
            headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
        )
        assert ok.status_code == 204, ok.text
        after = c.get("/sparql", params=ask)
        assert after.json()["boolean"] is True and after.headers["etag"] != before.headers["etag"]
        # the rest of the app reads the updated graph too
        rows_ = c.app.state.engine.store.select("SELECT ?o WHERE { <http://example.org/new> ?p ?o }")
        assert rows_ == [{"o": "added"}]
        sd = c.get("/sparql").text
        assert "SPARQL11Update" in sd


# -- the query page --------------------------------------------------------------------------


def test_query_page(client) -> None:
    page = client.get("/query")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "PREFIX ccm: &lt;https://w3id.org/ccmgraph/ontology#&gt;" in page.text
    assert "LAP action by number" in page.text and "/static/query.js" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    named = page.text.split('id="named-queries">', 1)[1].split("</script>", 1)[0]
    query = json.loads(named)[0]
    assert "VALUES ?number {" in query["sparql"]
    filled = client.get("/query", params={"query": "ASK { <x:y> ?p ?o }"})
    assert "ASK { &lt;x:y&gt; ?p ?o }" in filled.text
    assert '<a href="/query">the SPARQL editor</a>' in client.get("/").text  # the home page sends there
    assert client.get("/static/query.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/static/query.css").status_code == 200


def test_named_query_from_the_page_runs(client) -> None:
    page = client.get("/query")
    named = json.loads(page.text.split('id="named-queries">', 1)[1].split("</script>", 1)[0])
    answer = rows(client.post("/sparql", data={"query": named[0]["sparql"]}))
    assert answer[0]["label"]["value"] == "LAP Action 10"


def test_openapi_documents_the_endpoint(client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"get", "post"} <= set(paths["/sparql"])


def test_the_route_behind_the_fast_path_redirects_a_trailing_slash(client) -> None:
    """FastPath answers every request for /sparql itself; the /sparql route it stands in front of
    is still what makes /sparql/ redirect (the router's redirect_slashes) rather than 404, and
    names the endpoint in the OpenAPI description."""
    response = client.get("/sparql/", params={"query": "ASK {}"}, follow_redirects=False)
    assert response.status_code in (307, 308)
    assert response.headers["location"].endswith("/sparql?query=ASK+%7B%7D")
    assert "/sparql" in client.get("/openapi.json").json()["paths"]
