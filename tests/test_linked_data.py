"""Linked data: /id/... by content negotiation and suffix, /ontology, /shapes, /dataset, /downloads."""

from __future__ import annotations

import hashlib
import json

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from ccmgraph.web.app import create_app

ID = "https://w3id.org/ccmgraph/id/"
CCM = "https://w3id.org/ccmgraph/ontology#"
OA = "http://www.w3.org/ns/oa#"
ACTIVITY = "workplan/gso-2024-2025/activity/1c"

RDF_FORMATS = {  # media type -> (suffix, rdflib parser)
    "text/turtle": ("ttl", "turtle"),
    "application/ld+json": ("jsonld", "json-ld"),
    "application/n-triples": ("nt", "nt"),
    "application/rdf+xml": ("rdf", "xml"),
}


@pytest.fixture(scope="module")
def client(store, dist) -> TestClient:
    return TestClient(create_app(store=store, dist=dist))


@pytest.mark.parametrize("media", list(RDF_FORMATS))
def test_conneg_every_format(client, media):
    suffix, parser = RDF_FORMATS[media]
    for r in (client.get(f"/id/{ACTIVITY}", headers={"Accept": media}), client.get(f"/id/{ACTIVITY}.{suffix}")):
        assert r.status_code == 200
        assert r.headers["content-type"].split(";")[0] == media
        g = Graph().parse(data=r.text, format=parser, publicID=ID)
        # gso-workplan-2024-2025.txt: "c) Continue work with UNIDIR, support research initiatives ..."
        assert (URIRef(ID + ACTIVITY), URIRef(CCM + "partner"), URIRef(ID + "org/unidir")) in g
        assert 'rel="alternate"' in r.headers["link"] and f"/id/{ACTIVITY}.ttl" in r.headers["link"]


def test_jsonld_uses_project_context(client):
    body = client.get(f"/id/{ACTIVITY}.jsonld").json()
    assert body["@context"]["ccm"] == CCM


def test_html_for_browsers(client):
    r = client.get(f"/id/{ACTIVITY}", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.headers["content-type"].startswith("text/html")
    # the quote, highlighted in its sentence
    assert "<mark>c) Continue work with UNIDIR" in r.text
    assert client.get(f"/id/{ACTIVITY}.html").status_code == 200


def test_turtle_contains_the_resource_triples(client, dataset):
    """Every triple the graph holds about the resource is in its Turtle description."""
    node = URIRef(ID + ACTIVITY)
    g = Graph().parse(data=client.get(f"/id/{ACTIVITY}.ttl").text, format="turtle")
    own = set(dataset.triples((node, None, None)))
    assert own and own <= set(g)
    # incoming links with their labels: the work plan lists the activity
    plan = URIRef(ID + "workplan/gso-2024-2025")
    assert (plan, URIRef(CCM + "hasActivity"), node) in g
    assert any(g.objects(plan, RDFS.label))
    # the evidence and its quote selector
    quotes = [str(o) for o in g.objects(None, URIRef(OA + "exact"))]
    assert any(q.startswith("c) Continue work with UNIDIR") for q in quotes)


def test_unknown_resource_and_unacceptable(client):
    assert client.get("/id/state/XXX").status_code == 404
    assert client.get("/id/lap-action/10", headers={"Accept": "image/png"}).status_code == 406
    assert client.get("/id/%3Cbad%3E").status_code == 404


def test_default_is_turtle(client):
    r = client.get("/id/state/DEU", headers={"Accept": "*/*"})
    assert r.headers["content-type"].startswith("text/turtle")
    g = Graph().parse(data=r.text, format="turtle")
    assert (URIRef(ID + "state/DEU"), RDFS.label, Literal("Germany")) in g or any(
        str(o) == "Germany" for o in g.objects(URIRef(ID + "state/DEU"), RDFS.label)
    )


@pytest.mark.parametrize("name,term", [("ontology", CCM + "WorkPlan"), ("shapes", None)])
def test_ontology_and_shapes(client, name, term):
    r = client.get(f"/{name}", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = Graph().parse(data=r.text, format="turtle")
    assert len(g) > 10
    if term:
        assert (URIRef(term), RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class")) in g
    html = client.get(f"/{name}", headers={"Accept": "text/html"})
    assert html.headers["content-type"].startswith("text/html")
    for suffix, (media, parser) in {
        "jsonld": ("application/ld+json", "json-ld"),
        "nt": ("application/n-triples", "nt"),
        "rdf": ("application/rdf+xml", "xml"),
    }.items():
        r = client.get(f"/{name}.{suffix}")
        assert r.headers["content-type"].startswith(media)
        assert len(Graph().parse(data=r.text, format=parser)) == len(g)


def test_ontology_html_is_pylodes_documentation(client):
    html = client.get("/ontology", headers={"Accept": "text/html"}).text
    assert "pyLODE" in html and "<title>ccmgraph ontology" in html
    # every class is documented with its label and comment from ccm.ttl
    assert "action alignment" in html and "A qualified statement that a work plan or element serves" in html
    assert "https://w3id.org/ccmgraph/ontology#servesAction" in html


def test_shapes_html_lists_shapes(client):
    html = client.get("/shapes.html").text
    assert "ActionAlignment" in html


def test_dataset_void_dcat(client, dist):
    g = Graph().parse(data=client.get("/dataset", headers={"Accept": "text/turtle"}).text, format="turtle")
    ds = URIRef("https://w3id.org/ccmgraph/dataset")
    void = "http://rdfs.org/ns/void#"
    manifest = json.loads((dist / "manifest.json").read_text())
    assert int(g.value(ds, URIRef(void + "triples"))) == sum(manifest["graphs"].values())
    assert len(list(g.objects(ds, URIRef(void + "subset")))) == len(manifest["graphs"])
    assert g.value(ds, URIRef("http://purl.org/dc/terms/license")) is not None
    assert len(list(g.objects(ds, URIRef("http://www.w3.org/ns/dcat#distribution")))) == len(manifest["files"])
    assert int(g.value(ds, URIRef(void + "classes"))) > 10


def test_downloads_sizes_and_checksums(client, dist):
    files = client.get("/downloads").json()
    assert {f["name"] for f in files} == {"ccmgraph.jsonld", "ccmgraph.nq", "ccmgraph.trig", "ccmgraph.ttl"}
    f = next(f for f in files if f["name"] == "ccmgraph.ttl")
    body = client.get(f["url"]).content
    assert len(body) == f["bytes"] and hashlib.sha256(body).hexdigest() == f["sha256"]
    assert client.get("/downloads/../pyproject.toml").status_code == 404
    assert client.get("/downloads/nothing.ttl").status_code == 404
