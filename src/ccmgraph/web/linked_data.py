"""Linked data: /id/... by content negotiation (HTML, Turtle, JSON-LD, N-Triples, RDF/XML, or by
suffix), /ontology, /shapes, /dataset (VoID + DCAT) and /downloads (the dumps in dist/)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path as FsPath
from typing import Any

import mimeparse
import pyoxigraph as ox
from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, Response
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, XSD

from ccmgraph import analysis as views
from ccmgraph import paths
from ccmgraph.build import ONTOLOGY_HTML
from ccmgraph.errors import LimitExceeded, UpstreamError
from ccmgraph.namespaces import PREFIXES, VOID
from ccmgraph.store import QueryError
from ccmgraph.store import bind as store_bind
from ccmgraph.web import pages

router = APIRouter(tags=["linked data"])

FORMATS = {  # suffix -> (media type, rdflib format)
    "ttl": ("text/turtle", "turtle"),
    "jsonld": ("application/ld+json", "json-ld"),
    "nt": ("application/n-triples", "nt"),
    "rdf": ("application/rdf+xml", "xml"),
    "html": ("text/html", None),
}
# the last is chosen on ties (*/*): Turtle
OFFER = ["text/html", "application/xhtml+xml", "application/ld+json", "application/json", "application/n-triples",
         "application/rdf+xml", "application/xml", "text/plain", "text/turtle"]
BY_TYPE = {"text/html": "html", "application/xhtml+xml": "html", "application/ld+json": "jsonld",
           "application/json": "jsonld", "application/n-triples": "nt", "text/plain": "nt",
           "application/rdf+xml": "rdf", "application/xml": "rdf", "text/turtle": "ttl"}
RDF_DOC = {200: {"content": {t: {"schema": {"type": "string"}} for t, _ in FORMATS.values()}},
           404: {"description": "no such resource"}, 406: {"description": "no acceptable format"}}


def negotiate(request: Request, suffix: str | None) -> str:
    if suffix:
        return suffix
    accept = request.headers.get("accept") or "*/*"
    try:
        best = mimeparse.best_match(OFFER, accept)
    except (ValueError, IndexError):
        best = ""
    if not best:
        raise HTTPException(406, "acceptable: " + ", ".join(t for t, _ in FORMATS.values()))
    return BY_TYPE[best]


def split_suffix(path: str) -> tuple[str, str | None]:
    stem, dot, ext = path.rpartition(".")
    if dot and ext in FORMATS:
        return stem, ext
    return path, None


@lru_cache(maxsize=1)
def context() -> dict[str, Any]:
    return json.loads(paths.CONTEXT.read_text(encoding="utf-8"))


def bind(g: Graph) -> Graph:
    for p, ns in PREFIXES.items():
        g.bind(p, ns, override=True, replace=True)
    g.bind("void", str(VOID))
    g.bind("dcat", str(DCAT))
    return g


def serialize(g: Graph, fmt: str) -> bytes:
    if fmt == "jsonld":
        return g.serialize(format="json-ld", context=context()["@context"], auto_compact=True).encode()
    return g.serialize(format=FORMATS[fmt][1], encoding="utf-8")


def link_header(base: str) -> str:
    return ", ".join(f'<{base}.{ext}>; rel="alternate"; type="{t}"' for ext, (t, _) in FORMATS.items())


def rdf_response(g: Graph, fmt: str, base: str) -> Response:
    media = FORMATS[fmt][0]
    return Response(serialize(g, fmt), media_type=media,
                    headers={"Link": link_header(base), "Vary": "Accept"})


async def describe(request: Request, iri: str) -> Graph:
    try:
        node = ox.NamedNode(iri)
    except ValueError:
        raise HTTPException(404, f"not a resource IRI: {iri!r}") from None
    text = store_bind(views.view("describe").sparql, {"resource": node})
    try:
        answer = await run_in_threadpool(request.app.state.store.query, text, "application/n-triples")
    except (UpstreamError, LimitExceeded):
        raise  # a remote store that does not answer (502) or stopped the query (503)
    except QueryError as exc:
        raise HTTPException(404, f"cannot describe {iri!r}: {exc}") from None
    g = bind(Graph())
    g.parse(data=answer.body.decode("utf-8"), format="nt")
    return g


@router.get("/id/{path:path}", responses=RDF_DOC, response_class=Response,
            summary="A resource, by content negotiation or suffix (.ttl .jsonld .nt .rdf .html)")
async def resource(request: Request, path: str) -> Response:
    path, suffix = split_suffix(path)
    iri = views.ID + path
    fmt = negotiate(request, suffix)
    g = await describe(request, iri)
    if not any(g.triples((URIRef(iri), None, None))) and not any(g.triples((None, None, URIRef(iri)))):
        raise HTTPException(404, f"no resource {iri}")
    if fmt == "html":
        html = await pages.resource_page(request, iri, g)
        return HTMLResponse(html, headers={"Link": link_header(f"/id/{path}"), "Vary": "Accept"})
    return rdf_response(g, fmt, f"/id/{path}")


# ------------------------------------------------------------------ ontology and shapes

@lru_cache(maxsize=4)
def file_graph(path: str) -> Graph:
    return bind(Graph()).parse(path, format="turtle")


def schema_doc(file: FsPath, name: str, request: Request, suffix: str | None) -> Response:
    if suffix is not None and suffix not in FORMATS:
        raise HTTPException(404, f"no format .{suffix}")
    fmt = negotiate(request, suffix)
    if fmt == "html" and name == "ontology":
        doc = dist_dir(request) / ONTOLOGY_HTML
        if not doc.exists():
            raise HTTPException(404, "the ontology's HTML documentation is made by `ccmgraph build`; "
                                     "ask for text/turtle, or build first")
        return HTMLResponse(doc.read_text(encoding="utf-8"),
                            headers={"Link": link_header(f"/{name}"), "Vary": "Accept"})
    if fmt == "html":
        return HTMLResponse(pages.schema_page(file_graph(str(file)), name),
                            headers={"Link": link_header(f"/{name}"), "Vary": "Accept"})
    if fmt == "ttl":
        return Response(file.read_bytes(), media_type="text/turtle",
                        headers={"Link": link_header(f"/{name}"), "Vary": "Accept"})
    return rdf_response(file_graph(str(file)), fmt, f"/{name}")


@router.get("/ontology", responses=RDF_DOC, response_class=Response, summary="The ontology (ccm.ttl)")
async def ontology(request: Request) -> Response:
    return schema_doc(paths.ONTOLOGY, "ontology", request, None)


@router.get("/ontology.{ext}", responses=RDF_DOC, response_class=Response, include_in_schema=False)
async def ontology_as(request: Request, ext: str) -> Response:
    return schema_doc(paths.ONTOLOGY, "ontology", request, ext)


@router.get("/shapes", responses=RDF_DOC, response_class=Response, summary="The SHACL shapes (shapes.ttl)")
async def shapes(request: Request) -> Response:
    return schema_doc(paths.SHAPES, "shapes", request, None)


@router.get("/shapes.{ext}", responses=RDF_DOC, response_class=Response, include_in_schema=False)
async def shapes_as(request: Request, ext: str) -> Response:
    return schema_doc(paths.SHAPES, "shapes", request, ext)


# ------------------------------------------------------------------ dataset and downloads

def dist_dir(request: Request) -> FsPath:
    return FsPath(getattr(request.app.state, "dist", None) or paths.DIST)


def manifest(request: Request) -> dict[str, Any]:
    file = dist_dir(request) / "manifest.json"
    if not file.exists():
        return {"files": {}, "graphs": {}}
    return json.loads(file.read_text(encoding="utf-8"))


DUMP_TYPES = {".trig": "application/trig", ".nq": "application/n-quads", ".ttl": "text/turtle",
              ".jsonld": "application/ld+json"}


async def dataset_graph(request: Request) -> Graph:
    m = manifest(request)
    classes = await run_in_threadpool(views.run, request.app.state.store, "class-counts")
    base = str(request.base_url).rstrip("/")
    ds = URIRef("https://w3id.org/ccmgraph/dataset")
    g = bind(Graph())
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCTERMS.title, Literal("ccmgraph: Convention on Cluster Munitions implementation work plans", lang="en")))
    g.add((ds, DCTERMS.description, Literal("Work plans of the CCM coordinators and ISU with their objectives, "
                                            "activities, partners, timelines and LAP actions, every link backed "
                                            "by a quote from its source document.", lang="en")))
    g.add((ds, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")))
    g.add((ds, VOID.uriSpace, Literal(views.ID)))
    g.add((ds, VOID.sparqlEndpoint, URIRef(base + "/sparql")))
    g.add((ds, VOID.vocabulary, URIRef("https://w3id.org/ccmgraph/ontology#")))
    g.add((ds, VOID.triples, Literal(sum(m.get("graphs", {}).values()), datatype=XSD.integer)))
    g.add((ds, VOID.classes, Literal(len(classes), datatype=XSD.integer)))
    for graph, n in m.get("graphs", {}).items():
        sub = URIRef(graph)
        g.add((ds, VOID.subset, sub))
        g.add((sub, RDF.type, VOID.Dataset))
        g.add((sub, VOID.triples, Literal(n, datatype=XSD.integer)))
    for i, c in enumerate(classes):
        part = URIRef(f"https://w3id.org/ccmgraph/dataset/class/{i}")
        g.add((ds, VOID.classPartition, part))
        g.add((part, VOID["class"], URIRef(c["class"])))
        g.add((part, VOID.entities, Literal(c["entities"], datatype=XSD.integer)))
    for name, info in m.get("files", {}).items():
        dist = URIRef(f"{base}/downloads/{name}")
        g.add((ds, VOID.dataDump, dist))
        g.add((ds, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCAT.downloadURL, dist))
        g.add((dist, DCAT.byteSize, Literal(info["bytes"], datatype=XSD.integer)))
        g.add((dist, DCAT.mediaType, Literal(DUMP_TYPES.get(FsPath(name).suffix, "application/octet-stream"))))
        g.add((dist, URIRef("http://spdx.org/rdf/terms#checksum"), Literal("sha256:" + info["sha256"])))
    return g


@router.get("/dataset", responses=RDF_DOC, response_class=Response, summary="VoID and DCAT description")
async def dataset(request: Request) -> Response:
    fmt = negotiate(request, None)
    g = await dataset_graph(request)
    if fmt == "html":
        return HTMLResponse(pages.render("dataset.html", request, title="Dataset", graph=g.serialize(format="turtle"),
                                         manifest=manifest(request)))
    return rdf_response(g, fmt, "/dataset")


@router.get("/downloads", response_model=list[dict[str, Any]], responses={200: {"content": {"text/html": {}}}},
            summary="The dumps in dist/ with sizes and sha256 checksums")
async def downloads(request: Request) -> Response:
    files = [{"name": n, "url": f"/downloads/{n}", "bytes": i["bytes"], "sha256": i["sha256"],
              "mediaType": DUMP_TYPES.get(FsPath(n).suffix, "application/octet-stream")}
             for n, i in manifest(request).get("files", {}).items()]
    accept = request.headers.get("accept", "")
    if "text/html" in accept:
        return HTMLResponse(pages.render("downloads.html", request, title="Downloads", files=files))
    return Response(json.dumps(files), media_type="application/json")


@router.get("/downloads/{name}", response_class=FileResponse, summary="One dump",
            responses={200: {"content": {t: {} for t in DUMP_TYPES.values()}}, 404: {}})
async def download(request: Request, name: str) -> FileResponse:
    if name not in manifest(request).get("files", {}):
        raise HTTPException(404, f"no download {name!r}; GET /downloads lists them")
    return FileResponse(dist_dir(request) / name, media_type=DUMP_TYPES.get(FsPath(name).suffix))
