"""How the web app answers an error: one status per kind, in the format the client asked for.

A browser (an ``Accept`` that prefers HTML) gets a page with the site's navigation; an API
client gets JSON; the SPARQL protocol answers text, as SPARQL endpoints do. The handlers are
registered once on the app (``install``); routers raise ``ccmgraph.errors`` exceptions and
never build an error response themselves.
"""

from __future__ import annotations

import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from ccmgraph import errors, formats
from ccmgraph.web.rendering import render

STATUS: dict[type[errors.CcmgraphError], int] = {
    errors.QuerySyntaxError: 400,
    errors.QueryRefused: 400,
    errors.QueryEvaluationError: 400,
    errors.InputError: 400,
    errors.Unauthorized: 401,
    errors.Forbidden: 403,
    errors.Gone: 410,
    errors.NotFound: 404,
    errors.NotAcceptable: 406,
    errors.RequestTooLarge: 413,
    errors.UnsupportedMediaType: 415,
    errors.MethodNotAllowed: 405,
    errors.InvalidParameter: 422,
    errors.UpstreamError: 502,
    errors.LimitExceeded: 503,
    errors.TooManyRequests: 429,
    errors.Unavailable: 503,
    errors.DataError: 500,
    errors.SettingError: 500,
    errors.CcmgraphError: 500,
}
TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    410: "Gone",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Invalid parameter",
    429: "Too many requests",
    500: "Server error",
    502: "Bad gateway",
    503: "Service unavailable",
}


def kind_of(error: errors.CcmgraphError) -> type[errors.CcmgraphError]:
    """The error's kind: its nearest class in ``STATUS`` (a class of ``ccmgraph.errors``, never a
    module's private subclass such as the SPARQL engine's)."""
    return next(cls for cls in type(error).__mro__ if cls in STATUS)


def status_of(error: errors.CcmgraphError) -> int:
    """The fixed status of an error's kind."""
    return STATUS[kind_of(error)]


def kind_of_status(status: int) -> str:
    """The name of the most general kind answered with ``status`` (for errors raised by Starlette
    itself: an unknown route is NotFound, a method it does not answer is MethodNotAllowed)."""
    kinds = [cls.__name__ for cls, code in STATUS.items() if code == status]  # most specific first
    return kinds[-1] if kinds else "".join(w.capitalize() for w in TITLES.get(status, "Error").split())


def headers_of(error: errors.CcmgraphError) -> dict[str, str]:
    if isinstance(error, errors.Unavailable) and error.retry_after:
        return {"Retry-After": str(math.ceil(error.retry_after))}
    if isinstance(error, errors.LimitExceeded):
        return {"X-SPARQL-Timeout": f"{error.limit:g}"}
    if isinstance(error, errors.Unauthorized):
        return {"WWW-Authenticate": "Bearer"}
    if isinstance(error, errors.MethodNotAllowed):
        return {"Allow": error.allow}
    return {}


def _format(request: Request) -> formats.Format:
    """A page, JSON or text: what the client asked for; without a preference, the path's habit.

    The SPARQL protocol answers errors in text, as SPARQL endpoints do, also to a client that
    accepts ``application/json`` (SPARQL clients send it beside the results type); only a browser
    asking for HTML gets the page there."""
    path = request.url.path
    if path.startswith("/sparql"):
        family: tuple[formats.Format, ...] = (formats.TEXT, formats.HTML)
    else:
        habit = formats.JSON if path.startswith("/api") else formats.HTML
        family = (habit, *(f for f in formats.ERROR_ANSWERS if f is not habit))  # on a tie the habit wins
    return formats.negotiate(family, request.headers.get("accept"), otherwise=family[0])


def respond(
    request: Request,
    status: int,
    message: str,
    *,
    kind: str,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    """The one error answer of the app."""
    headers = {"Cache-Control": "no-store", **(headers or {})}
    fmt = _format(request)
    if fmt is formats.JSON:
        body = {"error": kind, "status": status, "message": message, **(extra or {})}
        return JSONResponse(body, status, headers=headers)
    if fmt is formats.HTML:
        html = render(
            "error.html",
            title=TITLES.get(status, "Error"),
            status=status,
            message=message,
            path=request.url.path,
        )
        return HTMLResponse(html, status, headers=headers)
    return PlainTextResponse(message.rstrip() + "\n", status, headers=headers)


def error_response(request: Request, exc: errors.CcmgraphError) -> Response:
    """The answer to one of the project's errors (also for handlers that bypass the app's, such as
    the SPARQL fast path)."""
    extra: dict[str, Any] = {}
    if isinstance(exc, errors.InvalidParameter):
        extra = {"parameter": exc.name, **({"allowed": list(exc.allowed)} if exc.allowed else {})}
    return respond(
        request, status_of(exc), exc.message, kind=kind_of(exc).__name__, headers=headers_of(exc), extra=extra
    )


async def _ccmgraph_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, errors.CcmgraphError)
    return error_response(request, exc)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    message = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status_code, "Error")
    headers = dict(exc.headers or {})
    if exc.status_code == 404 and message == "Not Found":
        message = f"Nothing here: {request.url.path}"
    elif exc.status_code == 405 and message == "Method Not Allowed":
        message = f"{request.method} is not supported at {request.url.path}; use {headers.get('allow', 'GET')}"
    return respond(request, exc.status_code, message, kind=kind_of_status(exc.status_code), headers=headers)


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    """A bug: 500 in the client's format, without the traceback (which goes to the server's log)."""
    return respond(
        request, 500, "The server failed to answer this request; the error is in its log.", kind="ServerError"
    )


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = [
        {
            "parameter": str(e["loc"][-1]) if e.get("loc") else "",
            "in": str(e["loc"][0]) if e.get("loc") else "",
            "message": e.get("msg", ""),
        }
        for e in exc.errors()
    ]
    message = "; ".join(f"parameter {p['parameter']!r}: {p['message']}" for p in problems)
    return respond(
        request,
        422,
        message,
        kind="InvalidParameter",
        extra={"parameter": problems[0]["parameter"] if problems else "", "problems": problems},
    )


def install(app: FastAPI) -> None:
    """Register the handlers once, on the app."""
    app.add_exception_handler(errors.CcmgraphError, _ccmgraph_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected_error)
