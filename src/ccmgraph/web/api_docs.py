"""/docs: the OpenAPI description in Swagger UI, served from the files of the PyPI package
fastapi-offline (Swagger UI 5, which reads OpenAPI 3.1), so the page works without internet and
under the site's Content-Security-Policy (the initializer is a file, not an inline script)."""

from __future__ import annotations

from importlib.resources import files

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from ccmgraph import errors

router = APIRouter(include_in_schema=False)
SWAGGER = files("fastapi_offline") / "static"
ASSETS = {"swagger-ui-bundle.js": "text/javascript; charset=utf-8", "swagger-ui.css": "text/css; charset=utf-8"}


@router.get("/docs", response_class=HTMLResponse)
async def docs() -> HTMLResponse:
    from ccmgraph.web.pages import render

    return HTMLResponse(render("docs.html", title="API documentation"))


@router.get("/static/swagger/{name}")
async def swagger_asset(name: str) -> Response:
    if name not in ASSETS:
        raise errors.NotFound(f"no file {name!r}")
    return Response(
        (SWAGGER / name).read_bytes(), media_type=ASSETS[name], headers={"Cache-Control": "public, max-age=86400"}
    )
