"""The reports an analyst takes away: /reports/lap-review as a page, PDF, spreadsheet or CSV
(the review itself is ``analysis.review``; its formats ``web.report_formats``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from ccmgraph import errors
from ccmgraph.analysis import review, service
from ccmgraph.web import report_formats as report
from ccmgraph.web.deps import engine_of, store_of

router = APIRouter(tags=["pages"])
MEDIA = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


@router.get("/reports/lap-review", response_class=HTMLResponse, summary="The LAP review (HTML, PDF, xlsx, CSV)")
async def lap_review(
    request: Request,
    basis: Annotated[str | None, Query(description=service.BASIS_DOC)] = None,
    first: Annotated[str | None, Query(alias="from", description="first cycle, such as 2024-2025")] = None,
    last: Annotated[str | None, Query(alias="to", description="last cycle, such as 2025-2026")] = None,
    workplan: Annotated[list[str] | None, Query(description="only these work plans (keys)")] = None,
    format: Annotated[str, Query(description="html, pdf, xlsx or csv")] = "html",
) -> Response:
    if format not in report.FORMATS:
        raise errors.InvalidParameter("format", f"unknown format {format!r}", report.FORMATS)
    result = await run_in_threadpool(
        review.lap_review, store_of(request), basis=basis, first=first, last=last, workplans=workplan
    )
    limit = engine_of(request).settings.report_pdf_max_elements
    if format == "pdf" and limit and (listed := result.listed()) > limit:
        raise errors.InvalidParameter(
            "format",
            f"this review lists {listed:,} elements, and the server makes the PDF of one that lists "
            f"at most {limit:,} (report_pdf_max_elements): choose cycles (from, to) or work plans (workplan), "
            "take the spreadsheet or CSV, or make the PDF with `ccmgraph report lap-review --format pdf`",
            [f for f in report.FORMATS if f != "pdf"],
        )
    if format == "html":  # off the event loop: a million quads' review is 20 MB of HTML, a second's work
        return HTMLResponse(await run_in_threadpool(report.html, result))
    body = await run_in_threadpool(report.render, result, format)
    name = f"lap-review-{result.basis}.{format}"
    return Response(body, media_type=MEDIA[format], headers={"Content-Disposition": f'attachment; filename="{name}"'})
