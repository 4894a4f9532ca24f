"""The releases (ccmgraph.release_history) on the web: /dataset/releases lists them, newest
first, with their dumps' checksums and the statements added and removed in each named graph since
the release before; /dataset/releases/{version} one of them (what every answer's ``Link`` header
points at); /dataset/releases/{version}/ccmgraph.nq.gz the dump of a release the project keeps.
JSON or HTML by negotiation; the DCAT description (``describe``) goes into /dataset."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS, XSD

from ccmgraph import errors, formats, release_history
from ccmgraph.namespaces import BASE, VOID
from ccmgraph.release_history import Release
from ccmgraph.web.citation import identity, release_path, served_version
from ccmgraph.web.deps import engine_of
from ccmgraph.web.rendering import render

router = APIRouter(tags=["linked data"])
KEPT_DUMP = "ccmgraph.nq.gz"
VERSION = re.compile(r"[0-9a-f]{16}")
DCAT3 = Namespace(str(DCAT))  # rdflib's DCAT is DCAT 2: the version terms are DCAT 3's
SPDX_CHECKSUM = URIRef("http://spdx.org/rdf/terms#checksum")


async def releases(request: Request) -> tuple[list[Release], str]:
    """The releases, oldest first (the build served last when it is not recorded), and the version served."""
    served = await served_version(engine_of(request))
    dist = Path(request.app.state.dist)
    listed = await run_in_threadpool(
        _releases, dist, served, identity(release_history.record_file()), identity(dist / "manifest.json")
    )
    return listed, served


@lru_cache(maxsize=8)
def _releases(dist: Path, served: str, _record: tuple[int, int], _manifest: tuple[int, int]) -> list[Release]:
    recorded = release_history.history()
    if served in {r.version for r in recorded}:
        return recorded
    try:
        build = release_history.built(dist, recorded)
    except (OSError, ValueError, KeyError):
        return recorded
    return [*recorded, release_history.with_changes(build, dist)] if build.version == served else recorded


def as_json(r: Release, served: str) -> dict[str, Any]:
    return {
        **r.as_json(),
        "served": r.version == served,
        "url": release_path(r.version),
        "dump": f"{release_path(r.version)}/{KEPT_DUMP}" if r.kept else None,
    }


def _answer(request: Request, listed: list[Release], served: str, title: str, *, one: bool = False) -> Response:
    newest_first = [as_json(r, served) for r in reversed(listed)]
    if formats.negotiate(formats.LISTINGS, request.headers.get("accept"), otherwise=formats.JSON) is formats.HTML:
        return HTMLResponse(render("releases.html", title=title, releases=newest_first, served=served, one=one))
    return JSONResponse(newest_first[0] if one else newest_first)


@router.get(
    "/dataset/releases",
    summary="The releases, newest first: version, date, dump checksums, triples and changes per named graph",
    responses={200: {"content": {formats.HTML.media_type: {}}}},
)
async def release_list(request: Request) -> Response:
    listed, served = await releases(request)
    return _answer(request, listed, served, "Releases")


@router.get(
    "/dataset/releases/{version}",
    summary="One release: version, date, dump checksums, triples and changes per named graph",
    responses={200: {"content": {formats.HTML.media_type: {}}}, 404: {}},
)
async def release(request: Request, version: str) -> Response:
    listed, served = await releases(request)
    found = [r for r in listed if r.version == version]
    if not found:
        raise errors.NotFound(f"no release {version!r}; GET /dataset/releases lists them")
    return _answer(request, found, served, f"Release {version}", one=True)


@router.get(
    "/dataset/releases/{version}/" + KEPT_DUMP,
    response_class=FileResponse,
    summary="The N-Quads dump (gzip) of a release the project keeps",
    responses={200: {"content": {"application/gzip": {}}}, 404: {}},
)
async def kept_dump(version: str) -> FileResponse:
    file = release_history.kept_dump(version)
    if not VERSION.fullmatch(version) or not file.exists():
        raise errors.NotFound(f"the dump of release {version!r} is not kept; GET /dataset/releases lists those kept")
    return FileResponse(file, media_type="application/gzip", filename=f"ccmgraph-{version}.nq.gz")


def describe(g: Graph, dataset: URIRef, base: str, listed: list[Release], served: str) -> None:
    """The releases in the dataset's DCAT description: each a dcat:Dataset version with its date,
    the checksums of its dumps and its triples, linked to the one before it."""
    for r in listed:
        node = URIRef(BASE + release_path(r.version).removeprefix("/"))
        g.add((dataset, DCAT3.hasVersion, node))
        g.add((node, RDF.type, DCAT.Dataset))
        g.add((node, DCAT3.version, Literal(r.version)))
        g.add((node, DCTERMS.issued, Literal(r.date, datatype=XSD.date if r.recorded else XSD.dateTime)))
        g.add((node, VOID.triples, Literal(r.total, datatype=XSD.integer)))
        g.add((node, DCTERMS.isVersionOf, dataset))
        g.add((node, RDFS.seeAlso, URIRef(base + release_path(r.version))))
        for name, sha in r.files.items():
            g.add((node, SPDX_CHECKSUM, Literal(f"{name} sha256:{sha}")))
        if r.previous:
            g.add((node, DCAT3.previousVersion, URIRef(BASE + release_path(r.previous).removeprefix("/"))))
        if r.version == served:
            g.add((dataset, DCAT3.version, Literal(r.version)))
