"""Linked data: /id/... by content negotiation (HTML, Turtle, JSON-LD, N-Triples, RDF/XML, or by
suffix), /ontology, /shapes, /dataset (VoID + DCAT) and /downloads (the dumps in dist/)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path as FsPath
from typing import Any

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from ccmgraph import errors, formats, paths
from ccmgraph.analysis import views
from ccmgraph.formats import Format
from ccmgraph.namespaces import BASE, CCM, PREFIXES, VOID
from ccmgraph.store import Store, bind_parameters
from ccmgraph.web import dataset_releases, pages, security
from ccmgraph.web.deps import store_of
from ccmgraph.web.rendering import render
from ccmgraph.web.resource_pages import resource_page

router = APIRouter(tags=["linked data"])

PAGES = formats.RESOURCE_PAGES  # Turtle first: what */* gets
RDF_DOC: dict[int | str, dict[str, Any]] = {
    200: {"content": {f.media_type: {"schema": {"type": "string"}} for f in PAGES}},
    301: {"description": "a retired IRI: moved permanently to its successor (dcterms:isReplacedBy)"},
    404: {"description": "no such resource"},
    410: {"description": "a retired IRI without a successor (owl:deprecated): the answer says why and where to look"},
    406: {"description": "no acceptable format"},
}


def page_format(request: Request, suffix: str | None) -> Format:
    """The format of a resource page: by suffix, else by Accept."""
    return formats.negotiate(PAGES, request.headers.get("accept"), suffix=suffix)


def split_suffix(path: str) -> tuple[str, str | None]:
    stem, dot, ext = path.rpartition(".")
    if dot and formats.by_suffix(ext, PAGES):
        return stem, ext
    return path, None


@lru_cache(maxsize=1)
def context() -> dict[str, Any]:
    return json.loads(paths.CONTEXT.read_text(encoding="utf-8"))


def prefixed_graph() -> Graph:
    """An empty graph with the project's prefixes (and VoID's, DCAT's) bound for serializing."""
    g = Graph()
    for p, ns in PREFIXES.items():
        g.bind(p, ns, override=True, replace=True)
    g.bind("void", str(VOID))
    g.bind("dcat", str(DCAT))
    return g


def serialize(g: Graph, fmt: Format) -> bytes:
    if fmt is formats.JSON_LD:
        return g.serialize(format="json-ld", context=context()["@context"], auto_compact=True).encode()
    assert fmt.rdflib is not None, fmt  # every RDF format of PAGES has an rdflib writer
    return g.serialize(format=fmt.rdflib, encoding="utf-8")


def link_header(base: str) -> str:
    return ", ".join(f'<{base}.{f.suffix}>; rel="alternate"; type="{f.media_type}"' for f in PAGES)


def rdf_response(g: Graph, fmt: Format, base: str) -> Response:
    return Response(serialize(g, fmt), media_type=fmt.media_type, headers={"Link": link_header(base), "Vary": "Accept"})


async def describe_resource(request: Request, iri: str) -> Graph:
    try:
        node = ox.NamedNode(iri)
    except ValueError:
        raise errors.NotFound(f"not a resource IRI: {iri!r}") from None
    text = bind_parameters(views.view("describe").sparql, {"resource": node})
    try:
        # the query and the parse both off the event loop: parsing is most of the Python work of a page
        return await run_in_threadpool(_described, store_of(request), text)
    except errors.QueryEvaluationError as exc:
        raise errors.NotFound(f"cannot describe {iri!r}: {exc}") from None


def _described(store: Store, text: str) -> Graph:
    answer = store.query(text, formats.N_TRIPLES.media_type)
    g = prefixed_graph()
    g.parse(data=answer.body.decode("utf-8"), format="nt")
    return g


@router.get(
    "/id/{path:path}",
    responses=RDF_DOC,
    response_class=Response,
    summary="A resource, by content negotiation or suffix (.ttl .jsonld .nt .rdf .html)",
)
async def resource(request: Request, path: str) -> Response:
    path, suffix = split_suffix(path)
    iri = views.ID + path
    fmt = page_format(request, suffix)
    g = await describe_resource(request, iri)
    successor = g.value(URIRef(iri), DCTERMS.isReplacedBy)
    if isinstance(successor, URIRef) and str(successor).startswith(views.ID):
        # a retired IRI (data/reference/retired.ttl) stays a promise: it moves, permanently
        target = "/id/" + str(successor).removeprefix(views.ID) + (f".{suffix}" if suffix else "")
        return RedirectResponse(target, status_code=301)
    if (URIRef(iri), OWL.deprecated, Literal(True)) in g:
        raise errors.Gone(retired(g, URIRef(iri)))
    if not any(g.triples((URIRef(iri), None, None))) and not any(g.triples((None, None, URIRef(iri)))):
        raise errors.NotFound(f"no resource {iri}")
    if fmt is formats.HTML:
        html = await resource_page(request, iri, g)
        return HTMLResponse(html, headers={"Link": link_header(f"/id/{path}"), "Vary": "Accept"})
    return rdf_response(g, fmt, f"/id/{path}")


def retired(g: Graph, node: URIRef) -> str:
    """Why a retired IRI without a successor is gone, and where to look (data/reference/retired.ttl)."""
    notes = sorted(str(n) for n in g.objects(node, SKOS.editorialNote))
    see = sorted(str(s) for s in g.objects(node, RDFS.seeAlso))
    return " ".join(
        [
            f"{node} was retired without a successor{': ' + ' '.join(notes) if notes else '.'}",
            *(f"See {s}." for s in see),
            "The releases that published it: /dataset/releases.",
        ]
    )


# ------------------------------------------------------------------ ontology and shapes


@lru_cache(maxsize=4)
def file_graph(path: str) -> Graph:
    return prefixed_graph().parse(path, format="turtle")


def schema_doc(file: FsPath, name: str, request: Request, suffix: str | None) -> Response:
    if suffix is not None and not formats.by_suffix(suffix, PAGES):
        raise errors.NotFound(f"no format .{suffix}")
    fmt = page_format(request, suffix)
    if fmt is formats.HTML and name == "ontology":
        doc = dist_dir(request) / paths.ONTOLOGY_HTML
        if not doc.exists():
            raise errors.NotFound(
                "the ontology's HTML documentation is made by `ccmgraph build`; ask for text/turtle, or build first"
            )
        html = (
            doc.read_text(encoding="utf-8")
            .replace("</head>", '<link rel="stylesheet" href="/static/ontology.css"></head>', 1)
            .replace("</body>", render("cite.html", title="ccmgraph ontology") + "</body>", 1)
        )
        return HTMLResponse(
            html,
            headers={
                "Link": link_header(f"/{name}"),
                "Vary": "Accept",
                "Content-Security-Policy": security.policy_for(html),
            },
        )
    if fmt is formats.HTML:
        return HTMLResponse(
            pages.schema_page(file_graph(str(file)), name), headers={"Link": link_header(f"/{name}"), "Vary": "Accept"}
        )
    if fmt is formats.TURTLE:
        return Response(
            file.read_bytes(), media_type=fmt.media_type, headers={"Link": link_header(f"/{name}"), "Vary": "Accept"}
        )
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


def dump_type(name: str) -> str:
    """The media type of a dump in dist/, by its suffix."""
    fmt = formats.by_suffix(FsPath(name).suffix, formats.GRAPHS)
    return fmt.media_type if fmt else "application/octet-stream"


async def dataset_graph(request: Request) -> Graph:
    m = manifest(request)
    classes = await run_in_threadpool(views.run, store_of(request), "class-counts")
    base = str(request.base_url).rstrip("/")
    ds = URIRef(BASE + "dataset")
    g = prefixed_graph()
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add(
        (ds, DCTERMS.title, Literal("ccmgraph: Convention on Cluster Munitions implementation work plans", lang="en"))
    )
    g.add(
        (
            ds,
            DCTERMS.description,
            Literal(
                "Work plans of the CCM coordinators and ISU with their objectives, "
                "activities, partners, timelines and LAP actions, every link backed "
                "by a quote from its source document.",
                lang="en",
            ),
        )
    )
    g.add((ds, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")))
    g.add((ds, VOID.uriSpace, Literal(views.ID)))
    g.add((ds, VOID.sparqlEndpoint, URIRef(base + "/sparql")))
    g.add((ds, VOID.vocabulary, URIRef(CCM)))
    g.add((ds, VOID.triples, Literal(sum(m.get("graphs", {}).values()), datatype=XSD.integer)))
    g.add((ds, VOID.classes, Literal(len(classes), datatype=XSD.integer)))
    for graph, n in m.get("graphs", {}).items():
        sub = URIRef(graph)
        g.add((ds, VOID.subset, sub))
        g.add((sub, RDF.type, VOID.Dataset))
        g.add((sub, VOID.triples, Literal(n, datatype=XSD.integer)))
    for i, c in enumerate(classes):
        part = URIRef(f"{BASE}dataset/class/{i}")
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
        g.add((dist, DCAT.mediaType, Literal(dump_type(name))))
        g.add((dist, URIRef("http://spdx.org/rdf/terms#checksum"), Literal("sha256:" + info["sha256"])))
    listed, served = await dataset_releases.releases(request)
    dataset_releases.describe(g, ds, base, listed, served)
    return g


@router.get("/dataset", responses=RDF_DOC, response_class=Response, summary="VoID and DCAT description")
async def dataset(request: Request) -> Response:
    fmt = page_format(request, None)
    g = await dataset_graph(request)
    if fmt is formats.HTML:
        listed, served = await dataset_releases.releases(request)
        classes = await run_in_threadpool(views.run, store_of(request), "class-counts")
        return HTMLResponse(
            render(
                "dataset.html",
                title="Dataset",
                graph=g.serialize(format="turtle"),
                manifest=manifest(request),
                classes=classes,
                releases=[dataset_releases.as_json(r, served) for r in reversed(listed)],
            )
        )
    return rdf_response(g, fmt, "/dataset")


@router.get(
    "/downloads",
    response_model=list[dict[str, Any]],
    responses={200: {"content": {formats.HTML.media_type: {}}}},
    summary="The dumps in dist/ with sizes and sha256 checksums",
)
async def downloads(request: Request) -> Response:
    files = [
        {"name": n, "url": f"/downloads/{n}", "bytes": i["bytes"], "sha256": i["sha256"], "mediaType": dump_type(n)}
        for n, i in manifest(request).get("files", {}).items()
    ]
    if formats.negotiate(formats.LISTINGS, request.headers.get("accept"), otherwise=formats.JSON) is formats.HTML:
        return HTMLResponse(render("downloads.html", title="Downloads", files=files))
    return Response(json.dumps(files), media_type=formats.JSON.media_type)


@router.get(
    "/downloads/{name}",
    response_class=FileResponse,
    summary="One dump",
    responses={200: {"content": {f.media_type: {} for f in formats.GRAPHS}}, 404: {}},
)
async def download(request: Request, name: str) -> FileResponse:
    if name not in manifest(request).get("files", {}):
        raise errors.NotFound(f"no download {name!r}; GET /downloads lists them")
    return FileResponse(dist_dir(request) / name, media_type=dump_type(name))
