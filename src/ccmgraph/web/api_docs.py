"""/docs: the OpenAPI description in Swagger UI, served from the files of the PyPI package
fastapi-offline (Swagger UI 5, which reads OpenAPI 3.1), so the page works without internet and
under the site's Content-Security-Policy (the initializer is a file, not an inline script); the
static mount (``web.static``) serves those files under /static/."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from ccmgraph.web.rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/docs", response_class=HTMLResponse)
async def docs() -> HTMLResponse:
    return HTMLResponse(render("docs.html", title="API documentation"))
